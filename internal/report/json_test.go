package report

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// wholeJSON is the JSON report written as one value by encoding/json: what JSON writes one finding at a time.
func wholeJSON(t *testing.T, r *Report) []byte {
	t.Helper()
	shown := r.Shown()
	views := []engine.FindingView{}
	for i := range shown {
		views = append(views, shown[i].View())
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(struct {
		Findings []engine.FindingView `json:"findings"`
		Summary  Summary              `json:"summary"`
	}{views, r.Summarize()}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestJSONWritesWhatOneEncodeWould(t *testing.T) {
	rep := scanFiles(t, nil, "testdata/privileged_sidecar.json", "testdata/privileged_recorded.json")
	if len(rep.Findings) < 2 {
		t.Fatalf("fixture: %d findings", len(rep.Findings))
	}
	// Text that encoding/json would escape by default, and a suppressed finding with its nested object.
	rep.Findings[0].Status, rep.Findings[0].Detail = rule.Failed, `<family> & "quotes" \ é 🐛`
	s := &rep.Findings[1]
	s.Status, s.Suppression = rule.Suppressed, &engine.Suppression{Reason: "r <x>", By: "b", Until: "2026-12-31"}
	for _, onlyFailed := range []bool{false, true} {
		rep.OnlyFailed = onlyFailed
		var got bytes.Buffer
		if err := (JSON{}).Write(&got, rep); err != nil {
			t.Fatal(err)
		}
		if want := wholeJSON(t, rep); !bytes.Equal(got.Bytes(), want) {
			t.Errorf("only failed %v: output differs from one encode\n got %.600s\nwant %.600s", onlyFailed, got.Bytes(), want)
		}
		if !strings.Contains(got.String(), "<family> & ") {
			t.Errorf("only failed %v: <, > or & escaped", onlyFailed)
		}
	}
	empty := &Report{Findings: nil, Now: testNow}
	var got bytes.Buffer
	if err := (JSON{}).Write(&got, empty); err != nil {
		t.Fatal(err)
	}
	if want := wholeJSON(t, empty); !bytes.Equal(got.Bytes(), want) || !strings.Contains(got.String(), `"findings": [],`) {
		t.Errorf("empty report\n got %s\nwant %s", got.Bytes(), want)
	}
}

// TestSARIFWritesWhatOneEncodeWould holds the SARIF writer, which writes results one at a time, to one encode of
// the whole log.
func TestSARIFWritesWhatOneEncodeWould(t *testing.T) {
	rep := scanFiles(t, nil, "testdata/privileged_sidecar.json", "testdata/privileged_recorded.json", "testdata/mutable_repositories.json")
	s := &rep.Findings[1]
	s.Status, s.Suppression = rule.Suppressed, &engine.Suppression{Reason: "r <x>", By: "b", Until: "2026-12-31"}
	empty := &Report{Now: testNow, Catalog: rep.Catalog}
	for _, r := range []*Report{rep, empty} {
		var whole bytes.Buffer
		enc := json.NewEncoder(&whole)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		cwd, _ := os.Getwd()
		if err := enc.Encode(buildSARIF(r, cwd)); err != nil {
			t.Fatal(err)
		}
		got := writeSARIF(t, r)
		if !bytes.Equal(got, whole.Bytes()) {
			t.Errorf("%d findings: output differs from one encode\n got %.800s\nwant %.800s", len(r.Findings), got, whole.Bytes())
		}
	}
	if n := len(decode(t, writeSARIF(t, rep)).Runs[0].Results); n < 3 {
		t.Errorf("fixture: %d results", n)
	}
}
