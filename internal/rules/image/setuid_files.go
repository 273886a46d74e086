package image

import (
	"strconv"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// SetuidFiles fails an image whose final filesystem has regular files with the setuid or setgid bit.
var SetuidFiles = register(&Rule{
	Meta: rule.Meta{
		ID:    "image.setuid-files",
		Title: "Image has setuid or setgid files",
		Description: "A setuid or setgid program runs with its owner's or group's rights whoever starts it: in an " +
			"image that is mostly root, and each one is a way from a compromised process to root inside the " +
			"container. Whiteouts, opaque directories and later mode changes are applied before judging.",
		Remediation: "Remove the bits in the last layer (\"RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +\"), " +
			"or build from a minimal or distroless base that ships none; also set \"no-new-privileges\" on the " +
			"container.",
		RemediationURL: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-tasks-containers.html",
		Severity:       rule.Medium,
		Profile:        rule.Restricted,
		Related:        []string{"task.no-new-privileges-missing", "PSS restricted: Privilege Escalation"},
		References: []string{
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-tasks-containers.html",
			"https://man7.org/linux/man-pages/man2/execve.2.html",
		},
	},
	Check: func(img *model.ImageContents, _ *rule.Env) []rule.Result {
		if img.Incomplete != "" {
			return partly(img)
		}
		if n := len(img.SetuidFiles); n > 0 {
			items := make([]string, 0, n)
			for _, f := range img.SetuidFiles {
				items = append(items, f.Path+" ("+strconv.FormatInt(f.Mode&0o7777, 8)+")")
			}
			return one(rule.Failed, "the final filesystem has "+strconv.Itoa(n)+" setuid or setgid file(s): "+list(items))
		}
		return one(rule.Passed, "the final filesystem has no setuid or setgid file")
	},
})
