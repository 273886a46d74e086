package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ecsaudit/ecsaudit/internal/iac"
	"github.com/ecsaudit/ecsaudit/internal/model"
)

// input is one file, image file or image layout found from the arguments.
type input struct {
	path string
	// walked is set for a file found by walking a directory: one not recognised is skipped, not an error.
	walked bool
}

// walker expands the arguments into inputs.
type walker struct {
	skipDirs, skipFiles []string
	verbose             bool
	stderr              io.Writer
	failed              *inputErrors
}

// Directories never searched: version control, package managers' downloads, Terraform's providers and modules, and
// CDK's asset staging (cdk.out/asset.*, copies of the sources the templates already describe).
var skippedDirs = map[string]bool{".git": true, "node_modules": true, ".terraform": true}

// The file names a directory walk reads to recognise by content: JSON and YAML (templates, plans, AWS CLI outputs,
// register inputs), and tar files that hold images. Other files are never opened.
var walkedExts = map[string]bool{".json": true, ".yaml": true, ".yml": true, ".template": true, ".tar": true}

func (w *walker) skipped(p, why string) {
	if w.verbose {
		fmt.Fprintf(w.stderr, "ecsaudit: skipped %s: %s\n", p, why)
	}
}

// matchGlob reports whether a pattern names rel (slash-separated, relative to the walked directory) or its base
// name. A pattern ending in "/**" names everything below a directory.
func matchGlob(patterns []string, rel string) (string, bool) {
	base := path.Base(rel)
	for _, p := range patterns {
		p = strings.TrimPrefix(filepath.ToSlash(p), "./")
		if dir, ok := strings.CutSuffix(p, "/**"); ok && (rel == dir || strings.HasPrefix(rel, dir+"/")) {
			return p, true
		}
		if m, _ := path.Match(p, rel); m {
			return p, true
		}
		if m, _ := path.Match(p, base); m && !strings.Contains(p, "/") {
			return p, true
		}
	}
	return "", false
}

// inputs expands the arguments: a file is itself; a directory yields, recursively and in lexical order, the files it
// may hold inputs in and its OCI layouts, skipping what skippedDirs and the globs name and every symbolic link that
// leads out of it.
func (w *walker) inputs(args []string) []input {
	var out []input
	for _, a := range args {
		if a == "-" {
			out = append(out, input{path: a}) // standard input
			continue
		}
		st, err := os.Stat(a)
		if err != nil {
			w.failed.add(a, fmt.Sprintf("%s: %v", a, unwrapPathErr(err)))
			continue
		}
		if !st.IsDir() || isImageInput(a, true) {
			out = append(out, input{path: a})
			continue
		}
		out = append(out, w.walk(a)...)
	}
	return out
}

func (w *walker) walk(root string) []input {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		realRoot = root
	}
	if abs, err := filepath.Abs(realRoot); err == nil {
		realRoot = abs
	}
	var found []input
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			w.failed.add(p, fmt.Sprintf("%s: %v", p, unwrapPathErr(err)))
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if p == root {
				return nil
			}
			name := d.Name()
			switch {
			case skippedDirs[name]:
				w.skipped(p, "directory never searched")
				return fs.SkipDir
			case strings.HasPrefix(name, "asset.") && filepath.Base(filepath.Dir(p)) == "cdk.out":
				w.skipped(p, "CDK asset directory")
				return fs.SkipDir
			}
			if g, ok := matchGlob(w.skipDirs, rel); ok {
				w.skipped(p, "skip-dirs glob "+g)
				return fs.SkipDir
			}
			if isImageInput(p, true) {
				found = append(found, input{path: p, walked: true}) // an OCI layout is one input, not its files
				return fs.SkipDir
			}
			return nil
		}
		if g, ok := matchGlob(w.skipFiles, rel); ok {
			w.skipped(p, "skip-files glob "+g)
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			if !walkedExts[strings.ToLower(filepath.Ext(p))] {
				return nil
			}
			target, err := filepath.EvalSymlinks(p)
			if err != nil {
				w.failed.add(p, fmt.Sprintf("%s: %v", p, unwrapPathErr(err)))
				return nil
			}
			if abs, err := filepath.Abs(target); err == nil {
				target = abs
			}
			if !within(realRoot, target) {
				w.skipped(p, "symbolic link out of "+root)
				return nil
			}
			if st, err := os.Stat(p); err != nil || st.IsDir() {
				w.skipped(p, "symbolic link to a directory (its files are searched where they are)")
				return nil
			}
		}
		if !walkedExts[strings.ToLower(filepath.Ext(p))] {
			return nil
		}
		if d.Type()&fs.ModeSymlink == 0 && !d.Type().IsRegular() {
			// Named as an input but a socket, pipe or device: opening it could block, and it is no input.
			w.failed.add(p, fmt.Sprintf("%s: not a regular file", p))
			return nil
		}
		if strings.EqualFold(filepath.Ext(p), ".tar") && !isImageFile(p, d) {
			w.skipped(p, "not an image archive")
			return nil
		}
		found = append(found, input{path: p, walked: true})
		return nil
	})
	if err != nil {
		w.failed.add(root, fmt.Sprintf("%s: %v", root, err))
	}
	sort.Slice(found, func(i, j int) bool { return found[i].path < found[j].path })
	return found
}

func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// loaderKeys (with the CLI keys of model.CLIKinds: "services", "clusters", ...) are the top-level member names (lower case, as the loader matches them) that make a JSON object one of
// the loader's shapes (see internal/load): a walked object holding none of them is someone else's (a package.json,
// a tsconfig.json, an EventBridge event).
var loaderKeys = []string{
	"taskdefinition", "containerdefinitions", "repositories", "repository", "imagedetails", "scanningconfiguration",
	"policytext", "lifecyclepolicytext", "imagescanfindings", "configurationitems", "keymetadata",
}

// loaderMarkers stand for loaderKeys in a file that is not valid JSON: one that names them is an input with an
// error to report, not a file to skip.
var loaderMarkers = [][]byte{
	[]byte(`"taskDefinition"`), []byte(`"containerDefinitions"`), []byte(`"repositories"`), []byte(`"imageDetails"`),
	[]byte(`"scanningConfiguration"`), []byte(`"policyText"`), []byte(`"lifecyclePolicyText"`),
	[]byte(`"imageScanFindings"`), []byte(`"configurationItems"`), []byte("AWSTemplateFormatVersion"),
	[]byte(`"format_version"`), []byte(`"KeyMetadata"`),
}

// recognised says whether a walked file is an input ecsaudit reads, from its content: a CloudFormation template or
// Terraform plan, a JSON object with one of the loader's top-level members (or a recorded response wrapping one), or
// a JSON array of container definitions. A file that is not valid JSON or YAML but names what inputs name (a broken
// template, a truncated task definition) is recognised, so its error is reported rather than the file skipped.
func recognised(data []byte) (bool, string) {
	if f, _ := iac.Detect(data); f != iac.None {
		return true, ""
	}
	t := bytes.TrimSpace(data)
	if len(t) == 0 {
		return false, "empty"
	}
	switch t[0] {
	case '{':
		var top map[string]json.RawMessage
		if err := json.Unmarshal(t, &top); err != nil {
			return markers(t)
		}
		keys := map[string]bool{}
		for k := range top {
			keys[strings.ToLower(k)] = true
		}
		if keys["status_code"] && keys["data"] {
			// A recorded response: an input if it is an error (reported as such) or wraps one of the shapes.
			var rec struct {
				StatusCode int                        `json:"status_code"`
				Data       map[string]json.RawMessage `json:"data"`
			}
			if json.Unmarshal(t, &rec) != nil || rec.StatusCode >= 300 {
				return true, ""
			}
			keys = map[string]bool{}
			for k := range rec.Data {
				keys[strings.ToLower(k)] = true
			}
		}
		for _, k := range loaderKeys {
			if keys[k] {
				return true, ""
			}
		}
		for _, k := range model.CLIKinds() {
			if keys[strings.ToLower(k.CLIKey)] {
				return true, ""
			}
		}
		return false, "a JSON object that is none of the inputs ecsaudit reads"
	case '[':
		var items []map[string]json.RawMessage
		if err := json.Unmarshal(t, &items); err != nil {
			return markers(t)
		}
		if len(items) > 0 {
			_, name := items[0]["name"]
			_, image := items[0]["image"]
			if name || image {
				return true, ""
			}
		}
		return false, "a JSON array that is no list of container definitions"
	}
	if ok, _ := markers(t); ok {
		return true, ""
	}
	return false, "not a CloudFormation template, Terraform plan or AWS JSON document"
}

func markers(t []byte) (bool, string) {
	for _, m := range loaderMarkers {
		if bytes.Contains(t, m) {
			return true, ""
		}
	}
	for _, k := range model.CLIKinds() {
		if bytes.Contains(t, []byte(`"`+k.CLIKey+`"`)) {
			return true, ""
		}
	}
	return false, "neither valid JSON nor YAML, and names nothing ecsaudit reads"
}
