package corpustest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/ecsaudit/ecsaudit/internal/cli"
	it "github.com/ecsaudit/ecsaudit/internal/testenv/imagetest"
)

// imageUsers are the USER of public images the corpus's containers run without a user of their own, as those
// images' configs record it (facts about the images; the tests cannot pull them). The images built from this table
// hold only that config and one layer: enough for task.root-user, which reads the USER.
var imageUsers = map[string]string{
	"busybox:latest": "", "busybox": "", "127.0.0.1:51670/busybox:latest": "", "127.0.0.1:51671/busybox:latest": "",
	"arm64v8/busybox": "", "nginx:latest": "", "nginx": "", "public.ecr.aws/nginx/nginx:latest": "",
	"public.ecr.aws/docker/library/nginx:latest": "", "httpd": "", "httpd:2.4": "",
	"public.ecr.aws/docker/library/httpd:latest": "", "127.0.0.1:51670/ubuntu:latest": "", "alpine:3.4": "",
	"amazonlinux:latest": "", "mysql": "", "wordpress": "", "tomcat": "", "consul": "", "datadog/agent:latest": "",
	"public.ecr.aws/datadog/agent:latest": "", "jboss/wildfly": "jboss", "docker.elastic.co/kibana/kibana:6.0.0": "kibana",
}

// rootUserCounts scans the corpus's task definitions, with the given extra inputs, and counts task.root-user's
// verdicts: PASSED, FAILED because the image is known to run as root, FAILED with the user unknown, FAILED by the
// task definition's own user.
func rootUserCounts(t *testing.T, extra ...string) map[string]int {
	t.Helper()
	var out, errb bytes.Buffer
	args := append([]string{"scan", "--format", "json", "--now", now, filepath.Join(corpusDir, "taskdefs")}, extra...)
	cli.Run(args, cli.IO{Stdout: &out, Stderr: &errb})
	var rep struct {
		Findings []struct{ RuleID, Status, Detail string }
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("scan: %v\n%s", err, errb.String())
	}
	n := map[string]int{}
	for _, f := range rep.Findings {
		if f.RuleID != "task.root-user" {
			continue
		}
		switch {
		case f.Status != "FAILED":
			n[f.Status]++
		case strings.Contains(f.Detail, "does not guarantee it"):
			n["FAILED, image not read"]++
		case strings.Contains(f.Detail, "(read from "):
			n["FAILED, image runs as root"]++
		default:
			n["FAILED, task definition's user"]++
		}
	}
	return n
}

// TestRootUserWithCorpusImages measures task.root-user on the corpus before and after the images of imageUsers are
// given beside it, as docker save archives: the figures docs/performance.md quotes.
func TestRootUserWithCorpusImages(t *testing.T) {
	requireCorpus(t)
	before := rootUserCounts(t)
	dir := t.TempDir()
	i := 0
	for ref, user := range imageUsers {
		f := it.Files{}
		d, cfg := f.Add(t, it.Image{Config: v1.Config{User: user}, Layers: []it.Layer{{Entries: []it.Entry{it.File("etc/os-release", 0o644, "ID=test\n")}}}})
		f.Layout(t, d)
		f["manifest.json"], _ = json.Marshal([]it.DockerManifest{{Config: "blobs/sha256/" + cfg.Hex, RepoTags: []string{ref}}})
		if err := os.Rename(f.WriteTar(t), filepath.Join(dir, fmt.Sprintf("image%02d.tar", i))); err != nil {
			t.Fatal(err)
		}
		i++
	}
	after := rootUserCounts(t, dir)
	t.Logf("task.root-user on the corpus, %d images given: before %v; after %v", len(imageUsers), before, after)
	total := func(m map[string]int) int {
		s := 0
		for _, v := range m {
			s += v
		}
		return s
	}
	if total(before) != total(after) || total(before) == 0 {
		t.Errorf("the images changed the number of verdicts: %d before, %d after", total(before), total(after))
	}
	failed := func(m map[string]int) int {
		return m["FAILED, image not read"] + m["FAILED, image runs as root"] + m["FAILED, task definition's user"]
	}
	if failed(after) > failed(before) || after["FAILED, image not read"] >= before["FAILED, image not read"] {
		t.Errorf("before %v, after %v", before, after)
	}
	if after["PASSED"] <= before["PASSED"] {
		t.Errorf("no container passed by its image's USER: before %v, after %v", before, after)
	}
}
