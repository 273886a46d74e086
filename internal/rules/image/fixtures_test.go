package image

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/testenv/ruletest"
)

// TestFixtures runs every rule on its testdata/<rule-id> fixtures, the facts of an image as JSON (decoded
// strictly): fail_*.json must give a FAILED result, pass_*.json a PASSED one and no FAILED, na_*.json only
// NOT_APPLICABLE and nav_*.json only NOT_AVAILABLE. config.json, when present, holds the settings.
func TestFixtures(t *testing.T) {
	ruletest.FixturesOf(t, All(), "testdata", func(t *testing.T, data []byte) *model.ImageContents {
		t.Helper()
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		var img model.ImageContents
		if err := dec.Decode(&img); err != nil {
			t.Fatal(err)
		}
		return &img
	})
}

// check runs one rule on an image with the default settings.
func check(r *Rule, img *model.ImageContents) rule.Result {
	return r.Check(img, &rule.Env{Settings: rule.DefaultSettings(), Now: ruletest.Now})[0]
}
