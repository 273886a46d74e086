package metrics

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

func TestFlushWritesEMF(t *testing.T) {
	r := New("sweeper")
	r.Add("FindingsHigh", 2)
	r.Add("FindingsHigh", 1)
	r.Add("NotAvailableResults", 4)
	var buf bytes.Buffer
	if err := r.Flush(&buf, time.UnixMilli(1700000000000)); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Function            string
		FindingsHigh        float64
		NotAvailableResults float64
		AWS                 struct {
			Timestamp         int64
			CloudWatchMetrics []struct {
				Namespace  string
				Dimensions [][]string
				Metrics    []struct{ Name, Unit string }
			}
		} `json:"_aws"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("%v: %s", err, buf.String())
	}
	if doc.Function != "sweeper" || doc.FindingsHigh != 3 || doc.NotAvailableResults != 4 {
		t.Fatalf("values: %+v", doc)
	}
	m := doc.AWS.CloudWatchMetrics
	if doc.AWS.Timestamp != 1700000000000 || len(m) != 1 || m[0].Namespace != "ecsaudit" || len(m[0].Metrics) != 2 || m[0].Dimensions[0][0] != "Function" {
		t.Fatalf("_aws: %+v", doc.AWS)
	}
	buf.Reset()
	if err := r.Flush(&buf, time.Now()); err != nil || buf.Len() != 0 {
		t.Fatalf("second flush should write nothing, got %q", buf.String())
	}
}
