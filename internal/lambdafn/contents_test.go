package lambdafn_test

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ecsaudit/ecsaudit/internal/testenv/demo"
	"github.com/ecsaudit/ecsaudit/internal/testenv/registry"
)

const toolsDigest = "sha256:ec18790c7874fb77016dfad7be2ad064f8a55db28012124a24a4fbf2a6fc416f"

// contentsFindings lists "state compliance rule" of the findings about the tools image's contents.
func contentsFindings(t *testing.T, e *demo.Env) []string {
	t.Helper()
	var out []string
	for _, f := range findings(t, e, "repository/tools/"+toolsDigest) {
		if id := aws.ToString(f.GeneratorId); strings.HasPrefix(id, "image.") && id != "image.scan-missing" && id != "image.vulnerabilities" {
			out = append(out, string(f.RecordState)+" "+string(f.Compliance.Status)+" "+id)
		}
	}
	sort.Strings(out)
	return out
}

// A pushed image's layers are read once per catalog and configuration: a duplicate delivery reads none. Under a
// new configuration it is read again, and a registry that refuses the function leaves its failures open: an image
// that cannot be read is NOT_AVAILABLE, never PASSED.
func TestImageContentsReadOnceAndNeverPassedWhenDenied(t *testing.T) {
	e := start(t, nil)
	ctx := context.Background()
	const event = "ecr-image-action-push-tools.json"
	if err := step(t, e, event).Apply(ctx, e); err != nil {
		t.Fatal(err)
	}
	deliver(t, e, "EcrAuditor", event)
	read := e.Registry.BlobBytes.Load()
	want := []string{
		"ACTIVE FAILED image.runs-as-root",
		"ACTIVE FAILED image.secrets-in-layers",
		"ACTIVE FAILED image.setuid-files",
		"ACTIVE FAILED image.shell-present",
	}
	if got := contentsFindings(t, e); strings.Join(got, "\n") != strings.Join(want, "\n") || read == 0 {
		t.Fatalf("after the push (%d blob bytes read): %v, want %v", read, got, want)
	}

	deliver(t, e, "EcrAuditor", event)
	if again := e.Registry.BlobBytes.Load(); again != read {
		t.Errorf("a duplicate delivery read %d more blob bytes; the image's contents were already published", again-read)
	}

	deny := registry.Start(t, func(string, string) bool { return false })
	err := e.Reroute(ctx, map[string]string{"ECR_REGISTRY_ENDPOINT": deny.URL, "TRUSTED_REGISTRIES": "registry.example.com"},
		func(string) demo.Route { return demo.Route{} })
	if err != nil {
		t.Fatal(err)
	}
	deliver(t, e, "EcrAuditor", event)
	if deny.Refused.Load() == 0 {
		t.Fatal("under a new configuration the image was not read again")
	}
	if got := contentsFindings(t, e); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("after a refused read: %v, want the failures unchanged %v", got, want)
	}
}

// An image pushed before the auditor was installed (no event was delivered) is read by the sweep.
func TestSweepReadsImageContentsNoEventRead(t *testing.T) {
	e := start(t, nil)
	ctx := context.Background()
	if err := step(t, e, "ecr-image-action-push-tools.json").Apply(ctx, e); err != nil {
		t.Fatal(err)
	}
	deliver(t, e, "Sweeper", "scheduled-sweep.json")
	want := []string{
		"ACTIVE FAILED image.runs-as-root",
		"ACTIVE FAILED image.secrets-in-layers",
		"ACTIVE FAILED image.setuid-files",
		"ACTIVE FAILED image.shell-present",
	}
	if got := contentsFindings(t, e); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("after the sweep: %v, want %v", got, want)
	}
	read := e.Registry.BlobBytes.Load()
	deliver(t, e, "Sweeper", "scheduled-sweep.json")
	if e.Registry.BlobBytes.Load() != read {
		t.Error("the second sweep read the image's layers again")
	}
	if got := contentsFindings(t, e); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("after the second sweep: %v, want %v (the sweep must not archive the contents of an image in scope)", got, want)
	}
}
