package taskdef

import (
	"fmt"
	"strings"

	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// UntrustedRegistry fails a container whose image comes from a registry outside the trusted list (by default
// private Amazon ECR in every partition, and ECR Public).
var UntrustedRegistry = register(&Rule{
	Meta: rule.Meta{
		ID:    "task.untrusted-registry",
		Title: "Container image comes from an untrusted registry",
		Description: "Images pulled from public or third-party registries run code whose build and provenance you " +
			"do not control, can change or disappear under the same name, and are pulled without the IAM " +
			"controls, scanning and audit trail of your own registry.",
		Remediation: "Copy the image into a private Amazon ECR repository (or configure an ECR pull-through cache " +
			"rule for the upstream registry), scan it, and reference it from there. Add a registry you do trust to " +
			"trustedRegistries in the ecsaudit configuration.",
		RemediationURL: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-tasks-containers.html",
		Severity:       rule.Low,
		Profile:        rule.Restricted,
		Level:          rule.ContainerLevel,
		Related:        []string{"Amazon ECS task and container security best practices: curated images"},
		References: []string{
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-tasks-containers.html",
			"https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html",
		},
	},
	Check: func(t *model.TaskDefinition, env *rule.Env) []rule.Result {
		trusted := envSettings(env).TrustedRegistries
		// The patterns as matched, once for all containers: most task definitions have several.
		var buf [8]string
		patterns := buf[:0]
		for _, p := range trusted {
			patterns = append(patterns, strings.ToLower(strings.TrimSpace(p)))
		}
		return perContainer(t, func(i int, c *ecstypes.ContainerDefinition) rule.Result {
			name := t.ContainerName(i)
			img := containerImage(c)
			if img == "" {
				return noImage(name)
			}
			reg := model.ParseImageRef(img).Registry // lower case
			if len(trusted) == 0 {
				// An allow-list that is configured empty restricts nothing, like every allow-list of the catalog.
				return pass(fmt.Sprintf("container %q pulls from %s; no trusted registries are configured", name, reg))
			}
			for k, p := range patterns {
				if trustedBy(p, reg) {
					return pass(fmt.Sprintf("container %q pulls from trusted registry %s (matches %q)", name, reg, trusted[k]))
				}
			}
			what := "registry " + reg
			if reg == "docker.io" {
				what = "Docker Hub (docker.io)"
			}
			return fail(fmt.Sprintf("container %q pulls image %s from %s, which is not in the trusted registries (%s)",
				name, img, what, strings.Join(trusted, ", ")), containerPath(i, "image"))
		})
	},
})

// trustedBy reports whether pattern trusts registry host reg. A wildcard pattern for private ECR hosts
// ("*.dkr.ecr.*.amazonaws.com") trusts only hosts ECR can serve, <12-digit account>.dkr.ecr[-fips].<region>...:
// its "*" would otherwise also accept a 13-digit "account" or extra labels, hosts that are not private ECR
// registries and that the image rules (model.ImageRef.ECR) do not treat as ECR either.
func trustedBy(pattern, reg string) bool {
	if !rule.Glob(pattern, reg) {
		return false
	}
	if strings.Contains(pattern, "*") && strings.Contains(pattern, ".dkr.ecr") {
		_, _, ok := model.ImageRef{Registry: reg}.ECR()
		return ok
	}
	return true
}
