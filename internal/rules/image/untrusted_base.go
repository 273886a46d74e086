package image

import (
	"strconv"
	"strings"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// The annotations (or labels) that name an image's base image.
const (
	AnnotationBaseName   = "org.opencontainers.image.base.name"
	AnnotationBaseDigest = "org.opencontainers.image.base.digest"
)

// UntrustedBase fails an image that is not built on one of the curated base images the configuration lists; with
// none configured it never fails.
var UntrustedBase = register(&Rule{
	Meta: rule.Meta{
		ID:    "image.untrusted-base",
		Title: "Image is not built on a curated base",
		Description: "A curated set of base images is patched, scanned and minimal on purpose; an image built on any " +
			"other base brings in whatever that base holds. The base is read from the " +
			"org.opencontainers.image.base.name and .digest annotations (or labels) that build tools record; " +
			"with no curated bases configured (trustedBaseImages) the rule never fails.",
		Remediation: "Build FROM one of the curated bases, and let the build record it (docker buildx and BuildKit " +
			"write the base annotations; or add the labels); or add the base to trustedBaseImages after review.",
		RemediationURL: "https://github.com/opencontainers/image-spec/blob/main/annotations.md",
		Severity:       rule.Medium,
		Profile:        rule.Restricted,
		Related:        []string{"task.untrusted-registry"},
		References: []string{
			"https://github.com/opencontainers/image-spec/blob/main/annotations.md",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-tasks-containers.html",
		},
	},
	Check: func(img *model.ImageContents, env *rule.Env) []rule.Result {
		var curated []string
		if env != nil && env.Settings != nil {
			curated = env.Settings.TrustedBaseImages
		}
		if len(curated) == 0 {
			return one(rule.Passed, "no curated base images are configured (trustedBaseImages)")
		}
		name, digest := baseOf(img, AnnotationBaseName), baseOf(img, AnnotationBaseDigest)
		for _, c := range curated {
			switch {
			case strings.HasPrefix(c, "sha256:") && (c == digest || c == img.Digest):
				return one(rule.Passed, "the image is built on curated base "+c)
			case !strings.HasPrefix(c, "sha256:") && name != "" && rule.Glob(c, name):
				return one(rule.Passed, "the image is built on "+strconv.Quote(name)+", curated as "+strconv.Quote(c))
			}
		}
		if name == "" && digest == "" {
			return one(rule.Failed, "the image records no base image ("+AnnotationBaseName+" or .digest), so it cannot be shown "+
				"to be built on one of the "+strconv.Itoa(len(curated))+" curated base(s)")
		}
		return one(rule.Failed, "the image is built on "+strconv.Quote(name+at(digest))+", which is not one of the "+
			strconv.Itoa(len(curated))+" curated base(s)")
	},
})

func baseOf(img *model.ImageContents, key string) string {
	if v := img.Annotations[key]; v != "" {
		return v
	}
	return img.Config.Labels[key]
}

func at(digest string) string {
	if digest == "" {
		return ""
	}
	return "@" + digest
}
