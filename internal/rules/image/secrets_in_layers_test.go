package image

import (
	"strings"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestSecretsInLayers(t *testing.T) {
	tests := []struct {
		name   string
		img    model.ImageContents
		want   rule.Status
		detail string
	}{
		{"none", model.ImageContents{Layers: 3, LayersRead: 3}, rule.Passed, "none of the image's 3 layer(s)"},
		{"deleted key", model.ImageContents{Layers: 2, LayersRead: 2, CredentialFiles: []model.CredentialFile{
			{Layer: 0, Path: "/root/.ssh/id_rsa", What: "a private key", Deleted: true}}}, rule.Failed,
			"1 credential file(s): /root/.ssh/id_rsa in layer 0 (a private key; deleted by a later layer, still in this one)"},
		{"over budget, found one", model.ImageContents{Layers: 2, Incomplete: "budget", CredentialFiles: []model.CredentialFile{
			{Layer: 0, Path: "/app/.env", What: "a .env file with credential values (DB_PASSWORD)"}}}, rule.Failed, "/app/.env in layer 0"},
		{"over budget, none found", model.ImageContents{Layers: 2, LayersRead: 1, Incomplete: "the byte budget ran out"},
			rule.NotAvailable, "read only in part (the byte budget ran out; 1 of 2 layers)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := check(SecretsInLayers, &tt.img)
			if r.Status != tt.want || !strings.Contains(r.Detail, tt.detail) {
				t.Errorf("got %s %q, want %s containing %q", r.Status, r.Detail, tt.want, tt.detail)
			}
		})
	}
}
