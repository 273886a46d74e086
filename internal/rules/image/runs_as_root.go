package image

import (
	"strconv"
	"strings"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// RunsAsRoot fails an image whose config runs its process as root.
var RunsAsRoot = register(&Rule{
	Meta: rule.Meta{
		ID:    "image.runs-as-root",
		Title: "Image runs as root",
		Description: "A container that sets no user runs as the image's USER, and an image without one runs as root: " +
			"a container escape, a kernel bug or a writable host mount then acts as root on the instance.",
		Remediation: "Add a USER instruction with a non-root UID to the Dockerfile (for example \"USER 1000:1000\" " +
			"after creating the user), and keep the files the process writes owned by that user.",
		RemediationURL: "https://docs.docker.com/reference/dockerfile/#user",
		Severity:       rule.Medium,
		Profile:        rule.Restricted,
		Related:        []string{"task.root-user", "PSS restricted: Running as Non-root user (runAsNonRoot)"},
		References: []string{
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-tasks-containers.html",
			"https://github.com/opencontainers/image-spec/blob/main/config.md",
		},
	},
	Check: func(img *model.ImageContents, _ *rule.Env) []rule.Result {
		if strings.HasPrefix(img.Platform, "windows/") {
			return one(rule.NotApplicable, "Windows image: the rule applies to Linux images only")
		}
		u := img.Config.User
		if IsRootUser(u) {
			if strings.TrimSpace(u) == "" {
				return one(rule.Failed, "the image config sets no USER, so the container runs as root")
			}
			return one(rule.Failed, "the image config's USER is "+strconv.Quote(u)+", which is root")
		}
		return one(rule.Passed, "the image config's USER is "+strconv.Quote(u)+", which is not root")
	},
})

// IsRootUser reports whether an image's USER runs as root: empty, "root", UID 0 (any zero-padding), with or
// without a group. A non-zero UID with group 0 is not root.
func IsRootUser(u string) bool {
	name, _, _ := strings.Cut(strings.TrimSpace(u), ":")
	if name == "" || name == "root" {
		return true
	}
	n, err := strconv.ParseUint(name, 10, 32)
	return err == nil && n == 0
}
