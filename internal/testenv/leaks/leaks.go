// Package leaks plants fake credentials in every field of a task definition and of an ECR repository, and searches
// everything ecsaudit prints, sends, stores and logs for them (leaks_test.go). It is black-box: it reads the CLI's
// output in each format, Security Hub's findings, the state table, the SNS messages and the functions' logs, and
// knows nothing of the code that produced them.
package leaks

import (
	"sort"
	"strings"
)

// A Plant is one fake credential and the field it was put in.
type Plant struct {
	Field string
	Value string
}

// Plants are the planted values. Each is in a credential format or in a field that may carry one, and is distinct
// enough (a "Planted" word, or a key or token no other text holds) that a search for it finds no other text.
var Plants = []Plant{
	{"container environment variable name", "redis://:PlantedEnvNamePw01@cache.internal:6379"},
	{"container environment variable value (Stripe key, under the password URL name)", "sk_live_PlantedStripeKey20xx"},
	{"container environment variable value (access key ID)", "AKIAPLANTEDENVVAL002"},
	{"container environment variable value (signed JWT)", "eyJhbGciOiJIUzI1NiJ9.eyJQbGFudGVkSnd0MDMiOnRydWV9.UGxhbnRlZEp3dFNpZ25hdHVyZTAz"},
	{"container environment variable value (plain, sensitive name)", "PlantedPlainPassword04"},
	{"container secret name", "ghp_PlantedSecretName05xxxxxxxxxxxxxxxxxxxx"},
	{"container secret valueFrom", "arn:aws:ssm:us-east-1:111122223333:parameter/PlantedValueFrom06"},
	{"container docker label", "PlantedDockerLabel07"},
	{"container command", "--password=PlantedCommandArg08"},
	{"container entryPoint", "PlantedEntryPoint09"},
	{"container log option", "PlantedLogOption10"},
	{"container health check command", "PlantedHealthCheck11"},
	{"container repository credentials", "arn:aws:secretsmanager:us-east-1:111122223333:secret:PlantedRepoCreds12"},
	{"container firelens option", "PlantedFirelens13"},
	{"docker volume driver option", "PlantedDriverOpt14"},
	{"task definition tag value (db-password)", "PlantedTaskTagValue15"},
	{"task definition tag key (password URL)", "postgres://app:PlantedTagKeyPw16@db"},
	{"repository tag value (api-token)", "PlantedRepoTagValue17"},
	{"repository policy condition value", "ghp_PlantedRepoPolicy18xxxxxxxxxxxxxxxxxxx"},
	{"lifecycle policy description", "xoxb-PlantedLifecycle19-abcdefgh"},
}

// Identifiers name what was audited and so appear in every output: the task definition family, container names and
// the repository name. ECS and ECR allow only letters, digits, "-", "_" (and "/" and "." in repository names) in
// them, so no password URL, JWT or key fits; they are planted to check they are not mistaken for leaks.
var Identifiers = []string{"planted-family", "planted-app", "planted-repo"}

// A Leak is a planted value found in an output.
type Leak struct {
	Plant Plant
	Where string
}

// Search returns every planted value found in outputs (name to text), sorted by output then field. A value is
// looked for as it is, and as JSON writes it inside a string (a "/" may be escaped as "\/" by other encoders).
func Search(outputs map[string]string, plants []Plant) []Leak {
	var out []Leak
	for where, text := range outputs {
		for _, p := range plants {
			if strings.Contains(text, p.Value) || strings.Contains(text, strings.ReplaceAll(p.Value, "/", `\/`)) {
				out = append(out, Leak{p, where})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Where != out[j].Where {
			return out[i].Where < out[j].Where
		}
		return out[i].Plant.Field < out[j].Plant.Field
	})
	return out
}
