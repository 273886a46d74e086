package cli

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// wideTaskDefinition writes a task definition with n containers, each with a few environment variables (one a
// credential) and a port mapping, and returns its path.
func wideTaskDefinition(tb testing.TB, n int) string {
	tb.Helper()
	type kv struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	type port struct {
		ContainerPort int `json:"containerPort"`
	}
	type container struct {
		Name         string `json:"name"`
		Image        string `json:"image"`
		Essential    bool   `json:"essential"`
		Memory       int    `json:"memory"`
		Environment  []kv   `json:"environment"`
		PortMappings []port `json:"portMappings"`
	}
	cs := make([]container, n)
	for i := range cs {
		cs[i] = container{
			Name: "c" + strconv.Itoa(i), Image: "nginx:1." + strconv.Itoa(i%30), Essential: i == 0, Memory: 128,
			Environment:  []kv{{"PORT", "80"}, {"DB_PASSWORD", "x" + strconv.Itoa(i)}},
			PortMappings: []port{{80}},
		}
	}
	data, err := json.Marshal(map[string]any{"family": "wide", "revision": 1, "containerDefinitions": cs})
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "wide.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// BenchmarkWideTaskDefinition measures one scan of a task definition with 10,000 containers in each format: one op
// is a whole `ecsaudit scan` (load, evaluation and report). Every output must grow linearly with the containers and
// findings; docs/performance.md records the figures.
func BenchmarkWideTaskDefinition(b *testing.B) {
	path := wideTaskDefinition(b, 10000)
	for _, format := range []string{"text", "json", "sarif", "asff"} {
		b.Run(format, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				code := Run([]string{"scan", "--format", format, "--account", "111122223333", "--region", "us-east-1", path},
					IO{Stdout: io.Discard, Stderr: io.Discard})
				if code != ExitFindings {
					b.Fatalf("scan --format %s exited %d", format, code)
				}
			}
		})
	}
}
