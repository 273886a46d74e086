package image

import (
	"strconv"
	"strings"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/rules/taskdef"
)

// SecretsInConfig fails an image whose config holds a credential in an environment variable, a label or a history
// line, by the detectors of task.secrets-in-environment. Findings name the variable, the label or the history
// entry, never the value or the line.
var SecretsInConfig = register(&Rule{
	Meta: rule.Meta{
		ID:    "image.secrets-in-config",
		Title: "Image config holds credentials",
		Description: "An image's environment, labels and history are readable by anyone who can pull it, and are " +
			"copied to every registry, cache and host it reaches: an ENV, a LABEL or a build argument that held a " +
			"credential leaks it with every copy.",
		Remediation: "Remove the credential from ENV, LABEL and ARG instructions; pass build-time secrets with " +
			"\"RUN --mount=type=secret\" and runtime ones through the task definition's \"secrets\", rebuild the " +
			"image, delete the old one from every registry, and rotate the credential.",
		RemediationURL: "https://docs.docker.com/build/building/secrets/",
		Severity:       rule.High,
		Profile:        rule.Baseline,
		Related:        []string{"task.secrets-in-environment", "Prowler ecr secrets in image layers"},
		References: []string{
			"https://docs.docker.com/build/building/secrets/",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html",
		},
	},
	Check: func(img *model.ImageContents, env *rule.Env) []rule.Result {
		var settings *rule.Settings
		if env != nil {
			settings = env.Settings
		}
		var hits []string
		for _, kv := range img.Config.Env {
			k, v, _ := strings.Cut(kv, "=")
			if signal, ok := taskdef.CredentialSignal(k, v, settings); ok {
				hits = append(hits, "env "+strconv.Quote(k)+" ("+signal+")")
			}
		}
		for _, k := range model.SortedKeys(img.Config.Labels) {
			if signal, ok := taskdef.CredentialSignal(k, img.Config.Labels[k], settings); ok {
				hits = append(hits, "label "+strconv.Quote(k)+" ("+signal+")")
			}
		}
		for i, line := range img.Config.History {
			if signal := historySignal(line, settings); signal != "" {
				hits = append(hits, "history entry "+strconv.Itoa(i)+" ("+signal+")")
			}
		}
		n := strconv.Itoa(len(img.Config.Env)) + " environment variable(s), " + strconv.Itoa(len(img.Config.Labels)) +
			" label(s) and " + strconv.Itoa(len(img.Config.History)) + " history line(s)"
		if len(hits) == 0 {
			return one(rule.Passed, "none of the image config's "+n+" holds a credential")
		}
		return one(rule.Failed, "the image config holds "+strconv.Itoa(len(hits))+" credential(s): "+list(hits))
	},
})

// historySignal says why a history created_by line holds a credential: a value in a credential format anywhere in
// it, or a KEY=VALUE word (a build argument, "|2 KEY=VALUE ...", or an ENV or ARG instruction) that the
// environment detectors flag. The text names the key at most, never the value.
func historySignal(line string, settings *rule.Settings) string {
	if f := taskdef.CredentialFormat(line); f != "" {
		return "a value with the format of " + f
	}
	for _, w := range strings.Fields(line) {
		k, v, ok := strings.Cut(w, "=")
		if !ok || k == "" || strings.ContainsAny(k, "-/$\"'") {
			continue
		}
		if signal, ok := taskdef.CredentialSignal(k, strings.Trim(v, `"'`), settings); ok {
			return strconv.Quote(k) + ": " + signal
		}
	}
	return ""
}
