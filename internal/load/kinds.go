package load

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

// readKinds reads the lists of the kinds the AWS CLI describes (model.CLIKinds: describe-services' "services",
// describe-clusters' "clusters", ...), alone or several in one bundle object. It returns false when top holds none
// of their keys. Each element is read by its kind's FromCLI; an element that cannot be read fails the input, with
// its line and column.
func (d *doc) readKinds(top map[string]member, prefix string) (bool, error) {
	found := false
	for _, k := range model.CLIKinds() {
		m, ok := top[lowerKey(k.CLIKey)]
		if !ok {
			continue
		}
		found = true
		if err := d.readKindList(k, m, join(prefix, k.CLIKey)); err != nil {
			return true, err
		}
	}
	return found, nil
}

func (d *doc) readKindList(k *model.Kind, m member, path string) error {
	dec := json.NewDecoder(bytes.NewReader(m.raw))
	if tok, err := dec.Token(); err != nil {
		return d.jsonErrAt(m.offset, 0, err)
	} else if delim, ok := tok.(json.Delim); !ok || delim != '[' {
		l, c := position(d.data, m.offset)
		return fmt.Errorf("line %d, column %d: %q: want a list of %ss", l, c, k.CLIKey, k.Name)
	}
	for i := 0; dec.More(); i++ {
		// The element starts after the separator and spaces that follow the offset.
		start := dec.InputOffset()
		for start < int64(len(m.raw)) && bytes.IndexByte([]byte(" \t\r\n,"), m.raw[start]) >= 0 {
			start++
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return d.jsonErrAt(m.offset, start, err)
		}
		base := m.offset + start
		res, err := k.FromCLI(func(v any) error { return d.decode(raw, base, v) })
		if err != nil {
			return fmt.Errorf("%s/%d: %w", k.CLIKey, i, err)
		}
		if res.ID() == "" {
			l, c := position(d.data, base)
			return fmt.Errorf("line %d, column %d: %s/%d: a %s with neither ARN nor name", l, c, k.CLIKey, i, k.Name)
		}
		ref := res.Ident()
		d.set.identify(ref, ref.ARN)
		ref.Source, ref.SourcePath = d.source, path+"/"+strconv.Itoa(i)
		d.set.Described = append(d.set.Described, res)
	}
	if _, err := dec.Token(); err != nil {
		return d.jsonErrAt(m.offset, dec.InputOffset(), err)
	}
	return nil
}

// lowerKey is how object keys are indexed (see doc.object).
func lowerKey(k string) string { return strings.ToLower(k) }

// cliOutputs names the describe outputs readKinds reads, for the wrong-shape error.
func cliOutputs() string {
	var names []string
	for _, k := range model.CLIKinds() {
		names = append(names, k.CLIKey)
	}
	return "an AWS CLI describe output listing " + strings.Join(names, ", ")
}
