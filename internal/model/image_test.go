package model

import "testing"

func TestParseImageRef(t *testing.T) {
	tests := []struct {
		in                          string
		registry, repo, tag, digest string
		ecrAccount, ecrRegion       string
	}{
		{in: "nginx", registry: "docker.io", repo: "library/nginx"},
		{in: "nginx:1.27", registry: "docker.io", repo: "library/nginx", tag: "1.27"},
		{in: "amazon/amazon-ecs-agent:latest", registry: "docker.io", repo: "amazon/amazon-ecs-agent", tag: "latest"},
		{in: "localhost/app", registry: "localhost", repo: "app"},
		{in: "registry.local:5000/team/app", registry: "registry.local:5000", repo: "team/app"},
		{in: "registry.local:5000/team/app:2.1", registry: "registry.local:5000", repo: "team/app", tag: "2.1"},
		{in: "ghcr.io/org/app@sha256:abc", registry: "ghcr.io", repo: "org/app", digest: "sha256:abc"},
		{in: "111122223333.dkr.ecr.eu-west-1.amazonaws.com/web:1.0", registry: "111122223333.dkr.ecr.eu-west-1.amazonaws.com", repo: "web", tag: "1.0", ecrAccount: "111122223333", ecrRegion: "eu-west-1"},
		{in: "111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/web", registry: "111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn", repo: "web", ecrAccount: "111122223333", ecrRegion: "cn-north-1"},
		{in: "111122223333.dkr-ecr.us-east-1.on.aws/web:1", registry: "111122223333.dkr-ecr.us-east-1.on.aws", repo: "web", tag: "1", ecrAccount: "111122223333", ecrRegion: "us-east-1"},
		{in: "111122223333.dkr.ecr.us-east-1.amazonaws.com.evil.io/web", registry: "111122223333.dkr.ecr.us-east-1.amazonaws.com.evil.io", repo: "web"},
	}
	for _, tt := range tests {
		r := ParseImageRef(tt.in)
		if r.Registry != tt.registry || r.Repository != tt.repo || r.Tag != tt.tag || r.Digest != tt.digest {
			t.Errorf("ParseImageRef(%q) = %+v", tt.in, r)
		}
		acct, region, ok := r.ECR()
		if ok != (tt.ecrAccount != "") || acct != tt.ecrAccount || region != tt.ecrRegion {
			t.Errorf("%q: ECR() = %q %q %v", tt.in, acct, region, ok)
		}
	}
}
