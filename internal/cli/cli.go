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
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/ecsaudit/ecsaudit/internal/catalog"
	"github.com/ecsaudit/ecsaudit/internal/config"
	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/iac"
	"github.com/ecsaudit/ecsaudit/internal/imagefile"
	"github.com/ecsaudit/ecsaudit/internal/load"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/report"
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
	// Stdin is read for the path "-" (nil: no standard input to read).
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Terminal says whether Stdout is a terminal (colour only then).
	Terminal bool
}

const usage = `ecsaudit audits Amazon ECS task definitions and ECR repositories against runtime-security rules.

Usage:
  ecsaudit scan [flags] PATH...   scan AWS JSON files ("-": standard input), CloudFormation/SAM templates, CDK output, Terraform
                                  plans, image files (docker save, OCI layout) or directories (searched
                                  recursively for the files recognised by content)
  ecsaudit sweep --region REGION [flags]
                                  audit a live account with the default AWS credentials
  ecsaudit rules [--format text|markdown|json] [RULE-ID...]
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
	var formats, outputs stringList
	fl.Var(&formats, "format", "output format: "+strings.Join(report.Formats(), ", ")+" (default text); repeatable, the n-th paired with the n-th --output")
	fl.Var(&outputs, "output", "write the report to `FILE` instead of standard output; repeatable, paired with --format in order")
	failOn := fl.String("fail-on", "LOW", "exit 1 when a FAILED finding is at or above this severity (INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL), or NONE: never for findings")
	softFail := fl.Bool("soft-fail", false, "report the findings but exit 0 for them (an unreadable input still exits 2)")
	baselinePath := fl.String("baseline", "", "baseline `FILE` (from --create-baseline): its findings are reported as waived and fail nothing")
	createBaseline := fl.String("create-baseline", "", "write the FAILED findings' IDs to `FILE` as the baseline, and report them waived by it")
	quiet := fl.Bool("quiet", false, "show only FAILED findings and print nothing on standard error but errors")
	configPath := fl.String("config", "", "configuration file (YAML or JSON): rule overrides, settings, suppressions, skipDirs, skipFiles\n(default: "+strings.Join(ConfigNames, ", ")+" in the directory argument, or a file argument's directory)")
	verbose := fl.Bool("verbose", false, "list the configuration read and every file and directory skipped, with why")
	var skipDirs, skipFiles globList
	fl.Var(&skipDirs, "skip-dirs", "glob of directories not to search (relative to the directory argument, or a base name); repeatable, comma-separated")
	fl.Var(&skipFiles, "skip-files", "glob of files not to read while searching directories; repeatable, comma-separated")
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
	paths, code, ok := parseInterspersed(fl, args)
	if !ok {
		return code
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(io.Stderr, "ecsaudit: "+format+"\n", a...)
		return ExitError
	}
	outs, err := pairOutputs(formats, outputs, *account, *region)
	if err != nil {
		return bad("%v", err)
	}
	threshold, err := parseFailOn(*failOn)
	if err != nil {
		return bad("--fail-on: %v", err)
	}
	if *baselinePath != "" && *createBaseline != "" {
		return bad("--baseline and --create-baseline: give one")
	}
	var baseline map[string]bool
	if *baselinePath != "" {
		if baseline, err = readBaseline(*baselinePath); err != nil {
			return bad("%v", err)
		}
	}
	if *quiet {
		*verbose, *onlyFailed = false, true
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
	cfgPath := *configPath
	if cfgPath == "" {
		if cfgPath, err = discoverConfig(paths); err != nil {
			return bad("%v", err)
		}
	}
	var cf *configFile
	if cfgPath != "" {
		if cf, err = readConfig(cfgPath); err != nil {
			return bad("%v", err)
		}
		known := map[string]bool{}
		for _, m := range cat.Metas() {
			known[m.ID] = true
		}
		if cfg, err = config.Parse(cfgPath, cf.json, func(id string) bool { return known[id] }); err != nil {
			return bad("%v", err)
		}
		if *verbose {
			fmt.Fprintf(io.Stderr, "ecsaudit: configuration %s\n", cfgPath)
		}
	}
	wk := &walker{skipDirs: skipDirs, skipFiles: skipFiles, verbose: *verbose, stderr: io.Stderr}
	if cf != nil {
		wk.skipDirs = append(wk.skipDirs, relGlobs(cfgPath, paths, cf.skipDirs)...)
		wk.skipFiles = append(wk.skipFiles, relGlobs(cfgPath, paths, cf.skipFiles)...)
	}

	set := load.NewSet(load.Options{Account: *account, Region: *region})
	sources := map[string][]byte{}
	failed := &inputErrors{stderr: io.Stderr}
	wk.failed = failed
	images := &imageInputs{maxBytes: *maxImage, settings: cfg.Settings}
	var fromCode []*iac.Resource
	for _, in := range wk.inputs(paths) {
		path := in.path
		if st, err := os.Stat(path); err == nil && isImageInput(path, st.IsDir()) {
			if err := images.readImage(path); err != nil {
				failed.add(path, err.Error())
			}
			continue
		}
		data, err := readInput(io.Stdin, path, *maxSize)
		if err == nil && images.addInspect(path, data) {
			sources[path] = data
			continue
		}
		if err == nil && in.walked {
			if ok, why := recognised(data); !ok {
				wk.skipped(path, why)
				continue
			}
		}
		if err == nil {
			var rs []*iac.Resource
			var isCode bool
			if rs, isCode, err = safeReadCode(set, iac.Options{Account: *account, Region: *region}, path, data); isCode && err == nil {
				fromCode = append(fromCode, rs...)
				for _, r := range rs {
					set.Append(r.Base)
				}
				sources[path] = data
				continue
			}
			switch {
			case !isCode && iac.IsOtherYAML(data):
				err = fmt.Errorf("%s: a YAML document that is not a CloudFormation template (no Resources of AWS:: types) nor any input ecsaudit reads", path)
			case !isCode:
				err = safeAdd(set, path, data)
			}
		}
		var fe *load.FileError
		if errors.As(err, &fe) && len(fe.Fields) > 0 {
			// Known fields with refused values: reported, and the rest of the file is still scanned.
			failed.add(path, err.Error())
			sources[path] = data
			continue
		}
		if err != nil {
			failed.add(path, err.Error())
			continue
		}
		sources[path] = data
	}
	set.Link()
	// Services given beside task definitions (describe-services output) are their running context (docs/cli.md);
	// without them, none is known. A template's or plan's services are not: what they will run is not read from the
	// file (a TaskDefinition given by Ref), so they neither raise nor lower anything.
	model.LinkRunning(set.Tasks, described(set.Described, fromCode))
	eng := engine.New(cat, cfg)
	imgs := images.link(set.Tasks)
	rs := append(set.Resources(), imgs...)
	findings := evaluate(eng, rs, fromCode, now)
	unjudged(findings, set)
	findings = reported(findings, cfg)
	if *createBaseline != "" {
		*baselinePath = *createBaseline
		if baseline, err = writeBaseline(*createBaseline, findings); err != nil {
			return bad("%v", err)
		}
	}
	applyBaseline(findings, baseline, *baselinePath)
	rep := &report.Report{
		Findings:    findings,
		Resources:   len(rs),
		Catalog:     cat,
		Sources:     sources,
		Now:         now,
		Version:     version.String(),
		OnlyFailed:  *onlyFailed,
		InputErrors: failed.list,
	}
	if err := writeOutputs(outs, rep, io.Stdout, io.Terminal && os.Getenv("NO_COLOR") == ""); err != nil {
		return bad("%v", err)
	}
	if len(failed.list) > 0 {
		fmt.Fprintf(io.Stderr, "ecsaudit: %d input(s) could not be read; the others were scanned\n", len(failed.list))
		return ExitError
	}
	if *softFail || threshold == "" {
		return ExitOK
	}
	if max := report.MaxFailedSeverity(alerting(rep.Findings, cfg)); max != "" && max.AtLeast(threshold) {
		return ExitFindings
	}
	return ExitOK
}

// described returns the resources read from AWS CLI describe outputs: those of rs not read from infrastructure code.
func described(rs []model.Resource, fromCode []*iac.Resource) []model.Resource {
	code := make(map[model.Resource]bool, len(fromCode))
	for _, r := range fromCode {
		code[r.Base] = true
	}
	var out []model.Resource
	for _, r := range rs {
		if !code[r] {
			out = append(out, r)
		}
	}
	return out
}

// reported returns the findings whose rule's profile is reported under cfg (reportProfiles); all of them by default.
func reported(fs []engine.Finding, cfg *config.Config) []engine.Finding {
	if cfg.ReportProfiles == nil {
		return fs
	}
	out := fs[:0:0]
	for _, f := range fs {
		if cfg.Reports(f.Rule.Profile) {
			out = append(out, f)
		}
	}
	return out
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

// evaluate judges the resources in order: those read from infrastructure code through iac.Judge (their open values
// judged on variants), the others through the engine. Every resource is scoped by the file it was read from.
func evaluate(eng *engine.Engine, rs []model.Resource, fromCode []*iac.Resource, now time.Time) []engine.Finding {
	code := make(map[model.Resource]*iac.Resource, len(fromCode))
	for _, r := range fromCode {
		code[r.Base] = r
	}
	var out []engine.Finding
	var batch []model.Resource
	for _, r := range rs {
		if ref := r.Ident(); ref.Scope == "" {
			ref.Scope = scopeOf(ref.Source)
		}
		c, ok := code[r]
		if !ok {
			batch = append(batch, r)
			continue
		}
		out = append(out, eng.Evaluate(batch, now)...)
		batch = batch[:0]
		out = append(out, iac.Judge(eng, []*iac.Resource{c}, now)...)
	}
	return append(out, eng.Evaluate(batch, now)...)
}

// scopeOf names the file a resource was read from in its finding identities: relative to the working directory when
// it lies below it (so a scan of a checkout gives the same identities wherever the checkout is), slash-separated.
func scopeOf(source string) string {
	if source == "" {
		return ""
	}
	if filepath.IsAbs(source) {
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, source); err == nil && within(wd, source) {
				source = rel
			}
		}
	}
	return filepath.ToSlash(filepath.Clean(source))
}

// safeReadCode reads one file as infrastructure code (a CloudFormation template, a Terraform plan); isCode is false
// for any other file. A bug in the reader is reported against that file instead of ending the scan.
func safeReadCode(set *load.Set, opts iac.Options, path string, data []byte) (rs []*iac.Resource, isCode bool, err error) {
	if f, _ := iac.Detect(data); f == iac.None {
		return nil, false, nil
	}
	defer func() {
		if p := recover(); p != nil {
			// A template or plan after all: report the failure as its own, not as a file of another kind.
			rs, isCode = nil, true
			err = fmt.Errorf("%s: internal error while reading this file (please report it): %v", path, p)
		}
	}()
	rs, err = iac.Read(set, opts, path, data)
	return rs, true, err
}

// globList is a repeatable flag of comma-separated globs.
type globList []string

func (g *globList) String() string { return strings.Join(*g, ",") }

func (g *globList) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			if _, err := path.Match(p, ""); err != nil {
				return fmt.Errorf("bad glob %q: %v", p, err)
			}
			*g = append(*g, p)
		}
	}
	return nil
}

// relGlobs makes the globs of a configuration file, written relative to its directory, relative to the directory
// argument they will be matched under. Base-name globs (no slash) stay as they are.
func relGlobs(cfgPath string, args []string, globs []string) []string {
	cfgDir := filepath.Dir(cfgPath)
	var out []string
	for _, g := range globs {
		if !strings.Contains(strings.TrimSuffix(g, "/**"), "/") {
			out = append(out, g)
			continue
		}
		for _, a := range args {
			if rel, err := filepath.Rel(a, cfgDir); err == nil && !strings.HasPrefix(rel, "..") {
				// The configuration is in or below the directory searched.
				out = append(out, path.Join(filepath.ToSlash(rel), g))
			} else if rel, err := filepath.Rel(cfgDir, a); err == nil && !strings.HasPrefix(rel, "..") {
				// The directory searched is below the configuration's (--config from a parent).
				if inner, ok := strings.CutPrefix(g, filepath.ToSlash(rel)+"/"); ok {
					out = append(out, inner)
				}
			}
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

// readInput reads an input file, or standard input for the path "-".
func readInput(stdin io.Reader, path string, max int64) ([]byte, error) {
	if path != "-" {
		return readFile(path, max)
	}
	if stdin == nil {
		return nil, errors.New("-: no standard input to read")
	}
	data, err := io.ReadAll(io.LimitReader(stdin, max+1))
	if err != nil {
		return nil, fmt.Errorf("-: read standard input: %w", err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("-: standard input is over --max-file-size %d bytes", max)
	}
	return data, nil
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

// parseInterspersed parses flags that may come before or after the positional arguments (scan dir/ --format json),
// as people type them, and returns the positional ones. When parsing ends the command (a bad flag, or -h), ok is false
// and code is the exit status.
func parseInterspersed(fl *flag.FlagSet, args []string) (positional []string, code int, ok bool) {
	for {
		if err := fl.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, ExitOK, false
			}
			return nil, ExitError, false
		}
		if fl.NArg() == 0 {
			return positional, 0, true
		}
		positional = append(positional, fl.Arg(0))
		args = fl.Args()[1:]
	}
}
