package image

import (
	"strings"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// An image that could not be read at all is NOT_AVAILABLE under every rule, never judged by its empty config (an
// empty USER would otherwise read as root, an empty filesystem as clean).
func TestUnreadImageIsNotAvailableUnderEveryRule(t *testing.T) {
	img := &model.ImageContents{Digest: "sha256:" + strings.Repeat("a", 64), Unread: "the registry denied access (HTTP 403)"}
	for _, r := range All() {
		t.Run(r.ID, func(t *testing.T) {
			got := check(r, img)
			if got.Status != rule.NotAvailable || !strings.Contains(got.Detail, "HTTP 403") {
				t.Errorf("got %s %q, want NOT_AVAILABLE naming the reason", got.Status, got.Detail)
			}
		})
	}
}
