package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// Finding is one rule's verdict on one resource or container, ready for any writer or publisher.
type Finding struct {
	// ID is stable for (rule, resource, container): re-publishing it updates the same Security Hub finding.
	ID           string        `json:"id"`
	RuleID       string        `json:"ruleId"`
	Status       rule.Status   `json:"status"`
	Severity     rule.Severity `json:"severity"`
	ResourceType string        `json:"resourceType"`
	ResourceID   string        `json:"resourceId"`
	Container    string        `json:"container,omitempty"`
	Title        string        `json:"title"`
	Detail       string        `json:"detail"`
	Remediation  string        `json:"remediation"`
	Source       string        `json:"source,omitempty"`
	// Path locates the offending field inside the resource's JSON (see rule.Result.Path).
	Path string `json:"path,omitempty"`
	// SourcePath is the path of the resource itself inside Source.
	SourcePath  string       `json:"sourcePath,omitempty"`
	Account     string       `json:"account,omitempty"`
	Region      string       `json:"region,omitempty"`
	Suppression *Suppression `json:"suppression,omitempty"`

	Rule     *rule.Meta     `json:"-"`
	Resource model.Resource `json:"-"`
}

// Suppression says why a finding is, or is no longer, waived.
type Suppression struct {
	Reason string `json:"reason"`
	// By says who or what suppressed it: the resource tag, or the configuration file entry.
	By    string `json:"by"`
	Until string `json:"until,omitempty"`
	// Expired is true when the suppression no longer applies; the finding then keeps its real status.
	Expired bool `json:"expired,omitempty"`
	// Ignored says why a suppression that matched was not applied (too long, no expiry under a maximum).
	Ignored string `json:"ignored,omitempty"`
}

// maxIDLength is Security Hub's limit on a finding Id.
const maxIDLength = 512

// FindingID derives the stable finding identity from rule, resource and container.
func FindingID(ruleID, resourceID, container string) string {
	if idLength(ruleID, resourceID, container) <= maxIDLength {
		if container == "" {
			return resourceID + "/" + ruleID
		}
		return resourceID + "/" + ruleID + "/" + container
	}
	sum := sha256.Sum256([]byte(ruleID + "\x00" + resourceID + "\x00" + container))
	return "ecsaudit/" + ruleID + "/" + hex.EncodeToString(sum[:])
}

// idLength is the length of the plain ID resourceID/ruleID[/container].
func idLength(ruleID, resourceID, container string) int {
	n := len(resourceID) + 1 + len(ruleID)
	if container != "" {
		n += 1 + len(container)
	}
	return n
}

// writeID writes the plain ID, resourceID/ruleID[/container], to b.
func writeID(b *strings.Builder, ruleID, resourceID, container string) {
	b.WriteString(resourceID)
	b.WriteByte('/')
	b.WriteString(ruleID)
	if container != "" {
		b.WriteByte('/')
		b.WriteString(container)
	}
}

// setIDs sets the ID of every finding of one resource, building all the plain ones in one allocation: a scan makes
// one ID per finding, and each used to be a string of its own.
func setIDs(fs []Finding, resourceID string) {
	n := 0
	for i := range fs {
		if l := idLength(fs[i].RuleID, resourceID, fs[i].Container); l <= maxIDLength {
			n += l
		}
	}
	var b strings.Builder
	b.Grow(n)
	for i := range fs {
		if idLength(fs[i].RuleID, resourceID, fs[i].Container) <= maxIDLength {
			writeID(&b, fs[i].RuleID, resourceID, fs[i].Container)
		}
	}
	all, off := b.String(), 0
	for i := range fs {
		f := &fs[i]
		l := idLength(f.RuleID, resourceID, f.Container)
		if l > maxIDLength {
			f.ID = FindingID(f.RuleID, resourceID, f.Container)
			continue
		}
		f.ID = all[off : off+l]
		off += l
	}
}
