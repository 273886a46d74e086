package image

import (
	"strings"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/testenv/ruletest"
)

func TestUntrustedBase(t *testing.T) {
	const curatedDigest = "sha256:cafe"
	tests := []struct {
		name    string
		curated []string
		img     model.ImageContents
		want    rule.Status
		detail  string
	}{
		{"none configured", nil, model.ImageContents{}, rule.Passed, "no curated base images are configured"},
		{"curated name", []string{"gcr.io/distroless/*"}, model.ImageContents{Annotations: map[string]string{AnnotationBaseName: "gcr.io/distroless/base:nonroot"}},
			rule.Passed, `built on "gcr.io/distroless/base:nonroot", curated as "gcr.io/distroless/*"`},
		{"curated digest", []string{curatedDigest}, model.ImageContents{Annotations: map[string]string{AnnotationBaseDigest: curatedDigest}},
			rule.Passed, "curated base sha256:cafe"},
		{"the image is a curated base itself", []string{curatedDigest}, model.ImageContents{Digest: curatedDigest}, rule.Passed, "curated base"},
		{"other base", []string{"gcr.io/distroless/*", curatedDigest}, model.ImageContents{Annotations: map[string]string{
			AnnotationBaseName: "ubuntu:24.04", AnnotationBaseDigest: "sha256:beef"}},
			rule.Failed, `built on "ubuntu:24.04@sha256:beef", which is not one of the 2 curated base(s)`},
		{"no base recorded", []string{curatedDigest}, model.ImageContents{}, rule.Failed, "records no base image"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := rule.DefaultSettings()
			s.TrustedBaseImages = tt.curated
			r := UntrustedBase.Check(&tt.img, &rule.Env{Settings: s, Now: ruletest.Now})[0]
			if r.Status != tt.want || !strings.Contains(r.Detail, tt.detail) {
				t.Errorf("got %s %q, want %s containing %q", r.Status, r.Detail, tt.want, tt.detail)
			}
		})
	}
}
