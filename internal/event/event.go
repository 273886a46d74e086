// Package event turns the events that trigger the Lambdas into actions: audit this task definition, archive that
// repository's findings, sweep everything. The handlers receive the raw payload and call Parse, so a malformed event is
// an error they log and acknowledge instead of a decoding failure inside the Lambda runtime that would be retried.
//
// Parsing is lenient: only the fields an action needs are read, so unknown or oddly typed fields elsewhere in an event
// never matter. Those it needs must be present and of the right JSON type.
package event

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

// Kind says what a handler should do for one action.
type Kind string

// The kinds of action. Each comes from one or more triggers, see Parse.
const (
	AuditTaskDefinition      Kind = "audit-task-definition"
	ArchiveTaskDefinition    Kind = "archive-task-definition"
	ReevaluateTaskDefinition Kind = "reevaluate-task-definition" // a tag changed: suppressions may differ
	AuditRepository          Kind = "audit-repository"
	ArchiveRepository        Kind = "archive-repository"
	AuditRegistry            Kind = "audit-registry"
	AuditImage               Kind = "audit-image"
	ArchiveImage             Kind = "archive-image"
	// AuditResource and ArchiveResource are about a resource of one of the kinds model declares with their calls
	// (services, task sets, clusters, capacity providers, container instances): Action.Resource says which.
	AuditResource   Kind = "audit-resource"
	ArchiveResource Kind = "archive-resource"
	Sweep           Kind = "sweep"
	Ignore          Kind = "ignore"
)

// Action is one thing to do because of an event.
type Action struct {
	Kind Kind
	// ARN is the task definition ARN for task definition actions and the repository ARN for repository and image
	// actions. A RegisterTaskDefinition call whose response omits the new revision gives the family's ARN without a
	// revision: describing it returns the latest ACTIVE revision.
	ARN             string
	Account, Region string
	// RepositoryName and RegistryID name the repository of repository and image actions (RegistryID is the account
	// that owns it); RegistryID alone names the registry of an audit-registry action.
	RepositoryName, RegistryID string
	ImageDigest, ImageTag      string
	// Resource is the kind of resource of AuditResource and ArchiveResource actions.
	Resource *model.Kind
	// Actor is who made the API call (CloudTrail userIdentity.arn): for a tag change, who changed the tag.
	Actor   string
	EventID string
	Time    time.Time
	// Reason says why an event is ignored.
	Reason string
}

// The detail-types of the events the Lambdas subscribe to.
const (
	detailTypeAPICall          = "AWS API Call via CloudTrail"
	detailTypeImageScan        = "ECR Image Scan"
	detailTypeImageAction      = "ECR Image Action"
	detailTypeInspectorScan    = "Inspector2 Scan"
	detailTypeInspectorFinding = "Inspector2 Finding"
	detailTypeScheduled        = "Scheduled Event"
)

// envelope is the EventBridge event around every trigger. EventSource and EventName are set instead when the payload
// is a bare CloudTrail record (as copied from CloudTrail's event history).
type envelope struct {
	ID          string          `json:"id"`
	DetailType  string          `json:"detail-type"`
	Source      string          `json:"source"`
	Account     string          `json:"account"`
	Time        *string         `json:"time"`
	Region      string          `json:"region"`
	Detail      json.RawMessage `json:"detail"`
	EventSource string          `json:"eventSource"`
	EventName   string          `json:"eventName"`
}

// Parse reads one event and returns what to do about it: at least one action when err is nil, a single Ignore action
// (with its Reason) for an event no function acts on. Triggers:
//   - "AWS API Call via CloudTrail" from ecs.amazonaws.com: RegisterTaskDefinition (audit the new revision),
//     DeregisterTaskDefinition and DeleteTaskDefinitions (archive each revision), TagResource and UntagResource on a task
//     definition (re-evaluate it); the calls that change a service, task set, cluster, capacity provider or container
//     instance (model.Kind.Calls: audit it, or archive it when the call deletes it), and TagResource and
//     UntagResource on one of them (audit it); from ecr.amazonaws.com: CreateRepository and the repository setting calls (audit the
//     repository), DeleteRepository (archive it), PutRegistryScanningConfiguration (audit the registry). A call that
//     failed (errorCode set) is ignored.
//   - "ECR Image Scan", "Inspector2 Scan" and "Inspector2 Finding" on an ECR image: audit the image; "ECR Image Action":
//     PUSH audits the image, DELETE archives it.
//   - "Scheduled Event": sweep.
//
// A bare CloudTrail record is read as the detail of an "AWS API Call via CloudTrail" event. The error, for a malformed
// event only (bad JSON, a missing detail, a truncated time, a field of the wrong type), names the event ID and the
// field; the caller logs it and acknowledges the event, since a retry cannot fix it.
func Parse(raw json.RawMessage) ([]Action, error) {
	var env envelope
	if err := decode("event", raw, &env); err != nil {
		return nil, err
	}
	if env.DetailType == "" {
		if env.EventSource != "" && env.EventName != "" {
			return parseRecord(raw)
		}
		return nil, fmt.Errorf("event %q: no detail-type: not an EventBridge event", env.ID)
	}
	b := base{eventID: env.ID, account: env.Account, region: env.Region}
	if env.Time == nil {
		return nil, fmt.Errorf("event %q: no time", env.ID)
	}
	t, err := parseTime(*env.Time)
	if err != nil {
		return nil, fmt.Errorf("event %q: time: %w", env.ID, err)
	}
	b.time = t
	if err := checkObject(env.Detail); err != nil {
		return nil, fmt.Errorf("event %q: detail: %w", env.ID, err)
	}
	var acts []Action
	switch env.DetailType {
	case detailTypeAPICall:
		acts, err = b.apiCall(env.Detail)
	case detailTypeImageScan, detailTypeImageAction:
		if env.Source != "aws.ecr" {
			return b.ignore("%q event from source %q, not aws.ecr", env.DetailType, env.Source), nil
		}
		if env.DetailType == detailTypeImageScan {
			acts, err = b.imageScan(env.Detail)
		} else {
			acts, err = b.imageAction(env.Detail)
		}
	case detailTypeInspectorScan, detailTypeInspectorFinding:
		if env.Source != "aws.inspector2" {
			return b.ignore("%q event from source %q, not aws.inspector2", env.DetailType, env.Source), nil
		}
		if env.DetailType == detailTypeInspectorScan {
			acts, err = b.imageScan(env.Detail)
		} else {
			acts, err = b.inspectorFinding(env.Detail)
		}
	case detailTypeScheduled:
		// Either scheduler (aws.events rules, aws.scheduler schedules) may start a sweep.
		acts = []Action{b.action(Sweep)}
	default:
		acts = b.ignore("%q events from %s are not audited", env.DetailType, env.Source)
	}
	if err != nil {
		return nil, fmt.Errorf("event %q: %w", env.ID, err)
	}
	return acts, nil
}

// base holds what every action of one event shares.
type base struct {
	eventID, account, region, actor string
	time                            time.Time
}

func (b base) action(k Kind) Action {
	return Action{Kind: k, Account: b.account, Region: b.region, Actor: b.actor, EventID: b.eventID, Time: b.time}
}

func (b base) ignore(format string, args ...any) []Action {
	a := b.action(Ignore)
	a.Reason = fmt.Sprintf(format, args...)
	return []Action{a}
}

// parseTime reads an EventBridge or CloudTrail timestamp (RFC 3339, in practice always UTC).
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 timestamp", s)
	}
	return t.UTC(), nil
}

// checkObject reports whether raw is a JSON object: a json.RawMessage field accepts any value, and a detail that is a
// string or a list would otherwise decode as an empty struct and pass for an event without the needed fields.
func checkObject(raw json.RawMessage) error {
	for _, c := range raw {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return nil
		case 'n':
			return errors.New("missing (null)")
		}
		return fmt.Errorf("got a JSON %s, want an object", jsonKind(c))
	}
	return errors.New("missing")
}

// present reports whether an optional field holds something other than null.
func present(raw json.RawMessage) bool {
	for _, c := range raw {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case 'n':
			return false
		}
		return true
	}
	return false
}

func jsonKind(first byte) string {
	switch first {
	case '"':
		return "string"
	case '[':
		return "list"
	case 't', 'f':
		return "boolean"
	}
	return "number"
}

// decode unmarshals data into v, turning encoding/json's errors into messages that name the field by its path from
// what, the way a user reading the event would look for it.
func decode(what string, data []byte, v any) error {
	err := json.Unmarshal(data, v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := what
		if te.Field != "" {
			field += "." + te.Field
		}
		return fmt.Errorf("%s: got a JSON %s, want %s", field, te.Value, goKind(te.Type))
	case errors.As(err, &se):
		return fmt.Errorf("%s: invalid JSON at byte %d: %v", what, se.Offset, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// goKind names a Go type by the JSON value that decodes into it.
func goKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Pointer:
		return goKind(t.Elem())
	}
	return "a number"
}
