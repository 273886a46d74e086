package model

import (
	"regexp"
	"strings"
)

// ImageRef is a container image reference split the way Docker splits it.
type ImageRef struct {
	// Registry is the registry host (with port), or "docker.io" when the reference names none.
	Registry string
	// Repository is the path after the registry ("library/nginx" for Docker Hub official images).
	Repository string
	Tag        string
	Digest     string
	// ExplicitRegistry is true when the reference itself named the registry.
	ExplicitRegistry bool
}

// ParseImageRef splits an image reference. The first path component is a registry host only if it
// contains "." or ":" or is "localhost"; a tag follows the last ":" after the last "/"; a digest follows "@".
func ParseImageRef(s string) ImageRef {
	var r ImageRef
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "@"); i >= 0 {
		r.Digest = s[i+1:]
		s = s[:i]
	}
	if i := strings.Index(s, "/"); i >= 0 {
		first := s[:i]
		if strings.ContainsAny(first, ".:") || first == "localhost" {
			r.Registry = strings.ToLower(first)
			r.ExplicitRegistry = true
			s = s[i+1:]
		}
	}
	slash := strings.LastIndex(s, "/")
	if c := strings.LastIndex(s, ":"); c > slash {
		r.Tag = s[c+1:]
		s = s[:c]
	}
	r.Repository = s
	if !r.ExplicitRegistry {
		r.Registry = "docker.io"
		if !strings.Contains(s, "/") && s != "" {
			r.Repository = "library/" + s
		}
	}
	return r
}

// ecrHost matches private ECR registry hosts: IPv4 endpoints (with FIPS and China variants) and dual-stack ones.
var ecrHost = regexp.MustCompile(`^(\d{12})\.dkr[.-]ecr(?:-fips)?\.([a-z0-9-]+)\.(?:amazonaws\.com(?:\.cn)?|on\.aws)$`)

// ECR returns the account and region of a private ECR registry host; ok is false for any other registry.
func (r ImageRef) ECR() (account, region string, ok bool) {
	m := ecrHost.FindStringSubmatch(r.Registry)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// PinnedByDigest reports whether the reference names a sha256 digest.
func (r ImageRef) PinnedByDigest() bool { return strings.HasPrefix(r.Digest, "sha256:") }
