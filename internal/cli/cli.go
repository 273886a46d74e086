// Package cli is the ecsaudit command line: flags in, files loaded, rules run, a report out, an exit status back.
package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ecsaudit/ecsaudit/internal/catalog"
	"github.com/ecsaudit/ecsaudit/internal/config"
	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/imagefile"
	"github.com/ecsaudit/ecsaudit/internal/load"
	"github.com/ecsaudit/ecsaudit/internal/report"
	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/version"
)

// Exit statuses.
const (
	ExitOK       = 0
	ExitFindings = 1
	ExitError    = 2
)

// IO is what a run reads and writes.
type IO struct {
	Stdout, Stderr io.Writer
	// Terminal says whether Stdout is a terminal (colour only then).
	Terminal bool
}

const usage = `ecsaudit audits Amazon ECS task definitions and ECR repositories against runtime-security rules.

Usage:
  ecsaudit scan [flags] PATH...   scan JSON files, image files (docker save, OCI layout) or directories
                                  (searched recursively for *.json, *.tar and OCI layouts)
  ecsaudit sweep --region REGION [flags]
                                  audit a live account with the default AWS credentials
  ecsaudit rules [--format text|markdown]
                                  print the rule catalog
  ecsaudit version                print the version

Run "ecsaudit scan -h" or "ecsaudit sweep -h" for their flags.
`

// Run runs the command line and returns the exit status.
func Run(args []string, io IO) int {
	if len(args) == 0 {
		fmt.Fprint(io.Stderr, usage)
		return ExitError
	}
	switch args[0] {
	case "scan":
		return scan(args[1:], io)
	case "rules":
		return rules(args[1:], io)
	case "sweep":
		return sweepCmd(args[1:], io)
	case "version", "--version":
		fmt.Fprintln(io.Stdout, "ecsaudit", version.String())
		return ExitOK
	case "help", "-h", "--help":
		fmt.Fprint(io.Stdout, usage)
		return ExitOK
	}
	fmt.Fprintf(io.Stderr, "ecsaudit: unknown command %q\n\n%s", args[0], usage)
	return ExitError
}

// defaultMaxFileSize fits a describe-images output of 100,000 images (about 1 KB each) with room to spare.
const defaultMaxFileSize = 512 << 20

func scan(args []string, io IO) int {
	fl := flag.NewFlagSet("scan", flag.ContinueOnError)
	fl.SetOutput(io.Stderr)
	format := fl.String("format", "text", "output format: "+strings.Join(report.Formats(), ", "))
	failOn := fl.String("fail-on", "LOW", "exit 1 when a FAILED finding is at or above this severity (INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL)")
	configPath := fl.String("config", "", "configuration file (JSON): rule overrides, settings, suppressions")
	onlyFailed := fl.Bool("only-failed", false, "show only FAILED findings")
	account := fl.String("account", "", "AWS account ID for inputs that carry no ARN")
	region := fl.String("region", "", "AWS region for inputs that carry no ARN")
	nowFlag := fl.String("now", "", "evaluation time, RFC 3339 or YYYY-MM-DD (default: the current time)")
	maxSize := fl.Int64("max-file-size", defaultMaxFileSize, "largest input file to read, in bytes")
	maxImage := fl.Int64("max-image-bytes", imagefile.DefaultMaxBytes, "uncompressed layer bytes to read per image; an image over it is audited in part")
	fl.Usage = func() {
		fmt.Fprintln(io.Stderr, "Usage: ecsaudit scan [flags] PATH...")
		fl.PrintDefaults()
	}
	// Flags may follow the paths (scan dir/ --format json), as people type them.
	var paths []string
	for {
		if err := fl.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return ExitOK
			}
			return ExitError
		}
		if fl.NArg() == 0 {
			break
		}
		paths = append(paths, fl.Arg(0))
		args = fl.Args()[1:]
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(io.Stderr, "ecsaudit: "+format+"\n", a...)
		return ExitError
	}
	w, ok := report.Writers[*format]
	if !ok {
		return bad("--format: unknown format %q (want one of %s)", *format, strings.Join(report.Formats(), ", "))
	}
	if _, ok := w.(report.ASFF); ok {
		w = report.ASFF{Account: *account, Region: *region}
	}
	threshold, err := rule.ParseSeverity(*failOn)
	if err != nil {
		return bad("--fail-on: %v", err)
	}
	now := time.Now().UTC()
	if *nowFlag != "" {
		if now, err = parseNow(*nowFlag); err != nil {
			return bad("--now: %v", err)
		}
	}
	if *maxSize <= 0 {
		return bad("--max-file-size: must be positive, got %d", *maxSize)
	}
	if *maxImage <= 0 {
		return bad("--max-image-bytes: must be positive, got %d", *maxImage)
	}
	if len(paths) == 0 {
		return bad("scan: give at least one file or directory")
	}
	cat := catalog.Default()
	cfg := config.Default()
	if *configPath != "" {
		data, err := os.ReadFile(*configPath)
		if err != nil {
			return bad("--config: %v", err)
		}
		known := map[string]bool{}
		for _, m := range cat.Metas() {
			known[m.ID] = true
		}
		if cfg, err = config.Parse(*configPath, data, func(id string) bool { return known[id] }); err != nil {
			return bad("%v", err)
		}
	}

	set := load.NewSet(load.Options{Account: *account, Region: *region})
	sources := map[string][]byte{}
	failedInputs := 0
	images := &imageInputs{maxBytes: *maxImage, settings: cfg.Settings}
	for _, path := range inputs(paths, io.Stderr, &failedInputs) {
		if st, err := os.Stat(path); err == nil && isImageInput(path, st.IsDir()) {
			if err := images.readImage(path); err != nil {
				fmt.Fprintf(io.Stderr, "ecsaudit: %v\n", err)
				failedInputs++
			}
			continue
		}
		data, err := readFile(path, *maxSize)
		if err == nil && images.addInspect(path, data) {
			sources[path] = data
			continue
		}
		if err == nil {
			err = safeAdd(set, path, data)
		}
		if err != nil {
			fmt.Fprintf(io.Stderr, "ecsaudit: %v\n", err)
			failedInputs++
			continue
		}
		sources[path] = data
	}
	set.Link()
	eng := engine.New(cat, cfg)
	imgs := images.link(set.Tasks)
	rs := append(set.Resources(), imgs...)
	rep := &report.Report{
		Findings:   eng.Evaluate(rs, now),
		Resources:  len(rs),
		Catalog:    cat,
		Sources:    sources,
		Now:        now,
		Version:    version.String(),
		OnlyFailed: *onlyFailed,
		Color:      io.Terminal && os.Getenv("NO_COLOR") == "",
	}
	if err := w.Write(io.Stdout, rep); err != nil {
		return bad("write report: %v", err)
	}
	if failedInputs > 0 {
		fmt.Fprintf(io.Stderr, "ecsaudit: %d input(s) could not be read; the others were scanned\n", failedInputs)
		return ExitError
	}
	if max := report.MaxFailedSeverity(alerting(rep.Findings, cfg)); max != "" && max.AtLeast(threshold) {
		return ExitFindings
	}
	return ExitOK
}

// alerting returns the findings whose rule's profile alerts under cfg (alertProfile); all of them by default.
func alerting(fs []engine.Finding, cfg *config.Config) []engine.Finding {
	if cfg.AlertProfile == "" {
		return fs
	}
	var out []engine.Finding
	for _, f := range fs {
		if cfg.Alerts(f.Rule.Profile) {
			out = append(out, f)
		}
	}
	return out
}

// safeAdd loads one input; a bug in the loader is reported against that file instead of ending the scan.
func safeAdd(set *load.Set, path string, data []byte) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s: internal error while reading this file (please report it): %v", path, p)
		}
	}()
	return set.Add(path, data)
}

func parseNow(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("want RFC 3339 (2026-11-22T10:00:00Z) or YYYY-MM-DD, got %q", s)
}

// inputs expands the arguments into files: a directory yields its *.json files, recursively, in lexical order.
func inputs(args []string, stderr io.Writer, failed *int) []string {
	var out []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			fmt.Fprintf(stderr, "ecsaudit: %s: %v\n", a, unwrapPathErr(err))
			*failed++
			continue
		}
		if !st.IsDir() || isImageInput(a, true) {
			out = append(out, a)
			continue
		}
		var found []string
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				fmt.Fprintf(stderr, "ecsaudit: %s: %v\n", p, unwrapPathErr(err))
				*failed++
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() && p != a && isImageInput(p, true) {
				found = append(found, p) // an OCI layout is one input, not its JSON files
				return fs.SkipDir
			}
			if !d.IsDir() && strings.EqualFold(filepath.Ext(p), ".json") || isImageFile(p, d) {
				found = append(found, p)
			}
			return nil
		})
		if err != nil {
			fmt.Fprintf(stderr, "ecsaudit: %s: %v\n", a, err)
			*failed++
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out
}

func readFile(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, unwrapPathErr(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, unwrapPathErr(err))
	}
	if st.Size() > max {
		return nil, fmt.Errorf("%s: file is %d bytes, over --max-file-size %d", path, st.Size(), max)
	}
	// Room for the whole file and a read that finds its end: one read for most files (io.ReadAll alone starts
	// at 512 bytes and reads again each time it grows).
	var buf bytes.Buffer
	buf.Grow(int(min(st.Size(), max)) + bytes.MinRead)
	_, err = buf.ReadFrom(io.LimitReader(f, max+1))
	data := buf.Bytes()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, unwrapPathErr(err))
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s: file is over --max-file-size %d bytes", path, max)
	}
	return data, nil
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
