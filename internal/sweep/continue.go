package sweep

import (
	"encoding/json"
	"time"
)

// ContinuationSource is the source of the events a sweeper sends itself.
const ContinuationSource = "ecsaudit.sweep"

// ContinuationEvent is the event a sweep sends to continue itself: an EventBridge scheduled event, which the
// handler turns into a sweep action like the schedule's own.
func ContinuationEvent(account, region string, now time.Time) []byte {
	h := newOwner() + newOwner()
	ev := map[string]any{
		"version":     "0",
		"id":          h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:],
		"detail-type": "Scheduled Event",
		"source":      ContinuationSource,
		"account":     account,
		"time":        now.UTC().Format(time.RFC3339),
		"region":      region,
		"resources":   []string{},
		"detail":      map[string]any{"continuation": true},
	}
	// A map of strings, slices and a bool always encodes.
	data, _ := json.Marshal(ev)
	return data
}
