package engine

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// Finding is one rule's verdict on one resource or container, ready for any writer or publisher. What it shares
// with the other findings of its rule or its resource (title, remediation, resource identity and origin) it holds
// by reference: a scan makes one finding per rule and container, and most of their text is the same.
type Finding struct {
	// Rule is the rule that judged, with its title and remediation.
	Rule *rule.Meta
	// Subject is the resource judged.
	Subject   *Subject
	Status    rule.Status
	Severity  rule.Severity
	Container string
	Detail    string
	// Path locates the offending field inside the resource's JSON (see rule.Result.Path).
	Path        string
	Suppression *Suppression
	// Context says why the severity differs from the rule's (a riskier container, what runs the revision), empty
	// when it does not.
	Context string
}

// Subject is the resource a finding is about, as every finding of that resource repeats it.
type Subject struct {
	// Resource is nil for a finding restored from stored state without its resource.
	Resource model.Resource
	Type     string
	ID       string
	// Source names the file or AWS API the resource came from; SourcePath is the resource's path inside it.
	Source, SourcePath string
	Account, Region    string
	// Scope is the file the resource was read from, empty for a resource read from AWS (see model.Ref.Scope).
	Scope string
	// Platform is the os/architecture of an image read per platform ("linux/arm64"); empty for other resources.
	Platform string
}

// NewSubject describes resource r. Its ID is built once here: a task definition without an ARN builds it
// (family:revision) on every call.
func NewSubject(r model.Resource) *Subject {
	ref := r.Ident()
	s := &Subject{
		Resource: r, Type: r.Kind().ASFFType, ID: r.ID(),
		Source: ref.Source, SourcePath: ref.SourcePath, Account: ref.Account, Region: ref.Region, Scope: ref.Scope,
	}
	if p, ok := r.(interface{ PlatformName() string }); ok {
		s.Platform = p.PlatformName()
	}
	return s
}

// ID is the finding's stable identity, derived from rule, resource and container: re-publishing it updates the
// same Security Hub finding. A resource read from a file is qualified by that file (see Scoped).
func (f *Finding) ID() string {
	return FindingID(f.Rule.ID, f.Subject.Scoped(f.Subject.ID), f.Container)
}

// Scoped qualifies a resource identifier with the file the resource was read from ("deploy/prod.json#web:3"), so
// the same family in two files makes two sets of findings; a resource read from AWS keeps its identifier as it is.
func (s *Subject) Scoped(id string) string {
	if s.Scope == "" {
		return id
	}
	return s.Scope + "#" + id
}

// MarshalJSON writes the finding as one flat object, its rule's and resource's fields included (see View). It
// leaves <, > and & as they are, as the report's encoder does: rule text shows placeholders such as "<family>".
func (f Finding) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(f.View())
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), err
}

// View returns the finding as one flat value, its rule's and resource's fields included: the JSON form of a
// finding. A writer of many findings encodes these itself rather than going through MarshalJSON, whose output
// encoding/json checks and copies once more.
func (f *Finding) View() FindingView {
	return FindingView{
		ID: f.ID(), RuleID: f.Rule.ID, Status: f.Status, Severity: f.Severity,
		ResourceType: f.Subject.Type, ResourceID: f.Subject.ID, Container: f.Container, Platform: f.Subject.Platform,
		Title: f.Rule.Title, Detail: f.Detail, Remediation: f.Rule.Remediation,
		Source: f.Subject.Source, Path: f.Path, SourcePath: f.Subject.SourcePath,
		Account: f.Subject.Account, Region: f.Subject.Region, Suppression: f.Suppression,
	}
}

// FindingView is the JSON form of a Finding.
type FindingView struct {
	ID           string        `json:"id"`
	RuleID       string        `json:"ruleId"`
	Status       rule.Status   `json:"status"`
	Severity     rule.Severity `json:"severity"`
	ResourceType string        `json:"resourceType"`
	ResourceID   string        `json:"resourceId"`
	Container    string        `json:"container,omitempty"`
	Platform     string        `json:"platform,omitempty"`
	Title        string        `json:"title"`
	Detail       string        `json:"detail"`
	Remediation  string        `json:"remediation"`
	Source       string        `json:"source,omitempty"`
	Path         string        `json:"path,omitempty"`
	SourcePath   string        `json:"sourcePath,omitempty"`
	Account      string        `json:"account,omitempty"`
	Region       string        `json:"region,omitempty"`
	Suppression  *Suppression  `json:"suppression,omitempty"`
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
	n := len(resourceID) + 1 + len(ruleID)
	if container != "" {
		n += 1 + len(container)
	}
	if n <= maxIDLength {
		if container == "" {
			return resourceID + "/" + ruleID
		}
		return resourceID + "/" + ruleID + "/" + container
	}
	sum := sha256.Sum256([]byte(ruleID + "\x00" + resourceID + "\x00" + container))
	return "ecsaudit/" + ruleID + "/" + hex.EncodeToString(sum[:])
}
