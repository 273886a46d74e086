package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// JSON writes one object: {"findings": [...], "summary": {...}}, indented by two spaces.
type JSON struct{}

// Write implements Writer. It writes the findings one at a time, as encoding/json would write the whole object,
// byte for byte: a scan of thousands of files has hundreds of thousands of findings, and encoding them as one value
// held the whole text in memory twice over (encoded, then indented).
func (JSON) Write(w io.Writer, r *Report) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	// encode writes v as it sits at the given depth of the whole object: its lines after the first indented by prefix.
	encode := func(v any, prefix string) ([]byte, error) {
		buf.Reset()
		enc.SetIndent(prefix, "  ")
		if err := enc.Encode(v); err != nil {
			return nil, err
		}
		return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
	}
	shown := r.Shown()
	if len(shown) == 0 {
		bw.WriteString("{\n  \"findings\": [],\n")
	} else {
		bw.WriteString("{\n  \"findings\": [\n")
		for i := range shown {
			data, err := encode(shown[i].View(), "    ")
			if err != nil {
				return fmt.Errorf("encode finding %s: %w", shown[i].ID(), err)
			}
			if i > 0 {
				bw.WriteString(",\n")
			}
			bw.WriteString("    ")
			bw.Write(data)
		}
		bw.WriteString("\n  ],\n")
	}
	data, err := encode(r.Summarize(), "  ")
	if err != nil {
		return fmt.Errorf("encode summary: %w", err)
	}
	bw.WriteString("  \"summary\": ")
	bw.Write(data)
	bw.WriteString("\n}\n")
	return bw.Flush()
}
