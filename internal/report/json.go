package report

import (
	"encoding/json"
	"io"

	"github.com/ecsaudit/ecsaudit/internal/engine"
)

// JSON writes one object: {"findings": [...], "summary": {...}}.
type JSON struct{}

// Write implements Writer.
func (JSON) Write(w io.Writer, r *Report) error {
	shown := r.Shown()
	if shown == nil {
		shown = []engine.Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(struct {
		Findings []engine.Finding `json:"findings"`
		Summary  Summary          `json:"summary"`
	}{shown, r.Summarize()})
}
