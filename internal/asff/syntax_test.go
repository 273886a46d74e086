package asff

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// syntaxFile is the ASFF syntax skeleton from the Security Hub user guide.
const syntaxFile = "../../testdata/corpus/asff/asff-full-syntax-securityhub-docs.json"

// keyNode is one level of the ASFF key structure. A node with a "string" key is a map with free keys
// (Tags, ProductFields, Other); a node without children is a scalar or a list of scalars.
type keyNode struct {
	children map[string]*keyNode
	order    []string
}

func (n *keyNode) child(k string) *keyNode {
	if c, ok := n.children[k]; ok {
		return c
	}
	return n.children["string"]
}

func (n *keyNode) add(k string) *keyNode {
	if n.children == nil {
		n.children = map[string]*keyNode{}
	}
	if c, ok := n.children[k]; ok {
		return c
	}
	c := &keyNode{}
	n.children[k] = c
	n.order = append(n.order, k)
	return c
}

// syntaxKey is a line that names a member: its indentation and key. One line of the file reads
// `"VolumeType:" "string"`, hence the optional colon inside the quotes.
var syntaxKey = regexp.MustCompile(`^([ \t]*)"([^"]+?):?"\s*:?`)

// loadSyntax reads the key structure of the syntax file. The file is not JSON: its braces do not balance (an
// extra "}" ends Details early, Monitoring is never closed, a list closes with "]}"), so the structure is read from
// the indentation, which is consistent except that most of Details' members are written at Details' own level,
// beside the resource's members. Those are moved back: the object members that follow Details, up to the first
// scalar member (Id), belong to Details.
func loadSyntax(t *testing.T) *keyNode {
	t.Helper()
	data, err := os.ReadFile(filepath.FromSlash(syntaxFile))
	if errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("ASFF syntax file %s not present (testdata/corpus)", syntaxFile)
	}
	if err != nil {
		t.Fatalf("read the ASFF syntax file: %v", err)
	}
	root := &keyNode{}
	type open struct {
		depth int
		node  *keyNode
	}
	stack := []open{{-1, root}}
	for _, line := range strings.Split(string(data), "\n") {
		m := syntaxKey.FindStringSubmatch(line)
		if m == nil || !strings.Contains(line, ":") {
			continue
		}
		depth := strings.Count(m[1], "\t") + max(0, strings.Count(m[1], " ")-4)/4
		for stack[len(stack)-1].depth >= depth {
			stack = stack[:len(stack)-1]
		}
		stack = append(stack, open{depth, stack[len(stack)-1].node.add(m[2])})
	}
	finding := root.children["Findings"]
	if finding == nil || finding.children["Resources"] == nil || finding.children["Resources"].children["Details"] == nil {
		t.Fatal("the ASFF syntax file has no Findings/Resources/Details")
	}
	res := finding.children["Resources"]
	details := res.children["Details"]
	var kept []string
	moving := false
	for _, k := range res.order {
		c := res.children[k]
		switch {
		case k == "Details":
			moving = true
		case moving && c.children != nil:
			details.children[k] = c
			details.order = append(details.order, k)
			delete(res.children, k)
			continue
		default:
			moving = false
		}
		kept = append(kept, k)
	}
	res.order = kept
	// Guard against a reader that loses structure: the members this package emits must be where the API has them.
	for _, path := range []string{"Resources/Details/AwsEcsTaskDefinition/ContainerDefinitions/LinuxParameters/Capabilities/Add",
		"Resources/Details/AwsEcrRepository/LifecyclePolicy/LifecyclePolicyText", "Resources/Details/AwsEcrContainerImage/ImagePublishedAt",
		"Resources/Details/Other/string", "Resources/Id", "Resources/Tags/string", "Resources/Type",
		"Compliance/RelatedRequirements", "FindingProviderFields/Severity/Label", "Workflow/Status", "ProductFields/string"} {
		n := finding
		for _, k := range strings.Split(path, "/") {
			if n = n.children[k]; n == nil {
				t.Fatalf("the parsed syntax file lacks %s", path)
			}
		}
	}
	for _, k := range []string{"Id", "Tags", "AwsEcsTaskDefinition"} {
		if (res.children[k] == nil) != (k == "AwsEcsTaskDefinition") {
			t.Fatalf("Resources/%s misplaced in the parsed syntax", k)
		}
	}
	return finding
}

// checkKeys reports every member of v that the syntax does not have at the same nesting, and every null or
// empty member.
func checkKeys(v any, n *keyNode, path string) []string {
	var bad []string
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			return []string{path + ": empty object"}
		}
		if n == nil || n.children == nil {
			return []string{path + ": an object where the syntax has a scalar"}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			c := n.child(k)
			if c == nil {
				bad = append(bad, path+"/"+k+": not an ASFF member")
				continue
			}
			bad = append(bad, checkKeys(x[k], c, path+"/"+k)...)
		}
	case []any:
		if len(x) == 0 {
			return []string{path + ": empty list"}
		}
		for i, e := range x {
			bad = append(bad, checkKeys(e, n, fmt.Sprintf("%s[%d]", path, i))...)
		}
	case nil:
		return []string{path + ": null"}
	default:
		if x == "" {
			return []string{path + ": empty string"}
		}
		if n != nil && n.children != nil && n.children["string"] == nil {
			return []string{path + ": a scalar where the syntax has an object"}
		}
	}
	return bad
}

// checkMarshal decodes Marshal's output and checks every finding against the syntax.
func checkMarshal(t *testing.T, data []byte) []any {
	t.Helper()
	syntax := loadSyntax(t)
	var list []any
	if err := json.Unmarshal(data, &list); err != nil {
		t.Fatalf("Marshal output is not a JSON list: %v\n%s", err, data)
	}
	for i, f := range list {
		for _, b := range checkKeys(f, syntax, fmt.Sprintf("[%d]", i)) {
			t.Error(b)
		}
	}
	return list
}

func TestSyntaxParserCatchesUnknownKeys(t *testing.T) {
	syntax := loadSyntax(t)
	bad := checkKeys(map[string]any{
		"Title":       "x",
		"Bogus":       "x",
		"Resources":   []any{map[string]any{"Details": map[string]any{"AwsEcsTaskDefinition": map[string]any{"Famly": "x"}}}},
		"Tags":        map[string]any{},
		"Description": "",
		"Severity":    true,
	}, syntax, "")
	want := []string{"/Bogus: not an ASFF member", "/Description: empty string",
		"/Resources[0]/Details/AwsEcsTaskDefinition/Famly: not an ASFF member",
		"/Severity: a scalar where the syntax has an object", "/Tags: not an ASFF member"}
	if strings.Join(bad, "\n") != strings.Join(want, "\n") {
		t.Errorf("checkKeys found\n%s\nwant\n%s", strings.Join(bad, "\n"), strings.Join(want, "\n"))
	}
}
