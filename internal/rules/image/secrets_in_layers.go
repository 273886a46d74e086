package image

import (
	"strconv"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// SecretsInLayers fails an image whose layers hold a credential file, even one a later layer deletes: every layer
// is pulled whole, so a deleted file is still in the image.
var SecretsInLayers = register(&Rule{
	Meta: rule.Meta{
		ID:    "image.secrets-in-layers",
		Title: "Image layers hold credential files",
		Description: "Each layer of an image is a tar file anyone who can pull the image can unpack: a private key, " +
			"an .aws/credentials, an .npmrc or .pypirc with a token or a .env file with credential values stays in " +
			"the layer that added it even when a later layer deletes it.",
		Remediation: "Stop copying the file into the image (a .dockerignore entry, a narrower COPY), use " +
			"\"RUN --mount=type=secret\" for what the build needs, rebuild, delete the old image from every " +
			"registry, and rotate the credential.",
		RemediationURL: "https://docs.docker.com/build/building/secrets/",
		Severity:       rule.High,
		Profile:        rule.Baseline,
		Related:        []string{"Prowler ecr secrets in image layers", "task.secrets-in-environment"},
		References: []string{
			"https://docs.docker.com/build/building/secrets/",
			"https://github.com/opencontainers/image-spec/blob/main/layer.md",
		},
	},
	Check: func(img *model.ImageContents, _ *rule.Env) []rule.Result {
		if n := len(img.CredentialFiles); n > 0 {
			items := make([]string, 0, n)
			for _, c := range img.CredentialFiles {
				s := c.Path + " in layer " + strconv.Itoa(c.Layer) + " (" + c.What
				if c.Deleted {
					s += "; deleted by a later layer, still in this one"
				}
				items = append(items, s+")")
			}
			return one(rule.Failed, "the image's layers hold "+strconv.Itoa(n)+" credential file(s): "+list(items))
		}
		if img.Incomplete != "" {
			return partly(img)
		}
		return one(rule.Passed, "none of the image's "+strconv.Itoa(img.Layers)+" layer(s) holds a credential file")
	},
})
