package engine

import (
	"time"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// Evaluated is one resource's findings from one evaluation. An empty Findings list means the resource was evaluated
// and produced no result at all.
type Evaluated struct {
	ResourceID string
	// Resource is the evaluated resource; optional (taken from the findings when nil). It fills the resource
	// details of findings archived because the evaluation no longer produces them.
	Resource model.Resource
	Findings []Finding
	// ObservedAt is when the resource was read; zero means the batch's ObservedAt. The publisher lets an
	// observation replace only an older one.
	ObservedAt time.Time
}

// Batch is what one audit hands to a sink: the evaluations, and the resources found gone (or out of scope), whose
// open findings are archived.
type Batch struct {
	Evaluated []Evaluated
	Archived  []string
	// Sweep marks a batch of a full sweep: the first full sweep of an account and region may be a silent baseline.
	Sweep bool
	// ObservedAt is when the batch's resources were read (and found gone); zero means when it is published.
	ObservedAt time.Time
}

// Reported returns r's evaluation as it is reported: fs without the FAILED and SUPPRESSED findings below the
// configured severity floor (config.Config.MinSeverity). fs itself is left as it is.
func (e *Engine) Reported(r model.Resource, fs []Finding) Evaluated {
	if floor := e.cfg.MinSeverity; floor != "" {
		kept := make([]Finding, 0, len(fs))
		for _, f := range fs {
			if (f.Status == rule.Failed || f.Status == rule.Suppressed) && !f.Severity.AtLeast(floor) {
				continue
			}
			kept = append(kept, f)
		}
		fs = kept
	}
	return Evaluated{ResourceID: r.ID(), Resource: r, Findings: fs}
}
