package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/ecsaudit/ecsaudit/internal/config"
)

// ConfigNames are the file names a scan looks for, in the directory argument or a file argument's own directory;
// never in the working directory or its parents, so what a scan reads is what its arguments name.
var ConfigNames = []string{".ecsaudit.yaml", ".ecsaudit.yml", ".ecsaudit.json"}

// configKeys are the configuration's top-level keys: internal/config's, and the scan's own skipDirs and skipFiles.
var configKeys = []string{
	"rules", "trustedRegistries", "allowedCapabilities", "credentialKeyNames", "allowedKmsKeys",
	"allowedImmutabilityExclusions", "requiredTags", "trustedBaseImages", "vulnerabilityThreshold",
	"scanGraceMinutes", "defaultLogDriverMode", "alertProfile", "maxSuppressionDays", "suppressions",
	"skipDirs", "skipFiles",
}

// configFile is a configuration file read: what internal/config parses, as JSON, and what the walk skips.
type configFile struct {
	path                string
	json                []byte
	skipDirs, skipFiles []string
}

// discoverConfig finds the configuration file of the arguments: in each directory argument, and in each file
// argument's directory. Arguments that find different files are an error.
func discoverConfig(args []string) (string, error) {
	var found []string
	for _, a := range args {
		dir := a
		if st, err := os.Stat(a); err != nil {
			continue
		} else if !st.IsDir() {
			dir = filepath.Dir(a)
		}
		var here []string
		for _, n := range ConfigNames {
			p := filepath.Join(dir, n)
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				here = append(here, p)
			}
		}
		if len(here) > 1 {
			return "", fmt.Errorf("%s holds %s: keep one configuration file", dir, strings.Join(here, " and "))
		}
		if len(here) == 1 && !slices.Contains(found, here[0]) {
			found = append(found, here[0])
		}
	}
	switch len(found) {
	case 0:
		return "", nil
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("the arguments find different configuration files (%s): scan them separately or give --config", strings.Join(found, ", "))
}

// readConfig reads a configuration file in YAML or JSON (JSON is YAML): unknown top-level keys are named with the
// closest known key, and the keys the scan itself uses are taken out.
func readConfig(path string) (*configFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config %s: %v", path, unwrapPathErr(err))
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("config %s: %v", path, err)
	}
	cf := &configFile{path: path, json: []byte("{}")}
	if len(doc.Content) == 0 {
		return cf, nil // an empty file: the defaults
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("config %s: line %d: want a mapping of keys (%s)", path, root.Line, strings.Join(configKeys, ", "))
	}
	var errs []error
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i]
		if !slices.Contains(configKeys, k.Value) && !configAccepts(k.Value) {
			msg := fmt.Sprintf("config %s: line %d: unknown key %q", path, k.Line, k.Value)
			if s := closest(k.Value, configKeys); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			errs = append(errs, errors.New(msg))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	var v map[string]any
	if err := root.Decode(&v); err != nil {
		return nil, fmt.Errorf("config %s: %v", path, err)
	}
	for key, dst := range map[string]*[]string{"skipDirs": &cf.skipDirs, "skipFiles": &cf.skipFiles} {
		raw, ok := v[key]
		if !ok {
			continue
		}
		list, ok := raw.([]any)
		if !ok {
			return nil, fmt.Errorf("config %s: %s: want a list of globs", path, key)
		}
		for i, e := range list {
			s, ok := e.(string)
			if !ok || s == "" {
				return nil, fmt.Errorf("config %s: %s[%d]: want a glob", path, key, i)
			}
			*dst = append(*dst, s)
		}
		delete(v, key)
	}
	if cf.json, err = json.Marshal(v); err != nil {
		return nil, fmt.Errorf("config %s: %v", path, err)
	}
	return cf, nil
}

// configAccepts asks internal/config whether it knows a key configKeys lacks (one added there since), so the list
// only ever misses a suggestion, never refuses a key.
func configAccepts(key string) bool {
	doc, err := json.Marshal(map[string]any{key: nil})
	if err != nil {
		return false
	}
	_, err = config.Parse("", doc, func(string) bool { return true })
	return err == nil || !strings.Contains(err.Error(), "unknown field")
}

// closest returns the known key nearest to k by edit distance, when it is near enough to be a slip.
func closest(k string, known []string) string {
	best, bestD := "", len(k)/2+2
	cands := slices.Clone(known)
	sort.Strings(cands)
	for _, c := range cands {
		if d := distance(strings.ToLower(k), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// distance is the Levenshtein distance.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
