package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/report"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// output is one report to write: a format and where (an empty path is standard output).
type output struct {
	format string
	writer report.Writer
	path   string
}

// pairOutputs pairs the --format and --output flags in the order given: the n-th --output receives the n-th
// --format; a format without an --output goes to standard output, and at most one may. No --format is text.
func pairOutputs(formats, outputs []string, account, region string) ([]output, error) {
	if len(formats) == 0 {
		formats = []string{"text"}
	}
	if len(outputs) > len(formats) {
		if len(formats) != 1 {
			return nil, fmt.Errorf("--output: %d files for %d formats: give one --format per --output", len(outputs), len(formats))
		}
		for len(formats) < len(outputs) {
			formats = append(formats, formats[0]) // one format, several files: each gets it
		}
	}
	var outs []output
	toStdout := 0
	for i, f := range formats {
		w, ok := report.Writers[f]
		if !ok {
			return nil, fmt.Errorf("--format: unknown format %q (want one of %s)", f, strings.Join(report.Formats(), ", "))
		}
		if _, ok := w.(report.ASFF); ok {
			w = report.ASFF{Account: account, Region: region}
		}
		o := output{format: f, writer: w}
		if i < len(outputs) {
			if outputs[i] == "" || outputs[i] == "-" {
				toStdout++
			} else {
				o.path = outputs[i]
			}
		} else {
			toStdout++
		}
		outs = append(outs, o)
	}
	if toStdout > 1 {
		return nil, errors.New("--format: more than one format would go to standard output: give each but one an --output FILE")
	}
	return outs, nil
}

// write writes rep in every output; colour only for text on a terminal.
func writeOutputs(outs []output, rep *report.Report, stdout io.Writer, color bool) error {
	for _, o := range outs {
		r := *rep
		r.Color = color && o.path == "" && o.format == "text"
		if o.path == "" {
			if err := o.writer.Write(stdout, &r); err != nil {
				return fmt.Errorf("write %s report: %w", o.format, err)
			}
			continue
		}
		f, err := os.Create(o.path)
		if err != nil {
			return fmt.Errorf("--output: %w", err)
		}
		err = o.writer.Write(f, &r)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("write %s report to %s: %w", o.format, o.path, err)
		}
	}
	return nil
}

// parseFailOn reads --fail-on: a severity, or NONE (findings never make the exit status 1). NONE is the zero
// severity.
func parseFailOn(v string) (rule.Severity, error) {
	if strings.EqualFold(v, "NONE") {
		return "", nil
	}
	return rule.ParseSeverity(v)
}

// baselineFile is what --create-baseline writes and --baseline reads: the stable IDs of the FAILED findings a team
// accepted when it adopted ecsaudit. Only findings absent from it fail a later scan.
type baselineFile struct {
	Tool     string   `json:"tool"`
	Version  int      `json:"version"`
	Findings []string `json:"findings"`
}

const baselineVersion = 1

func readBaseline(path string) (map[string]bool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--baseline: %v", unwrapPathErr(err))
	}
	var b baselineFile
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("--baseline: %s: not valid JSON: %w", path, err)
	}
	if b.Tool != "ecsaudit" || b.Version != baselineVersion {
		return nil, fmt.Errorf("--baseline: %s is not an ecsaudit baseline of version %d (tool %q, version %d): write one with --create-baseline", path, baselineVersion, b.Tool, b.Version)
	}
	ids := make(map[string]bool, len(b.Findings))
	for _, id := range b.Findings {
		ids[id] = true
	}
	return ids, nil
}

// writeBaseline writes the IDs of the FAILED findings to path and returns them.
func writeBaseline(path string, fs []engine.Finding) (map[string]bool, error) {
	ids := map[string]bool{}
	b := baselineFile{Tool: "ecsaudit", Version: baselineVersion, Findings: []string{}}
	for _, f := range fs {
		if id := f.ID(); f.Status == rule.Failed && !ids[id] {
			ids[id] = true
			b.Findings = append(b.Findings, id)
		}
	}
	slices.Sort(b.Findings)
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return nil, fmt.Errorf("--create-baseline: %v", unwrapPathErr(err))
	}
	return ids, nil
}

// applyBaseline waives the FAILED findings the baseline holds: they are reported as suppressed by the baseline, and
// neither fail the scan nor open a code-scanning alert.
func applyBaseline(fs []engine.Finding, ids map[string]bool, path string) {
	for i := range fs {
		f := &fs[i]
		if f.Status == rule.Failed && ids[f.ID()] {
			f.Status = rule.Suppressed
			f.Suppression = &engine.Suppression{Reason: "in the baseline " + path, By: "baseline " + path}
		}
	}
}
