package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// peerCase is one row of testdata/peers/README.md: a fixture written for this project that exercises the fact a
// check of Checkov, KICS or trivy-checks tests with its own fixtures, and the verdict ecsaudit gives on it.
type peerCase struct {
	file      string // below testdata/peers
	rule      string
	container string // "" for a task- or repository-level finding
	want      string // PASSED, FAILED, NOT_AVAILABLE, NOT_APPLICABLE
}

// peerCases is the README's table; a change of verdict fails TestPeerFixtures, and the README must follow.
var peerCases = []peerCase{
	// Privileged containers (Checkov CKV_AWSCC_76).
	{"cloudformation/privileged-container.yaml", "task.privileged-container", "dind", "FAILED"},
	{"cloudformation/privileged-container.yaml", "task.privileged-container", "coordinator", "PASSED"},

	// EFS transit encryption (Checkov CKV_AWS_97, trivy AVD-AWS-0035, KICS ECS Task Definition Volume Not Encrypted).
	{"cloudformation/efs-transit-disabled.yaml", "task.efs-transit-encryption", "", "FAILED"},
	{"cloudformation/efs-transit-enabled.yaml", "task.efs-transit-encryption", "", "PASSED"},
	{"cloudformation/efs-second-volume-unencrypted.yaml", "task.efs-transit-encryption", "", "FAILED"},
	{"terraform/task-efs-transit-unset.json", "task.efs-transit-encryption", "", "FAILED"},

	// Credentials in the environment (trivy AVD-AWS-0036).
	{"cloudformation/env-database-password.yaml", "task.secrets-in-environment", "invoicer", "FAILED"},
	{"cloudformation/env-access-key-id.json", "task.secrets-in-environment", "exporter", "FAILED"},
	{"cloudformation/env-plain-settings.yaml", "task.secrets-in-environment", "invoicer", "PASSED"},
	{"terraform/task-env-database-password.json", "task.secrets-in-environment", "importer", "FAILED"},
	{"terraform/task-env-password-name.json", "task.secrets-in-environment", "importer", "PASSED"},

	// Network mode (KICS ECS Task Definition Network Mode Not Recommended).
	{"cloudformation/network-mode-unset.yaml", "task.not-awsvpc", "", "FAILED"},
	{"cloudformation/network-mode-bridge.yaml", "task.not-awsvpc", "", "FAILED"},
	{"cloudformation/network-mode-host.yaml", "task.not-awsvpc", "", "FAILED"},
	{"cloudformation/network-mode-host.yaml", "task.host-network-mode", "", "FAILED"},
	{"terraform/task-network-bridge.json", "task.not-awsvpc", "", "FAILED"},

	// Host PID namespace (Checkov CKV_AWS_335).
	{"cloudformation/task-pid-host.yaml", "task.host-pid-mode", "", "FAILED"},
	{"terraform/task-pid-host.json", "task.host-pid-mode", "", "FAILED"},

	// Read-only root filesystem (Checkov CKV_AWS_336).
	{"terraform/task-readonly-root-missing.json", "task.writable-root-filesystem", "worker", "FAILED"},
	{"terraform/task-readonly-root-missing.json", "task.writable-root-filesystem", "web", "PASSED"},
	{"terraform/task-readonly-root-all.json", "task.writable-root-filesystem", "worker", "PASSED"},

	// Task role and execution role (Checkov CKV_AWS_249).
	{"terraform/task-roles-shared.json", "task.shared-task-execution-role", "", "FAILED"},
	{"terraform/task-roles-distinct.json", "task.shared-task-execution-role", "", "PASSED"},

	// Tag mutability (Checkov CKV_AWS_51, KICS ECR Image Tag Not Immutable, trivy AVD-AWS-0031).
	{"cloudformation/repo-tags-mutable.yaml", "repo.mutable-tags", "", "FAILED"},
	{"cloudformation/repo-tags-immutable.yaml", "repo.mutable-tags", "", "PASSED"},
	{"cloudformation/repo-tags-unset.yaml", "repo.mutable-tags", "", "FAILED"},
	{"cloudformation/repo-tags-immutable-exclusions.yaml", "repo.mutable-tags", "", "FAILED"},
	{"terraform/repo-tags-mutable.json", "repo.mutable-tags", "", "FAILED"},
	{"terraform/repo-mutable-with-exclusion.json", "repo.mutable-tags", "", "FAILED"},

	// Repository policy (Checkov CKV_AWS_32, KICS ECR Repository Is Publicly Accessible / Without Policy,
	// trivy AVD-AWS-0032).
	{"cloudformation/repo-policy-anyone.yaml", "repo.public-policy", "", "FAILED"},
	{"cloudformation/repo-policy-aws-star.yaml", "repo.public-policy", "", "FAILED"},
	{"cloudformation/repo-policy-org-forallvalues.yaml", "repo.public-policy", "", "FAILED"},
	{"cloudformation/repo-policy-org-stringequals.yaml", "repo.public-policy", "", "PASSED"},
	{"cloudformation/repo-policy-deny-anyone.yaml", "repo.public-policy", "", "PASSED"},
	{"cloudformation/repo-policy-one-account.yaml", "repo.public-policy", "", "PASSED"},
	{"terraform/repo-policy-public.json", "repo.public-policy", "", "FAILED"},
	{"terraform/repo-without-policy.json", "repo.public-policy", "", "PASSED"},

	// Scan on push (Checkov CKV_AWS_162, trivy AVD-AWS-0030).
	{"cloudformation/repo-scan-on-push-off.yaml", "repo.scan-on-push-disabled", "", "FAILED"},
	{"cloudformation/repo-scan-on-push-on.yaml", "repo.scan-on-push-disabled", "", "PASSED"},
	{"cloudformation/repo-scan-on-push-off-registry-enhanced.yaml", "repo.scan-on-push-disabled", "", "PASSED"},
	{"terraform/repo-scan-on-push-off.json", "repo.scan-on-push-disabled", "", "FAILED"},

	// Encryption at rest (Checkov CKV_AWS_136, trivy AVD-AWS-0033).
	{"cloudformation/repo-encryption-unset.yaml", "repo.not-cmk-encrypted", "", "FAILED"},
	{"cloudformation/repo-encryption-aes256.yaml", "repo.not-cmk-encrypted", "", "FAILED"},
	{"cloudformation/repo-encryption-kms-default-key.yaml", "repo.not-cmk-encrypted", "", "FAILED"},
	{"cloudformation/repo-encryption-kms-cmk.yaml", "repo.not-cmk-encrypted", "", "PASSED"},

	// Clusters and services (Checkov CKV_AWS_65 and CKV_AWS_333, KICS ECS Cluster with Container Insights Disabled,
	// trivy AVD-AWS-0034).
	{"cloudformation/cluster-without-insights.yaml", "cluster.container-insights-disabled", "", "FAILED"},
	{"terraform/cluster-without-insights.json", "cluster.container-insights-disabled", "", "FAILED"},
	{"cloudformation/service-public-ip.yaml", "service.public-ip", "", "FAILED"},
}

func peerPath(file string) string {
	return filepath.Join("..", "..", "testdata", "peers", filepath.FromSlash(file))
}

func TestPeerFixtures(t *testing.T) {
	byFile := map[string][]peerCase{}
	var order []string
	for _, c := range peerCases {
		if _, ok := byFile[c.file]; !ok {
			order = append(order, c.file)
		}
		byFile[c.file] = append(byFile[c.file], c)
	}
	for _, file := range order {
		t.Run(file, func(t *testing.T) {
			r, rep := scanJSON(t, peerPath(file))
			if strings.Contains(r.stderr, "could not be read") {
				t.Fatalf("the fixture was not read:\n%s", r.stderr)
			}
			if rep.Summary.Resources == 0 {
				t.Errorf("no resource read")
			}
			for _, c := range byFile[file] {
				f := rep.find(c.rule, c.container)
				switch {
				case f == nil:
					t.Errorf("%s (container %q): no finding, want %s", c.rule, c.container, c.want)
				case f.Status != c.want:
					t.Errorf("%s (container %q): %s, want %s (%s)", c.rule, c.container, f.Status, c.want, f.Detail)
				}
			}
		})
	}
}

// TestPeerFixturesListed keeps the fixtures on disk, this file's tables and the README's table to the same files.
func TestPeerFixturesListed(t *testing.T) {
	files, err := filepath.Glob(peerPath("*/*"))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(peerPath("README.md"))
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]bool{}
	for _, c := range peerCases {
		named[c.file] = true
	}
	for _, f := range files {
		rel := filepath.ToSlash(strings.TrimPrefix(f, peerPath("")+string(filepath.Separator)))
		if !named[rel] {
			t.Errorf("%s has no case in peers_test.go", rel)
		}
		if !strings.Contains(string(readme), "`"+rel+"`") {
			t.Errorf("%s is not in testdata/peers/README.md", rel)
		}
	}
	if len(files) != len(named) {
		t.Errorf("%d fixtures on disk, %d named in the tables", len(files), len(named))
	}
}
