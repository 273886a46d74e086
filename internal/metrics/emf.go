// Package metrics writes CloudWatch metrics in Embedded Metric Format: one JSON log line per flush, which
// CloudWatch Logs turns into metrics without a PutMetricData call (or its IAM permission).
package metrics

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"
)

// Namespace is the CloudWatch namespace of every ecsaudit metric.
const Namespace = "ecsaudit"

// Recorder accumulates counts during one invocation.
type Recorder struct {
	mu       sync.Mutex
	function string
	counts   map[string]float64
}

// New returns a recorder for one function; its metrics carry the dimension Function.
func New(function string) *Recorder {
	return &Recorder{function: function, counts: map[string]float64{}}
}

// Add adds n to a metric.
func (r *Recorder) Add(name string, n float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counts[name] += n
}

// Get returns a metric's current value.
func (r *Recorder) Get(name string) float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.counts[name]
}

// Flush writes the metrics as one EMF document and clears them. Nothing is written when nothing was counted.
func (r *Recorder) Flush(w io.Writer, now time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.counts) == 0 {
		return nil
	}
	names := make([]string, 0, len(r.counts))
	for k := range r.counts {
		names = append(names, k)
	}
	sort.Strings(names)
	defs := make([]map[string]string, 0, len(names))
	doc := map[string]any{"Function": r.function}
	for _, n := range names {
		defs = append(defs, map[string]string{"Name": n, "Unit": "Count"})
		doc[n] = r.counts[n]
	}
	doc["_aws"] = map[string]any{
		"Timestamp": now.UnixMilli(),
		"CloudWatchMetrics": []map[string]any{{
			"Namespace":  Namespace,
			"Dimensions": [][]string{{"Function"}},
			"Metrics":    defs,
		}},
	}
	line, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("encode metrics: %w", err)
	}
	r.counts = map[string]float64{}
	_, err = fmt.Fprintf(w, "%s\n", line)
	return err
}
