package publish

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/ecsaudit/ecsaudit/internal/asff"
	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/state"
)

// MaxMessageBytes is SNS's limit on a message, attributes included.
const MaxMessageBytes = 256 * 1024

const (
	maxSubject = 99
	// maxField bounds each free text of one finding so that one finding always fits a message.
	maxField = 1000
	// splitMargin leaves room for what varies between the size check and the final message (part numbers).
	splitMargin = 1024
)

// NotifyOptions configure a Notifier.
type NotifyOptions struct {
	TopicARN string
	// Threshold is the lowest severity notified (default HIGH).
	Threshold rule.Severity
	// AlertProfile, when set, is the only rule profile whose new failures are notified (the configuration's
	// alertProfile); empty notifies both. Security Hub receives the findings of both either way.
	AlertProfile rule.Profile
	// Baseline records findings as notified without sending.
	Baseline bool
	// MaxListed caps the findings listed in the text body (default 20); the JSON form lists all.
	MaxListed int
	// Partition picks the console host for links when a finding's region does not tell (default from the region).
	Partition string
	// MaxBytes is the size limit of one message (default MaxMessageBytes); tests lower it to exercise splitting.
	MaxBytes int
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// NotifyResult says what one notification did.
type NotifyResult struct {
	// Messages is the number of SNS messages published.
	Messages int
	// Notified lists the finding Ids announced.
	Notified []string
	// Baselined lists the finding Ids recorded as notified without a message.
	Baselined []string
}

// Notifier publishes finding summaries to one SNS topic: it tells people about new failures without flooding them.
// One message per invocation (per account) summarises the FAILED findings at or above a threshold that were never
// notified before, and the finding state (package state) then records them as notified, so no finding is announced
// twice.
//
// A message has a subject under 100 characters, a readable text body (resource, rule, severity, container, what was
// seen, why it matters, how to fix, a Security Hub console link), capped at a number of listed findings with
// "and N more" and where to see them, and a JSON form for machines: it is published with MessageStructure json, the
// text under "default" (email and SMS) and one JSON document under "sqs", "lambda", "http" and "https". Message
// attributes serve subscription filter policies: maxSeverity and account (String), severities, ruleIds and
// resourceTypes (String.Array). A message that would exceed SNS's 256 KB (body and attributes) is split in parts.
//
// With Baseline set, the findings are recorded as notified without sending anything: the first sweep of a large
// account then does not announce every finding that predates the auditor.
//
// Each finding is announced once per transition (its creation, or a re-opening; state.Record.Transition): before
// a message is built, every finding in it is claimed in the state table with a condition (ClaimNotification), so of
// concurrent invocations, or of a retry racing the invocation it retries, only one lists it. A finding is marked
// after its message was accepted; a message that fails releases its claims, and a claim left by an invocation that
// stopped lapses after ClaimLease, so a failure sends the finding again later rather than never. The message's
// notificationId is derived from the transitions it announces, so the same announcement sent again carries the same
// id.
type Notifier struct {
	sns   *sns.Client
	store *state.Store
	opts  NotifyOptions
}

// NewNotifier returns a notifier.
func NewNotifier(client *sns.Client, store *state.Store, opts NotifyOptions) *Notifier {
	if opts.Threshold == "" {
		opts.Threshold = rule.High
	}
	if opts.MaxListed <= 0 {
		opts.MaxListed = 20
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = MaxMessageBytes
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Notifier{sns: client, store: store, opts: opts}
}

// Notify announces the new FAILED findings among fs (usually Outcome.Notify) and marks them notified.
// Findings without a stored, open, unsuppressed record are left out: they were not published.
func (n *Notifier) Notify(ctx context.Context, fs []engine.Finding) (res NotifyResult, err error) {
	var ids []string
	byID := map[string]*engine.Finding{}
	for i := range fs {
		f := &fs[i]
		id := f.ID()
		if f.Status != rule.Failed || byID[id] != nil {
			continue
		}
		byID[id] = f
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return res, nil
	}
	recs, err := n.store.Get(ctx, ids)
	if err != nil {
		return res, err
	}
	var fresh []*engine.Finding
	for _, id := range ids {
		r := recs[id]
		if r == nil || r.Notified || !r.Open() || r.Workflow == state.WorkflowSuppressed {
			continue
		}
		fresh = append(fresh, byID[id])
	}
	now := n.opts.Now()
	if n.opts.Baseline {
		// Every new failure, whatever its severity: a later threshold change must not announce the baseline.
		var marks []state.Announced
		for _, f := range fresh {
			res.Baselined = append(res.Baselined, f.ID())
			marks = append(marks, state.Announced{FindingID: f.ID(), Transition: recs[f.ID()].Transition})
		}
		if err := n.store.MarkNotified(ctx, marks, now); err != nil {
			return res, err
		}
		return res, nil
	}
	var due []*engine.Finding
	for _, f := range fresh {
		if f.Severity.AtLeast(n.opts.Threshold) && (n.opts.AlertProfile == "" || f.Rule.Profile == n.opts.AlertProfile) {
			due = append(due, f)
		}
	}
	sort.SliceStable(due, func(i, j int) bool {
		a, b := due[i], due[j]
		if a.Severity.Rank() != b.Severity.Rank() {
			return a.Severity.Rank() > b.Severity.Rank()
		}
		if a.Subject.ID != b.Subject.ID {
			return a.Subject.ID < b.Subject.ID
		}
		if a.Rule.ID != b.Rule.ID {
			return a.Rule.ID < b.Rule.ID
		}
		return a.Container < b.Container
	})
	if len(due) > 0 && n.opts.TopicARN == "" {
		return res, errNoTopic
	}
	due, err = n.claim(ctx, due, recs, now)
	if err != nil {
		return res, err
	}
	var unsent []*engine.Finding
	defer func() {
		// Claims of what was not sent are given back, so a retry announces it at once.
		for _, f := range unsent {
			if rerr := n.store.ReleaseNotification(context.WithoutCancel(ctx), f.ID(), recs[f.ID()].Transition); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}
	}()
	groups := byAccount(due, recs)
	for g, group := range groups {
		parts := n.split(group.findings, group.account, now)
		for i, part := range parts {
			msg := n.render(part, group.account, i+1, len(parts), transitions(part, recs), now)
			if _, err := n.sns.Publish(ctx, msg.input(n.opts.TopicARN)); err != nil {
				for _, rest := range parts[i:] {
					unsent = append(unsent, rest...)
				}
				for _, later := range groups[g+1:] {
					unsent = append(unsent, later.findings...)
				}
				return res, fmt.Errorf("publish notification to %s: %w", n.opts.TopicARN, err)
			}
			res.Messages++
			var sent []string
			var marks []state.Announced
			for _, f := range part {
				sent = append(sent, f.ID())
				marks = append(marks, state.Announced{FindingID: f.ID(), Transition: recs[f.ID()].Transition})
			}
			if err := n.store.MarkNotified(ctx, marks, now); err != nil {
				return res, err
			}
			res.Notified = append(res.Notified, sent...)
		}
	}
	return res, nil
}

// ClaimLease is how long a claim on a finding's announcement stands when the invocation holding it neither sends
// nor releases it (it stopped): longer than an invocation sending its messages takes.
const ClaimLease = 5 * time.Minute

// claim claims the announcement of each finding's transition and returns the ones this invocation won.
func (n *Notifier) claim(ctx context.Context, fs []*engine.Finding, recs map[string]*state.Record, now time.Time) ([]*engine.Finding, error) {
	won := make([]bool, len(fs))
	errs := make([]error, len(fs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i, f := range fs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			won[i], errs[i] = n.store.ClaimNotification(ctx, f.ID(), recs[f.ID()].Transition, now, ClaimLease)
		}()
	}
	wg.Wait()
	var out []*engine.Finding
	for i, f := range fs {
		if won[i] {
			out = append(out, f)
		}
	}
	if err := errors.Join(errs...); err != nil {
		for _, f := range out {
			err = errors.Join(err, n.store.ReleaseNotification(context.WithoutCancel(ctx), f.ID(), recs[f.ID()].Transition))
		}
		return nil, err
	}
	return out, nil
}

// transitions lists the finding transitions a message announces, for its notificationId.
func transitions(fs []*engine.Finding, recs map[string]*state.Record) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.ID() + "@" + recs[f.ID()].Transition
	}
	return out
}

type accountGroup struct {
	account  string
	findings []*engine.Finding
}

// byAccount keeps one message per account: the account is a message attribute subscribers filter on.
func byAccount(fs []*engine.Finding, recs map[string]*state.Record) []accountGroup {
	var out []accountGroup
	index := map[string]int{}
	for _, f := range fs {
		acct := f.Subject.Account
		if acct == "" {
			acct = recs[f.ID()].Account
		}
		i, ok := index[acct]
		if !ok {
			i = len(out)
			index[acct] = i
			out = append(out, accountGroup{account: acct})
		}
		out[i].findings = append(out[i].findings, f)
	}
	return out
}

// split cuts a list into parts whose messages fit the size limit, halving any part that is too large.
func (n *Notifier) split(fs []*engine.Finding, account string, now time.Time) [][]*engine.Finding {
	limit := n.opts.MaxBytes - splitMargin
	var out [][]*engine.Finding
	var cut func(part []*engine.Finding)
	cut = func(part []*engine.Finding) {
		if len(part) > 1 && n.render(part, account, 1, 1, nil, now).size() > limit {
			half := len(part) / 2
			cut(part[:half])
			cut(part[half:])
			return
		}
		out = append(out, part)
	}
	cut(fs)
	return out
}

// message is one rendered SNS message.
type message struct {
	subject    string
	body       string
	attributes map[string]snstypes.MessageAttributeValue
}

func (m message) input(topic string) *sns.PublishInput {
	return &sns.PublishInput{
		TopicArn:          aws.String(topic),
		Subject:           aws.String(m.subject),
		Message:           aws.String(m.body),
		MessageStructure:  aws.String("json"),
		MessageAttributes: m.attributes,
	}
}

// size is what SNS counts against its limit: the message and every attribute's name, type and value.
func (m message) size() int {
	n := len(m.body) + len(m.subject)
	for k, v := range m.attributes {
		n += len(k) + len(aws.ToString(v.DataType)) + len(aws.ToString(v.StringValue))
	}
	return n
}

// Document is the JSON form of a notification, sent to sqs, lambda, http and https subscribers.
type Document struct {
	// NotificationID names the message by the findings it announces (a hash of their sorted Ids): a message sent
	// again after a failure has the same one, so subscribers can drop repeats. It is also the notificationId
	// message attribute.
	NotificationID string   `json:"notificationId"`
	Source         string   `json:"source"`
	Account        string   `json:"account,omitempty"`
	Regions        []string `json:"regions,omitempty"`
	Threshold      string   `json:"threshold"`
	MaxSeverity    string   `json:"maxSeverity"`
	// Count is the number of findings in this message; Part and Parts number the messages of one invocation.
	Count       int          `json:"count"`
	Part        int          `json:"part"`
	Parts       int          `json:"parts"`
	GeneratedAt string       `json:"generatedAt"`
	ConsoleURL  string       `json:"consoleUrl"`
	Findings    []DocFinding `json:"findings"`
}

// DocFinding is one finding in a Document.
type DocFinding struct {
	ID             string `json:"id"`
	RuleID         string `json:"ruleId"`
	Title          string `json:"title"`
	Severity       string `json:"severity"`
	ResourceType   string `json:"resourceType"`
	ResourceID     string `json:"resourceId"`
	Container      string `json:"container,omitempty"`
	Region         string `json:"region,omitempty"`
	Detail         string `json:"detail,omitempty"`
	Description    string `json:"description,omitempty"`
	Remediation    string `json:"remediation,omitempty"`
	RemediationURL string `json:"remediationUrl,omitempty"`
	ConsoleURL     string `json:"consoleUrl"`
}

// render builds the message for one part.
func (n *Notifier) render(fs []*engine.Finding, account string, part, parts int, announced []string, now time.Time) message {
	region := ""
	if len(fs) > 0 {
		region = fs[0].Subject.Region
	}
	doc := Document{
		Source: asff.ProductName, Account: account, Threshold: string(n.opts.Threshold),
		Count: len(fs), Part: part, Parts: parts, GeneratedAt: state.FormatTime(now),
		ConsoleURL: n.allFindingsURL(region),
	}
	var sevs, rules, types []string
	max := rule.Severity("")
	for _, f := range fs {
		if f.Severity.Rank() > max.Rank() {
			max = f.Severity
		}
		doc.Regions = appendNew(doc.Regions, f.Subject.Region)
		sevs = appendNew(sevs, string(f.Severity))
		rules = appendNew(rules, f.Rule.ID)
		types = appendNew(types, f.Subject.Type)
		doc.Findings = append(doc.Findings, n.docFinding(f))
	}
	doc.MaxSeverity = string(max)
	doc.NotificationID = NotificationID(announced)
	sort.Slice(sevs, func(i, j int) bool { return rule.Severity(sevs[i]).Rank() > rule.Severity(sevs[j]).Rank() })
	sort.Strings(rules)
	sort.Strings(types)
	sort.Strings(doc.Regions)

	// Encoding plain strings and ints cannot fail.
	docJSON, _ := json.Marshal(doc)
	text := n.text(doc, fs)
	body, _ := json.Marshal(map[string]string{
		"default": text, "sqs": string(docJSON), "lambda": string(docJSON),
		"http": string(docJSON), "https": string(docJSON),
	})
	attrs := map[string]snstypes.MessageAttributeValue{
		"maxSeverity":    stringAttr(string(max)),
		"severities":     arrayAttr(sevs),
		"ruleIds":        arrayAttr(rules),
		"resourceTypes":  arrayAttr(types),
		"notificationId": stringAttr(doc.NotificationID),
	}
	if account != "" {
		attrs["account"] = stringAttr(account)
	}
	return message{subject: subject(fs, account, max, part, parts), body: string(body), attributes: attrs}
}

// NotificationID is the id of a message announcing the given finding transitions ("<finding Id>@<transition>"):
// the first 128 bits, in hex, of a SHA-256 over them sorted.
func NotificationID(announced []string) string {
	ids := append([]string(nil), announced...)
	sort.Strings(ids)
	h := sha256.New()
	for _, id := range ids {
		h.Write([]byte(id))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func (n *Notifier) docFinding(f *engine.Finding) DocFinding {
	d := DocFinding{
		ID: f.ID(), RuleID: f.Rule.ID, Title: clip(title(f), maxField), Severity: string(f.Severity),
		ResourceType: f.Subject.Type, ResourceID: f.Subject.ID, Container: f.Container, Region: f.Subject.Region,
		Detail: clip(f.Detail, maxField), Remediation: clip(f.Rule.Remediation, maxField),
		Description: clip(f.Rule.Description, maxField), RemediationURL: f.Rule.RemediationURL,
		ConsoleURL: n.findingURL(f),
	}
	return d
}

func (n *Notifier) text(doc Document, fs []*engine.Finding) string {
	var b strings.Builder
	where := "account " + doc.Account
	if doc.Account == "" {
		where = "your account"
	}
	noun := "findings"
	if doc.Count == 1 {
		noun = "finding"
	}
	if len(doc.Regions) > 0 {
		where += " (" + strings.Join(doc.Regions, ", ") + ")"
	}
	fmt.Fprintf(&b, "ecsaudit found %d new %s at or above %s in %s", doc.Count, noun, doc.Threshold, where)
	if doc.Parts > 1 {
		fmt.Fprintf(&b, " (message %d of %d)", doc.Part, doc.Parts)
	}
	b.WriteString(".\n")
	for i, d := range doc.Findings {
		if i == n.opts.MaxListed {
			break
		}
		fmt.Fprintf(&b, "\n%d. %s - %s\n", i+1, d.Severity, d.Title)
		fmt.Fprintf(&b, "   Resource:       %s (%s)\n", d.ResourceID, d.ResourceType)
		if d.Container != "" {
			fmt.Fprintf(&b, "   Container:      %s\n", d.Container)
		}
		fmt.Fprintf(&b, "   Rule:           %s\n", d.RuleID)
		if d.Detail != "" {
			fmt.Fprintf(&b, "   Seen:           %s\n", d.Detail)
		}
		if d.Description != "" {
			fmt.Fprintf(&b, "   Why it matters: %s\n", d.Description)
		}
		if d.Remediation != "" || d.RemediationURL != "" {
			fmt.Fprintf(&b, "   How to fix:     %s\n", strings.TrimSpace(d.Remediation+" "+d.RemediationURL))
		}
		fmt.Fprintf(&b, "   Security Hub:   %s\n", d.ConsoleURL)
	}
	if more := len(fs) - n.opts.MaxListed; more > 0 {
		fmt.Fprintf(&b, "\n... and %d more. The JSON form of this message lists them all; Security Hub shows every open finding: %s\n",
			more, doc.ConsoleURL)
	} else {
		fmt.Fprintf(&b, "\nAll open findings in Security Hub: %s\n", doc.ConsoleURL)
	}
	return b.String()
}

// subject is printable ASCII under 100 characters, as SNS requires.
func subject(fs []*engine.Finding, account string, max rule.Severity, part, parts int) string {
	var s string
	if len(fs) == 1 {
		f := fs[0]
		s = fmt.Sprintf("ecsaudit %s: %s on %s", f.Severity, title(f), shortName(f.Subject.ID))
		if f.Container != "" {
			s += ", container " + f.Container
		}
	} else {
		s = fmt.Sprintf("ecsaudit: %d new findings, highest %s", len(fs), max)
		if account != "" {
			s += ", account " + account
		}
	}
	suffix := ""
	if parts > 1 {
		suffix = " (" + strconv.Itoa(part) + "/" + strconv.Itoa(parts) + ")"
	}
	return clipASCII(s, maxSubject-len(suffix)) + suffix
}

func title(f *engine.Finding) string {
	if f.Rule.Title != "" {
		return f.Rule.Title
	}
	return f.Rule.ID
}

// shortName is the last part of an ARN ("web:3", "repository/app" → "app").
func shortName(id string) string {
	if i := strings.LastIndex(id, "/"); i >= 0 && i < len(id)-1 {
		return id[i+1:]
	}
	return id
}

func clipASCII(s string, max int) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r > 0x7e:
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
	}
	out := b.String()
	if len(out) > max {
		out = strings.TrimRight(out[:max-3], " ") + "..."
	}
	return out
}

// clip shortens s to at most max bytes on a character boundary.
func clip(s string, max int) string {
	s = strings.TrimSpace(s)
	if len(s) <= max {
		return s
	}
	cut := max - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func appendNew(list []string, v string) []string {
	if v == "" {
		return list
	}
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

func stringAttr(v string) snstypes.MessageAttributeValue {
	return snstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
}

func arrayAttr(vs []string) snstypes.MessageAttributeValue {
	if vs == nil {
		vs = []string{}
	}
	data, _ := json.Marshal(vs)
	return snstypes.MessageAttributeValue{DataType: aws.String("String.Array"), StringValue: aws.String(string(data))}
}

// errNoTopic is returned when Notify has something to send and no topic.
var errNoTopic = errors.New("no SNS topic ARN configured for notifications")

// Console links.

// consoleHost returns the AWS console host of the partition the region belongs to.
func (n *Notifier) consoleHost(region string) string {
	partition := model.PartitionOf(region)
	if region == "" || partition == "" {
		partition = n.opts.Partition
	}
	switch partition {
	case "aws-cn":
		return "console.amazonaws.cn"
	case "aws-us-gov":
		return "console.amazonaws-us-gov.com"
	}
	return "console.aws.amazon.com"
}

// searchURL opens the Security Hub findings page filtered on one field equal to value. The console reads its
// filter from the fragment, with the operator and value encoded twice.
func (n *Notifier) searchURL(region, field, value string) string {
	u := "https://" + n.consoleHost(region) + "/securityhub/home"
	if region != "" {
		u += "?region=" + url.QueryEscape(region)
	}
	return u + "#/findings?search=" + field + "%3D%255Coperator%255C%253AEQUALS%255C%253A" + url.QueryEscape(url.QueryEscape(value))
}

func (n *Notifier) findingURL(f *engine.Finding) string {
	return n.searchURL(f.Subject.Region, "Id", f.ID())
}

func (n *Notifier) allFindingsURL(region string) string {
	return n.searchURL(region, "ProductName", asff.ProductName)
}
