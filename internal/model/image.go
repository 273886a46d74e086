package model

import "strings"

// ImageRef is a container image reference split the way Docker splits it.
type ImageRef struct {
	// Registry is the registry host (with port) in lower case, or "docker.io" when the reference names none.
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

// ECR returns the account and region of a private ECR registry host; ok is false for any other registry. The hosts
// are <12 digits>.dkr.ecr[-fips].<region>.amazonaws.com[.cn] (IPv4 endpoints, with their FIPS and China variants) and
// <12 digits>.dkr-ecr.<region>.on.aws (dual-stack); the regular expression
// ^(\d{12})\.dkr[.-]ecr(?:-fips)?\.([a-z0-9-]+)\.(?:amazonaws\.com(?:\.cn)?|on\.aws)$ says the same, but three rules
// ask for every container of every task definition, and the expression took a microsecond each time.
func (r ImageRef) ECR() (account, region string, ok bool) {
	h := r.Registry
	if len(h) < len("000000000000.dkr.ecr.") {
		return "", "", false
	}
	for i := range 12 {
		if h[i] < '0' || h[i] > '9' {
			return "", "", false
		}
	}
	account, rest := h[:12], h[12:]
	if rest[:4] != ".dkr" || (rest[4] != '.' && rest[4] != '-') || rest[5:8] != "ecr" {
		return "", "", false
	}
	rest = strings.TrimPrefix(rest[8:], "-fips")
	if rest == "" || rest[0] != '.' {
		return "", "", false
	}
	region, rest, found := strings.Cut(rest[1:], ".")
	if !found || region == "" {
		return "", "", false
	}
	for i := range len(region) {
		if c := region[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return "", "", false
		}
	}
	switch rest {
	case "amazonaws.com", "amazonaws.com.cn", "on.aws":
		return account, region, true
	}
	return "", "", false
}

// PinnedByDigest reports whether the reference names a sha256 digest.
func (r ImageRef) PinnedByDigest() bool { return strings.HasPrefix(r.Digest, "sha256:") }
