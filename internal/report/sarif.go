package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// SARIF writes a SARIF 2.1.0 log for code scanning tools: the rule catalog as the driver's rules and one result per
// FAILED or SUPPRESSED finding, located at the offending field of the input file.
type SARIF struct{}

const (
	sarifSchema    = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	informationURI = "https://github.com/ecsaudit/ecsaudit"
	// fingerprintKey names the finding ID among a result's partial fingerprints; GitHub matches results across
	// uploads by these, so a finding keeps its alert when lines move. (primaryLocationLineHash is GitHub's own.)
	fingerprintKey = "ecsauditFindingId/v1"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool     `json:"tool"`
	ColumnKind string        `json:"columnKind"`
	Results    []sarifResult `json:"results"`
	// Invocations says whether the run read every input: code scanning closes the open alerts a log does not
	// repeat, so a log that left inputs unread must say so (executionSuccessful false, one notification per input).
	Invocations []sarifInvocation `json:"invocations"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

// MaxSARIFResults is how many results code scanning accepts in one run; a log with more is trimmed to it (the most
// severe first) and says so in a notification.
const MaxSARIFResults = 25000

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string            `json:"name"`
	Version        string            `json:"version,omitempty"`
	InformationURI string            `json:"informationUri"`
	Rules          []sarifDescriptor `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifDescriptor struct {
	ID                   string             `json:"id"`
	Name                 string             `json:"name"`
	ShortDescription     sarifText          `json:"shortDescription"`
	FullDescription      sarifText          `json:"fullDescription"`
	HelpURI              string             `json:"helpUri,omitempty"`
	Help                 sarifText          `json:"help"`
	DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
	Properties           sarifRuleProps     `json:"properties"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	SecuritySeverity string   `json:"security-severity"`
	Precision        string   `json:"precision"`
	Tags             []string `json:"tags"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations,omitempty"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
	Properties          sarifResultProps   `json:"properties"`
}

type sarifResultProps struct {
	ResourceType string `json:"resourceType"`
	ResourceID   string `json:"resourceId"`
	Container    string `json:"container,omitempty"`
	Severity     string `json:"severity"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification,omitempty"`
}

// Write implements Writer. The log's results are written one at a time, as encoding/json would write the whole
// log, byte for byte: a scan of thousands of files can have tens of thousands of results.
func (SARIF) Write(w io.Writer, r *Report) error {
	cwd, _ := os.Getwd() // only to shorten absolute input paths; without it they stay absolute
	b := newSARIF(r, cwd)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(b.log); err != nil {
		return fmt.Errorf("encode sarif: %w", err)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if len(b.shown) == 0 {
		bw.Write(buf.Bytes())
		return bw.Flush()
	}
	// The log as encoded has "results": [] where its results go: write what comes before, the results at their
	// depth (the fourth level), and what comes after.
	whole := buf.Bytes()
	at := bytes.LastIndex(whole, []byte(`"results": []`))
	if at < 0 {
		return errors.New("encode sarif: no results member in the log")
	}
	head, tail := bytes.Clone(whole[:at]), bytes.Clone(whole[at+len(`"results": []`):])
	bw.Write(head)
	bw.WriteString(`"results": [`)
	enc.SetIndent("        ", "  ")
	for i := range b.shown {
		buf.Reset()
		if err := enc.Encode(b.result(i)); err != nil {
			return fmt.Errorf("encode sarif result %d: %w", i, err)
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n        ")
		bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	}
	bw.WriteString("\n      ]")
	bw.Write(tail)
	return bw.Flush()
}

// sarifBuild is a SARIF log being built: the log without its results, and what its results are made from.
type sarifBuild struct {
	log     *sarifLog
	shown   []engine.Finding
	regions []*sarifRegion
	index   map[string]int
	cwd     string
}

// buildSARIF builds the whole log.
func buildSARIF(r *Report, cwd string) *sarifLog {
	b := newSARIF(r, cwd)
	results := []sarifResult{}
	for i := range b.shown {
		results = append(results, b.result(i))
	}
	b.log.Runs[0].Results = results
	return b.log
}

// newSARIF builds the log's tool and rules, with no results yet.
func newSARIF(r *Report, cwd string) *sarifBuild {
	var metas []*rule.Meta
	if r.Catalog != nil {
		metas = r.Catalog.Metas()
	}
	index := map[string]int{}
	for i, m := range metas {
		index[m.ID] = i
	}
	var shown []engine.Finding
	for _, f := range r.Shown() {
		if f.Status == rule.Failed || f.Status == rule.Suppressed {
			shown = append(shown, f)
		}
	}
	inv := sarifInvocation{ExecutionSuccessful: len(r.InputErrors) == 0}
	for _, e := range r.InputErrors {
		n := sarifNotification{Level: "error", Message: sarifText{Text: inert(e.Message)}}
		if e.Path != "" {
			n.Locations = []sarifLocation{{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: artifactURI(e.Path, cwd)}}}}
		}
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
	}
	if len(shown) > MaxSARIFResults {
		// The most severe are kept: FAILED before SUPPRESSED, then by severity, in report order otherwise.
		slices.SortStableFunc(shown, func(a, b engine.Finding) int {
			if (a.Status == rule.Failed) != (b.Status == rule.Failed) {
				if a.Status == rule.Failed {
					return -1
				}
				return 1
			}
			return b.Severity.Rank() - a.Severity.Rank()
		})
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{Level: "warning",
			Message: sarifText{Text: fmt.Sprintf("%d results, over the %d code scanning accepts in a run: the %d most severe are kept", len(shown), MaxSARIFResults, MaxSARIFResults)}})
		shown = shown[:MaxSARIFResults]
	}
	// A finding whose rule is outside the catalog (a report assembled by hand) still needs a descriptor to index.
	for _, f := range shown {
		if _, ok := index[f.Rule.ID]; !ok {
			index[f.Rule.ID] = len(metas)
			metas = append(metas, f.Rule)
		}
	}
	driver := sarifDriver{Name: "ecsaudit", Version: r.Version, InformationURI: informationURI, Rules: []sarifDescriptor{}}
	for _, m := range metas {
		driver.Rules = append(driver.Rules, descriptor(m))
	}
	return &sarifBuild{
		log: &sarifLog{
			Schema:  sarifSchema,
			Version: "2.1.0",
			Runs: []sarifRun{{Tool: sarifTool{Driver: driver}, ColumnKind: "utf16CodeUnits", Results: []sarifResult{},
				Invocations: []sarifInvocation{inv}}},
		},
		shown: shown, regions: locateFindings(r.Sources, shown), index: index, cwd: cwd,
	}
}

// result builds the result of the i-th finding shown.
func (b *sarifBuild) result(i int) sarifResult {
	f := &b.shown[i]
	idx, ok := b.index[f.Rule.ID]
	if !ok {
		idx = -1 // SARIF's "no descriptor" value
	}
	msg := f.Rule.Title
	if f.Detail != "" {
		msg += ": " + f.Detail
	}
	res := sarifResult{
		RuleID:              f.Rule.ID,
		RuleIndex:           idx,
		Level:               level(f.Severity),
		Message:             sarifText{Text: msg},
		PartialFingerprints: map[string]string{fingerprintKey: f.ID()},
		Properties: sarifResultProps{
			ResourceType: f.Subject.Type, ResourceID: f.Subject.ID, Container: f.Container, Severity: string(f.Severity),
		},
	}
	if f.Subject.Source != "" {
		res.Locations = []sarifLocation{{PhysicalLocation: sarifPhysical{
			ArtifactLocation: sarifArtifact{URI: artifactURI(f.Subject.Source, b.cwd)},
			Region:           b.regions[i],
		}}}
	}
	if f.Status == rule.Suppressed {
		res.Suppressions = []sarifSuppression{{Kind: "external", Justification: justification(f.Suppression)}}
	}
	return res
}

func descriptor(m *rule.Meta) sarifDescriptor {
	help := m.Remediation
	md := m.Remediation
	if len(m.References) > 0 {
		help += "\n\nReferences:\n" + strings.Join(m.References, "\n")
		md += "\n\nReferences:\n"
		for _, ref := range m.References {
			md += "\n- <" + ref + ">"
		}
	}
	helpURI := m.RemediationURL
	if helpURI == "" && len(m.References) > 0 {
		helpURI = m.References[0]
	}
	tags := []string{"security", m.ResourceType}
	if m.Level != "" {
		tags = append(tags, string(m.Level))
	}
	if m.SecurityControlID != "" {
		tags = append(tags, m.SecurityControlID)
	}
	return sarifDescriptor{
		ID:                   m.ID,
		Name:                 ruleName(m.ID),
		ShortDescription:     sarifText{Text: m.Title},
		FullDescription:      sarifText{Text: m.Description},
		HelpURI:              helpURI,
		Help:                 sarifText{Text: help, Markdown: md},
		DefaultConfiguration: sarifConfiguration{Level: level(m.Severity)},
		// Every rule reads declared configuration, so a result is never a guess: precision "very-high".
		Properties: sarifRuleProps{SecuritySeverity: securitySeverity(m.Severity), Precision: "very-high", Tags: tags},
	}
}

// ruleName turns "task.privileged-container" into "TaskPrivilegedContainer": SARIF wants a name that reads as an
// identifier, distinct from the ID.
func ruleName(id string) string {
	var b strings.Builder
	upper := true
	for _, c := range id {
		if c == '.' || c == '-' || c == '_' {
			upper = true
			continue
		}
		if upper && c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		upper = false
		b.WriteRune(c)
	}
	return b.String()
}

// level maps a severity to a SARIF level: CRITICAL and HIGH must be fixed, MEDIUM should be, the rest are notes.
func level(s rule.Severity) string {
	switch s {
	case rule.Critical, rule.High:
		return "error"
	case rule.Medium:
		return "warning"
	}
	return "note"
}

// securitySeverity is the CVSS-like score GitHub uses to rank security results (>= 9 critical, >= 7 high,
// >= 4 medium, else low).
func securitySeverity(s rule.Severity) string {
	switch s {
	case rule.Critical:
		return "9.0"
	case rule.High:
		return "7.0"
	case rule.Medium:
		return "5.0"
	case rule.Low:
		return "3.0"
	}
	return "1.0"
}

func justification(s *engine.Suppression) string {
	if s == nil {
		return ""
	}
	j := s.Reason
	if s.By != "" {
		j += " (" + s.By
		if s.Until != "" {
			j += ", until " + s.Until
		}
		j += ")"
	}
	return j
}

// artifactURI writes an input path as a URI reference: relative to the working directory when it lies below it,
// with forward slashes, so code scanning can match it to a file of the repository.
func artifactURI(path, cwd string) string {
	p := filepath.Clean(path)
	if filepath.IsAbs(p) && cwd != "" {
		if rel, err := filepath.Rel(cwd, p); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			p = rel
		}
	}
	slashed := filepath.ToSlash(p)
	if filepath.IsAbs(p) {
		if !strings.HasPrefix(slashed, "/") {
			slashed = "/" + slashed // a Windows drive path: file:///C:/...
		}
		return (&url.URL{Scheme: "file", Path: slashed}).String()
	}
	return (&url.URL{Path: slashed}).String()
}

// locateFindings finds, for each finding, the line and column of its field in its input file: the resource's
// SourcePath followed by the finding's Path. A field that is absent (a rule failing on a missing "user") falls back
// to its deepest ancestor present, usually the container's object. Each file is read once whatever the number of
// findings in it, so a large describe-images output with many failed images stays linear.
func locateFindings(sources map[string][]byte, fs []engine.Finding) []*sarifRegion {
	out := make([]*sarifRegion, len(fs))
	type wanted struct {
		data  []byte
		root  *pathNode
		leafs map[int]*pathNode // finding index -> its node
	}
	files := map[string]*wanted{}
	for i, f := range fs {
		data, ok := sources[f.Subject.Source]
		if !ok {
			continue
		}
		w := files[f.Subject.Source]
		if w == nil {
			w = &wanted{data: data, root: newPathNode(), leafs: map[int]*pathNode{}}
			files[f.Subject.Source] = w
		}
		n := w.root
		for _, seg := range pathSegments(data, f.Subject.SourcePath, f.Path) {
			n = n.child(seg)
		}
		w.leafs[i] = n
	}
	for _, w := range files {
		start := skipSeparators(w.data, 0)
		w.root.offset = start
		dec := json.NewDecoder(bytes.NewReader(w.data))
		// A file that loaded cannot be malformed; should it be, the offsets found so far still hold.
		_ = walkJSON(dec, w.data, w.root)
		pos := positions(w.data, w.root)
		for i, leaf := range w.leafs {
			n := leaf
			for n.offset < 0 {
				n = n.parent
			}
			p := pos[n.offset]
			if r := fs[i].Subject.Resource; n == w.root && r != nil && r.Ident().Line > 0 {
				// Not located by JSON path (a YAML template): the field's line as its reader finds it, else the
				// resource's own.
				p = [2]int{r.Ident().Line, 1}
				if lineOf := r.Ident().LineOf; lineOf != nil {
					if l := lineOf(fs[i].Path); l > 0 {
						p = [2]int{l, 1}
					}
				}
			}
			out[i] = &sarifRegion{StartLine: p[0], StartColumn: p[1]}
		}
	}
	return out
}

// pathNode is one step of the paths wanted in a file: an object key (lower case, as the loader matches keys in any
// case) or an array index.
type pathNode struct {
	parent   *pathNode
	children map[string]*pathNode
	// offset is where the member starts (its key, or the array element), -1 while not found.
	offset int
}

func newPathNode() *pathNode { return &pathNode{offset: -1} }

func (n *pathNode) child(seg string) *pathNode {
	seg = strings.ToLower(seg)
	if c, ok := n.children[seg]; ok {
		return c
	}
	if n.children == nil {
		n.children = map[string]*pathNode{}
	}
	c := newPathNode()
	c.parent = n
	n.children[seg] = c
	return c
}

// pathSegments joins a resource's path in its file and a finding's path in the resource. A file that is a bare array
// of container definitions is the task's containerDefinitions list itself, so that first step is dropped.
func pathSegments(data []byte, sourcePath, path string) []string {
	var segs []string
	for _, p := range []string{sourcePath, path} {
		for _, s := range strings.Split(p, "/") {
			if s != "" {
				segs = append(segs, s)
			}
		}
	}
	if i := skipSeparators(data, 0); i < len(data) && data[i] == '[' && len(segs) > 0 && strings.EqualFold(segs[0], "containerDefinitions") {
		segs = segs[1:]
	}
	return segs
}

// walkJSON reads the value the decoder is at, recording where each wanted member starts and descending into it.
func walkJSON(dec *json.Decoder, data []byte, n *pathNode) error {
	if len(n.children) == 0 {
		var skip json.RawMessage
		return dec.Decode(&skip)
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return nil // a scalar has no members to find
	}
	for i := 0; dec.More(); i++ {
		start := skipSeparators(data, int(dec.InputOffset()))
		key := ""
		if delim == '{' {
			tok, err := dec.Token()
			if err != nil {
				return err
			}
			key, _ = tok.(string)
			key = strings.ToLower(key)
		} else {
			key = strconv.Itoa(i)
		}
		c, ok := n.children[key]
		if !ok || c.offset >= 0 { // not wanted, or a duplicate key after the first
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return err
			}
			continue
		}
		c.offset = start
		if err := walkJSON(dec, data, c); err != nil {
			return err
		}
	}
	_, err = dec.Token() // the closing delimiter
	return err
}

// skipSeparators moves past white space and the separators the decoder leaves behind (",", ":").
func skipSeparators(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r', ',', ':':
			i++
		default:
			return i
		}
	}
	return i
}

// positions turns every found offset into a 1-based line and UTF-16 column, in one pass over the file.
func positions(data []byte, root *pathNode) map[int][2]int {
	var offs []int
	var collect func(n *pathNode)
	collect = func(n *pathNode) {
		if n.offset >= 0 {
			offs = append(offs, n.offset)
		}
		for _, c := range n.children {
			collect(c)
		}
	}
	collect(root)
	slices.Sort(offs)
	out := make(map[int][2]int, len(offs))
	// The column is counted as the pass goes: counting it again from the start of the line for each offset took
	// time in proportion to the square of a one-line file's size.
	line, col, at := 1, 1, 0
	for _, off := range offs {
		for at < off && at < len(data) {
			c, size := utf8.DecodeRune(data[at:])
			switch {
			case c == '\n':
				line, col = line+1, 1
			case c >= 0x10000:
				col += 2 // a surrogate pair
			default:
				col++
			}
			at += size
		}
		out[off] = [2]int{line, col}
	}
	return out
}
