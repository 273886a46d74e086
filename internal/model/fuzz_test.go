package model

import (
	"strings"
	"testing"
)

// joinRef writes a reference back from its parts, always naming the registry. An empty tag is written too when the
// repository's last component holds a ":" ("a::" is repository "a:" with an empty tag), or the ":" would be read as
// the tag separator.
func joinRef(r ImageRef) string {
	s := r.Registry + "/" + r.Repository
	if r.Tag != "" || strings.Contains(r.Repository[strings.LastIndex(r.Repository, "/")+1:], ":") {
		s += ":" + r.Tag
	}
	if r.Digest != "" {
		s += "@" + r.Digest
	}
	return s
}

// FuzzParseImageRef splits arbitrary image references: they come from task definitions, written by anyone who may
// register one. Properties: the parts are well formed (no separator inside a part it cannot belong to), and
// re-joining registry/repository:tag@digest and parsing again gives the same parts (with the registry now explicit):
// the split loses nothing and adds nothing.
func FuzzParseImageRef(f *testing.F) {
	for _, s := range []string{
		"nginx", "nginx:1.27", "amazon/amazon-ecs-agent:latest", "localhost/app", "localhost:5000/app:1",
		"registry.local:5000/team/app:2.1", "ghcr.io/org/app@sha256:abc", "Registry.Example.COM/x",
		"111122223333.dkr.ecr.eu-west-1.amazonaws.com/web:1.0@sha256:0123", "111122223333.dkr-ecr.us-east-1.on.aws/web:1",
		"111122223333.dkr.ecr-fips.us-gov-west-1.amazonaws.com/a/b", "111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/web",
		"", " ", ":", "@", "/", "a/b:c/d", ":tag", "@sha256:x", "x.y/", "x.y/:t", "a@b@c", " nginx:latest \n",
		"[::1]:5000/app", "host:/x", "a:b:c", "x.y/a :t", "x.y/a @",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r := ParseImageRef(in)
		switch {
		case r.Registry == "" || strings.ContainsAny(r.Registry, "/@"):
			t.Fatalf("%q: registry %q", in, r.Registry)
		case strings.Contains(r.Repository, "@"):
			t.Fatalf("%q: repository %q holds the digest separator", in, r.Repository)
		case strings.ContainsAny(r.Tag, "/:@"):
			t.Fatalf("%q: tag %q holds a separator", in, r.Tag)
		case r.ExplicitRegistry && r.Registry != strings.ToLower(r.Registry):
			t.Fatalf("%q: registry %q is not lower case", in, r.Registry)
		case r.ExplicitRegistry && !strings.ContainsAny(r.Registry, ".:") && r.Registry != "localhost":
			t.Fatalf("%q: %q taken for a registry host", in, r.Registry)
		case !r.ExplicitRegistry && (r.Registry != "docker.io" || (r.Repository != "" && !strings.Contains(r.Repository, "/"))):
			t.Fatalf("%q: Docker Hub reference split as %+v", in, r)
		}
		if account, region, ok := r.ECR(); ok {
			if !r.ExplicitRegistry || len(account) != 12 || region == "" || !strings.HasPrefix(r.Registry, account+".dkr") {
				t.Fatalf("%q: ECR() = %q, %q from %+v", in, account, region, r)
			}
		}
		joined := joinRef(r)
		if strings.TrimSpace(joined) != joined {
			// "x.y/a @" has repository "a " and no digest: written back without the "@", the space is trimmed away.
			return
		}
		again := ParseImageRef(joined)
		want := r
		want.ExplicitRegistry = true
		if again != want {
			t.Fatalf("%q split as %+v; written back as %q it splits as %+v", in, r, joined, again)
		}
	})
}
