package taskdef

import (
	"fmt"

	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// ImageNotPinned fails a container whose image is neither pinned by digest nor by a tag other than latest.
var ImageNotPinned = register(&Rule{
	Meta: rule.Meta{
		ID:    "task.image-not-pinned",
		Title: "Container image is not pinned to a version",
		Description: "An image without a tag, or tagged latest, names whatever was pushed last: each new task may " +
			"run different code than the one reviewed and scanned, and a compromised push reaches production on " +
			"the next scale-out.",
		Remediation: "Reference the image by digest (repository@sha256:...) or by an explicit version tag from a " +
			"repository with immutable tags, and update the task definition to deploy a new version.",
		RemediationURL: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-tasks-containers.html",
		Severity:       rule.Medium,
		Profile:        rule.Restricted,
		Level:          rule.ContainerLevel,
		Related:        []string{"Amazon ECS task and container security best practices: immutable images"},
		References: []string{
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-tasks-containers.html",
			"https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html",
		},
	},
	Check: func(t *model.TaskDefinition, env *rule.Env) []rule.Result {
		return perContainer(t, func(i int, c *ecstypes.ContainerDefinition) rule.Result {
			name := t.ContainerName(i)
			img := containerImage(c)
			if img == "" {
				return noImage(name)
			}
			ref := model.ParseImageRef(img)
			switch {
			case ref.PinnedByDigest():
				return pass(fmt.Sprintf("container %q pins image %s by digest", name, img))
			case ref.Tag == "":
				return fail(fmt.Sprintf("container %q uses image %s without a tag or digest, which means latest", name, img),
					containerPath(i, "image"))
			case ref.Tag == "latest":
				return fail(fmt.Sprintf("container %q uses image %s, tagged latest", name, img), containerPath(i, "image"))
			}
			return pass(fmt.Sprintf("container %q pins image %s by tag %q", name, img, ref.Tag))
		})
	},
})
