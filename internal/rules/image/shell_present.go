package image

import (
	"strconv"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// ShellPresent fails an image whose final filesystem has an interactive shell or a network tool in a standard
// path.
var ShellPresent = register(&Rule{
	Meta: rule.Meta{
		ID:    "image.shell-present",
		Title: "Image has a shell or network tools",
		Description: "A shell (sh, bash, ash, dash, busybox) or a network tool (nc, curl, wget) in /bin, /sbin, " +
			"/usr/bin, /usr/sbin, /usr/local/bin or /usr/local/sbin is what an attacker who gets code execution " +
			"uses next: to explore, to fetch tools, to open a reverse shell.",
		Remediation: "Build from a minimal or distroless base, copy only the application into the final stage of a " +
			"multi-stage build, and use ECS Exec with a debug sidecar instead of a shell in the image.",
		RemediationURL: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-tasks-containers.html",
		Severity:       rule.Low,
		Profile:        rule.Restricted,
		Related:        []string{"task.writable-root-filesystem"},
		References: []string{
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-tasks-containers.html",
			"https://github.com/GoogleContainerTools/distroless",
		},
	},
	Check: func(img *model.ImageContents, _ *rule.Env) []rule.Result {
		if img.Incomplete != "" {
			return partly(img)
		}
		if n := len(img.Shells); n > 0 {
			return one(rule.Failed, "the final filesystem has "+strconv.Itoa(n)+" shell(s) or network tool(s): "+list(img.Shells))
		}
		return one(rule.Passed, "the final filesystem has no shell or network tool in a standard path")
	},
})
