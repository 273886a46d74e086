package image

import (
	"strings"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

func TestSecretsInConfig(t *testing.T) {
	const secret = "PLANTEDpw0123456789"
	tests := []struct {
		name   string
		config model.ImageConfig
		want   rule.Status
		detail string
	}{
		{"nothing", model.ImageConfig{}, rule.Passed, "none of the image config's 0 environment variable(s), 0 label(s) and 0 history line(s)"},
		{"password in env", model.ImageConfig{Env: []string{"PATH=/bin", "DB_PASSWORD=" + secret}}, rule.Failed,
			`1 credential(s): env "DB_PASSWORD" (sensitive word "password"`},
		{"known key name", model.ImageConfig{Env: []string{"AWS_SECRET_ACCESS_KEY=" + secret}}, rule.Failed,
			`env "AWS_SECRET_ACCESS_KEY" (known credential variable name)`},
		{"key format in a label", model.ImageConfig{Labels: map[string]string{"build.note": "AKIAPLANTED123456789"}}, rule.Failed,
			`label "build.note" (value has the format of an AWS access key ID)`},
		{"history line with a URL password", model.ImageConfig{History: []string{"RUN true", "RUN curl https://ci:" + secret + "@repo.example.com/x"}},
			rule.Failed, "history entry 1 (a value with the format of a URL with an embedded password)"},
		{"build argument", model.ImageConfig{History: []string{"RUN |2 VERSION=1.2 GITHUB_TOKEN=" + secret + " /bin/sh -c make"}},
			rule.Failed, `history entry 0 ("GITHUB_TOKEN": sensitive word "token"`},
		{"harmless", model.ImageConfig{Env: []string{"PASSWORD_FILE=/run/secrets/db", "TOKEN_TTL=15m", "SECRET_ENABLED=true"},
			History: []string{"ENV PASSWORD_FILE=/run/secrets/db", "RUN apk add curl"}}, rule.Passed, "none of the image config's 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := check(SecretsInConfig, &model.ImageContents{Config: tt.config})
			if r.Status != tt.want || !strings.Contains(r.Detail, tt.detail) {
				t.Errorf("got %s %q, want %s containing %q", r.Status, r.Detail, tt.want, tt.detail)
			}
			if strings.Contains(strings.ToUpper(r.Detail), "PLANTED") {
				t.Errorf("the detail holds the value: %q", r.Detail)
			}
		})
	}
}
