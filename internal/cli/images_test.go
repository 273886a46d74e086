package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	it "github.com/ecsaudit/ecsaudit/internal/testenv/imagetest"
)

// The planted secrets: no output format may hold any of them.
var planted = []string{"PLANTEDpw0123456789", "AKIAPLANTED123456789", "PLANTEDKEYBODY", "PLANTED-npm-token", "PlantedEnvPw"}

// imageDir writes a directory with a task definition, a multi-platform docker save archive (with an attestation
// and secrets planted in the config and the layers), an OCI layout directory and docker image inspect output.
func imageDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	app := it.Image{
		Config: v1.Config{User: "", Env: []string{"PATH=/usr/bin", "DB_PASSWORD=PLANTEDpw0123456789"},
			Labels: map[string]string{"build.note": "AKIAPLANTED123456789"}},
		History: []string{"ADD rootfs.tar /", "RUN |1 NPM_TOKEN=PLANTED-npm-token-01 /bin/sh -c npm ci"},
		Layers: []it.Layer{
			{Gzip: true, Entries: []it.Entry{it.File("bin/sh", 0o755, "elf"), it.File("usr/bin/su", 0o4755, "elf"),
				it.File("app/id_rsa", 0o600, "-----BEGIN OPENSSH PRIVATE KEY-----\nPLANTEDKEYBODY\n-----END OPENSSH PRIVATE KEY-----\n")}},
			{Entries: []it.Entry{it.Whiteout("app/.wh.id_rsa"), it.File("app/.npmrc", 0o600, "//registry.npmjs.org/:_authToken=PLANTED-npm-token-02\n"),
				it.File("app/.env", 0o600, "DB_PASSWORD=PlantedEnvPw\n")}},
		},
	}
	f := it.Files{}
	amd := app
	amd.Platform = &v1.Platform{OS: "linux", Architecture: "amd64"}
	arm := app
	arm.Platform = &v1.Platform{OS: "linux", Architecture: "arm64"}
	arm.Config.User = "1000"
	amdDesc, amdCfg := f.Add(t, amd)
	armDesc, _ := f.Add(t, arm)
	att, _ := f.Add(t, it.Image{Platform: &v1.Platform{OS: "unknown", Architecture: "unknown"}})
	att.Annotations = map[string]string{"vnd.docker.reference.type": "attestation-manifest"}
	idx := f.Index(t, amdDesc, armDesc, att)
	idx.Annotations = map[string]string{"io.containerd.image.name": "registry.example.com/team/app:1.2"}
	f.Layout(t, idx)
	f["manifest.json"], _ = json.Marshal([]it.DockerManifest{{Config: "blobs/sha256/" + amdCfg.Hex, RepoTags: []string{"registry.example.com/team/app:1.2"}}})
	mustRename(t, f.WriteTar(t), filepath.Join(dir, "app.tar"))

	g := it.Files{}
	d, _ := g.Add(t, it.Image{Config: v1.Config{User: "65532"}, Layers: []it.Layer{{Entries: []it.Entry{it.File("app/server", 0o755, "elf")}}}})
	d.Annotations = map[string]string{"io.containerd.image.name": "registry.example.com/team/worker:3"}
	layout := g.Layout(t, d).WriteDir(t)
	mustRename(t, layout, filepath.Join(dir, "worker-layout"))

	write(t, filepath.Join(dir, "inspect.json"), `[{"Id":"sha256:ee","RepoTags":["nginx:1.27"],"RepoDigests":[],"Config":{"User":"101"}}]`)
	write(t, filepath.Join(dir, "td.json"), `{"family":"web","containerDefinitions":[
		{"name":"app","image":"registry.example.com/team/app:1.2","essential":true},
		{"name":"worker","image":"registry.example.com/team/worker:3"},
		{"name":"proxy","image":"nginx:1.27"},
		{"name":"other","image":"busybox:1"}]}`)
	return dir
}

func mustRename(t *testing.T, from, to string) {
	t.Helper()
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestScanImageFiles(t *testing.T) {
	dir := imageDir(t)
	r := run(t, "scan", "--format", "json", dir)
	if r.code != ExitFindings || r.stderr != "" {
		t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
	}
	var out struct{ Findings []engine.FindingView }
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range out.Findings {
		key := f.RuleID + " " + f.Platform + " " + f.Container
		if strings.HasPrefix(f.RuleID, "image.") && f.Platform == "" {
			t.Errorf("%s on %s: no platform", f.RuleID, f.ResourceID)
		}
		if !strings.HasPrefix(f.RuleID, "image.") && strings.Contains(r.stdout, `"platform"`) && f.Platform != "" {
			t.Errorf("%s: a task definition finding with a platform", f.RuleID)
		}
		if !strings.Contains(f.ResourceID, "worker") {
			got[key] = string(f.Status) + " " + f.Detail
		}
	}
	want := map[string]string{
		"image.runs-as-root linux/amd64 ":      "FAILED the image config sets no USER",
		"image.runs-as-root linux/arm64 ":      `PASSED the image config's USER is "1000"`,
		"image.secrets-in-config linux/amd64 ": `FAILED the image config holds 3 credential(s): env "DB_PASSWORD"`,
		"image.secrets-in-layers linux/arm64 ": "FAILED the image's layers hold 3 credential file(s): /app/id_rsa in layer 0 (a private key; deleted",
		"image.setuid-files linux/amd64 ":      "FAILED the final filesystem has 1 setuid or setgid file(s): /usr/bin/su (4755)",
		"image.shell-present linux/amd64 ":     "FAILED the final filesystem has 1 shell(s) or network tool(s): /bin/sh",
		"image.untrusted-base linux/amd64 ":    "PASSED no curated base images are configured",
		"task.root-user  app":                  `FAILED container "app" sets no user, and its image (read from ` + filepath.Join(dir, "app.tar") + `) sets no USER either`,
		"task.root-user  worker":               `PASSED container "worker" sets no user, so it runs as its image's USER "65532"`,
		"task.root-user  proxy":                `PASSED container "proxy" sets no user, so it runs as its image's USER "101"`,
		"task.root-user  other":                `FAILED container "other" sets no user, so it runs as the image's USER: that may be non-root`,
	}
	for k, w := range want {
		if !strings.HasPrefix(got[k], w) {
			t.Errorf("%s:\n got %q\nwant %q", k, got[k], w)
		}
	}
	// One image per platform of the archive (the attestation skipped) and the layout: 3 images, 6 rules each.
	n := 0
	for _, f := range out.Findings {
		if strings.HasPrefix(f.RuleID, "image.") {
			n++
		}
	}
	if n != 18 {
		t.Errorf("%d image-contents findings, want 18", n)
	}
	for _, format := range []string{"text", "json", "sarif", "asff"} {
		r := run(t, "scan", "--format", format, "--account", "111122223333", "--region", "us-east-1", dir)
		if r.code != ExitFindings {
			t.Errorf("%s: exit %d: %s", format, r.code, r.stderr)
		}
		for _, p := range planted {
			if strings.Contains(r.stdout+r.stderr, p) {
				t.Errorf("%s output holds the planted secret %q", format, p)
			}
		}
		if format != "sarif" && !strings.Contains(r.stdout, "linux/arm64") {
			t.Errorf("%s output does not name the platform", format)
		}
		if format == "asff" && (!strings.Contains(r.stdout, `"ecsaudit/Platform": "linux/amd64"`) || !strings.Contains(r.stdout, `"AwsEcrContainerImage"`)) {
			t.Errorf("asff: no platform product field or image details:\n%.2000s", r.stdout)
		}
	}
}

func TestScanImageOverBudget(t *testing.T) {
	dir := imageDir(t)
	r := run(t, "scan", "--format", "json", "--max-image-bytes", "1024", filepath.Join(dir, "app.tar"))
	if r.code != ExitFindings {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var out struct{ Findings []engine.FindingView }
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	for _, f := range out.Findings {
		switch f.RuleID {
		case "image.setuid-files", "image.shell-present", "image.secrets-in-layers":
			if f.Status != "NOT_AVAILABLE" || !strings.Contains(f.Detail, "byte budget of 1024 bytes") {
				t.Errorf("%s %s: %s %s", f.RuleID, f.Platform, f.Status, f.Detail)
			}
		}
	}
	if r := run(t, "scan", "--max-image-bytes", "0", dir); r.code != ExitError || !strings.Contains(r.stderr, "--max-image-bytes") {
		t.Errorf("--max-image-bytes 0: exit %d, %s", r.code, r.stderr)
	}
}

func TestScanBrokenImageFile(t *testing.T) {
	dir := t.TempDir()
	f := it.Files{"index.json": []byte(`{"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:` +
		strings.Repeat("a", 64) + `"}]}`)}
	mustRename(t, f.WriteTar(t), filepath.Join(dir, "broken.tar"))
	write(t, filepath.Join(dir, "td.json"), `{"family":"f","containerDefinitions":[{"name":"a","image":"x","user":"1000"}]}`)
	r := run(t, "scan", dir)
	if r.code != ExitError || !strings.Contains(r.stderr, "broken.tar: manifest sha256:aaaa") || !strings.Contains(r.stdout, "task.") {
		t.Errorf("exit %d\nstderr %s\nstdout %.300s", r.code, r.stderr, r.stdout)
	}
}
