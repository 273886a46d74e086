package publish

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/state"
	"github.com/ecsaudit/ecsaudit/internal/testenv/awstest"
	"github.com/ecsaudit/ecsaudit/internal/testenv/emulator"
)

var now = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// containerRule fails every container whose name starts with prefix, quoting only the container's name and image.
func containerRule(id string, sev rule.Severity, prefix string) *rule.Rule[*model.TaskDefinition] {
	return &rule.Rule[*model.TaskDefinition]{
		Meta: rule.Meta{
			ID: id, Title: "Test rule " + id, Severity: sev, Level: rule.ContainerLevel, ResourceType: rule.TypeTaskDefinition,
			Description:    "Why " + id + " matters to the host.",
			Remediation:    "Fix " + id + " in the container definition.",
			RemediationURL: "https://example.com/" + id,
		},
		Check: func(t *model.TaskDefinition, _ *rule.Env) []rule.Result {
			var out []rule.Result
			for i, c := range t.Def.ContainerDefinitions {
				st := rule.Passed
				if strings.HasPrefix(t.ContainerName(i), prefix) {
					st = rule.Failed
				}
				out = append(out, rule.Result{Container: t.ContainerName(i), Status: st,
					Detail: fmt.Sprintf("container %q runs %s", t.ContainerName(i), aws.ToString(c.Image))})
			}
			return out
		},
	}
}

var notifyCatalog = engine.NewCatalog(
	containerRule("test.critical", rule.Critical, "crit"),
	containerRule("test.high", rule.High, "high"),
	containerRule("test.low", rule.Low, "low"),
)

// taskDef builds a revision whose containers carry a planted secret in every place a task definition can hold one.
func notifyTaskDef(family string, containers ...string) *model.TaskDefinition {
	arn := fmt.Sprintf("arn:aws:ecs:%s:%s:task-definition/%s:1", testRegion, testAccount, family)
	td := &model.TaskDefinition{
		Ref: model.Ref{ARN: arn, Partition: "aws", Account: testAccount, Region: testRegion, Source: "test"},
		Def: ecstypes.TaskDefinition{TaskDefinitionArn: aws.String(arn), Family: aws.String(family), Revision: 1},
	}
	for _, name := range containers {
		td.Def.ContainerDefinitions = append(td.Def.ContainerDefinitions, ecstypes.ContainerDefinition{
			Name:         aws.String(name),
			Image:        aws.String("nginx:1.27"),
			Environment:  []ecstypes.KeyValuePair{{Name: aws.String("DB_PASSWORD"), Value: aws.String(plantedSecret)}},
			Secrets:      []ecstypes.Secret{{Name: aws.String("API_KEY"), ValueFrom: aws.String("arn:aws:ssm:us-east-1:123456789012:parameter/" + plantedSecret)}},
			DockerLabels: map[string]string{"token": plantedSecret},
			Command:      []string{"--password=" + plantedSecret},
			EntryPoint:   []string{"sh", "-c", "echo " + plantedSecret},
			RepositoryCredentials: &ecstypes.RepositoryCredentials{
				CredentialsParameter: aws.String("arn:aws:secretsmanager:us-east-1:123456789012:secret:" + plantedSecret),
			},
			LogConfiguration: &ecstypes.LogConfiguration{
				LogDriver: ecstypes.LogDriverSplunk,
				Options:   map[string]string{"splunk-token": plantedSecret},
			},
		})
	}
	return td
}

type notifyEnv struct {
	t     *testing.T
	shim  *emulator.Shim
	hub   *securityhub.Client
	db    *dynamodb.Client
	sns   *sns.Client
	sqs   *sqs.Client
	store *state.Store
	topic string
	queue string
	eng   *engine.Engine
	// runs counts the runs: each observes the resources a minute after the one before, as a later event would.
	runs int
}

// newNotifyEnv enables Security Hub, creates the state table, and subscribes an SQS queue to a new topic.
func newNotifyEnv(t *testing.T) *notifyEnv {
	t.Helper()
	srv := awstest.Emulator(t)
	shim, err := emulator.NewShim(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(shim)
	t.Cleanup(ts.Close)
	cfg := awstest.Config(ts.URL, testRegion)
	e := &notifyEnv{
		t: t, shim: shim, hub: securityhub.NewFromConfig(cfg), db: dynamodb.NewFromConfig(cfg),
		sns: sns.NewFromConfig(cfg), sqs: sqs.NewFromConfig(cfg), eng: engine.New(notifyCatalog, nil),
	}
	ctx := context.Background()
	if _, err := e.hub.EnableSecurityHub(ctx, &securityhub.EnableSecurityHubInput{}); err != nil {
		t.Fatal(err)
	}
	if err := state.CreateTable(ctx, e.db, testTable); err != nil {
		t.Fatal(err)
	}
	e.store = state.New(e.db, testTable)
	topic, err := e.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("ecsaudit-findings")})
	if err != nil {
		t.Fatal(err)
	}
	e.topic = aws.ToString(topic.TopicArn)
	q, err := e.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("subscriber")})
	if err != nil {
		t.Fatal(err)
	}
	e.queue = aws.ToString(q.QueueUrl)
	attrs, err := e.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.sns.Subscribe(ctx, &sns.SubscribeInput{
		TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(attrs.Attributes["QueueArn"]),
	}); err != nil {
		t.Fatal(err)
	}
	return e
}

// run is one invocation: evaluate, publish, notify.
func (e *notifyEnv) run(opts NotifyOptions, tds ...*model.TaskDefinition) (Outcome, NotifyResult) {
	e.t.Helper()
	ctx := context.Background()
	at := now.Add(time.Duration(e.runs) * time.Minute)
	e.runs++
	var ev []engine.Evaluated
	for _, td := range tds {
		ev = append(ev, engine.Evaluated{ResourceID: td.ID(), Resource: td, Findings: e.eng.EvaluateOne(td, at)})
	}
	p := New(e.hub, e.store, Options{
		Account: testAccount, Region: testRegion, Version: "test", Lookup: notifyCatalog.Lookup,
		Now: func() time.Time { return at },
	})
	out, err := p.Publish(ctx, ev)
	if err != nil {
		e.t.Fatalf("publish: %v", err)
	}
	opts.TopicARN = e.topic
	opts.Now = func() time.Time { return at }
	res, err := NewNotifier(e.sns, e.store, opts).Notify(ctx, out.Notify)
	if err != nil {
		e.t.Fatalf("notify: %v", err)
	}
	return out, res
}

// delivered is one message as the SQS subscriber receives it.
type delivered struct {
	Subject    string
	Doc        Document
	Attributes map[string]string
}

// receive drains the subscriber queue.
func (e *notifyEnv) receive() []delivered {
	e.t.Helper()
	var out []delivered
	for {
		resp, err := e.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(e.queue), MaxNumberOfMessages: 10,
		})
		if err != nil {
			e.t.Fatal(err)
		}
		if len(resp.Messages) == 0 {
			break
		}
		for _, m := range resp.Messages {
			var envelope struct {
				Subject           string
				Message           string
				MessageAttributes map[string]struct{ Type, Value string }
			}
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &envelope); err != nil {
				e.t.Fatalf("SNS envelope: %v", err)
			}
			d := delivered{Subject: envelope.Subject, Attributes: map[string]string{}}
			if err := json.Unmarshal([]byte(envelope.Message), &d.Doc); err != nil {
				e.t.Fatalf("the sqs form is not the JSON document: %v\n%s", err, envelope.Message)
			}
			for k, v := range envelope.MessageAttributes {
				d.Attributes[k] = v.Type + " " + v.Value
			}
			out = append(out, d)
			if _, err := e.sqs.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(e.queue), ReceiptHandle: m.ReceiptHandle}); err != nil {
				e.t.Fatal(err)
			}
		}
	}
	return out
}

// texts returns the "default" (text) form of every SNS message published through the shim.
func (e *notifyEnv) texts() []string {
	e.t.Helper()
	var out []string
	for _, r := range e.shim.Requests() {
		if r.API != "sns:Publish" {
			continue
		}
		form, err := url.ParseQuery(string(r.Body))
		if err != nil {
			e.t.Fatal(err)
		}
		var forms map[string]string
		if err := json.Unmarshal([]byte(form.Get("Message")), &forms); err != nil {
			e.t.Fatalf("message structure: %v", err)
		}
		out = append(out, forms["default"])
	}
	return out
}

func docIDs(d Document) []string {
	var ids []string
	for _, f := range d.Findings {
		ids = append(ids, f.ID)
	}
	sort.Strings(ids)
	return ids
}

func id(td *model.TaskDefinition, ruleID, container string) string {
	return engine.FindingID(ruleID, td.ID(), container)
}

// hashIDs is the notificationId of a message announcing the current transitions of the findings ids.
func hashIDs(t *testing.T, e *notifyEnv, ids []string) string {
	t.Helper()
	var announced []string
	for _, id := range ids {
		announced = append(announced, id+"@"+recordOf(t, e, id).Transition)
	}
	sort.Strings(announced)
	sum := sha256.Sum256([]byte(strings.Join(announced, "\x00") + "\x00"))
	return hex.EncodeToString(sum[:16])
}

func TestNotifySummarisesNewFailures(t *testing.T) {
	e := newNotifyEnv(t)
	e.shim.Capture(true)
	web := notifyTaskDef("web", "crit-app", "high-proxy", "low-log")
	api := notifyTaskDef("api", "high-api")
	_, res := e.run(NotifyOptions{}, web, api)
	if res.Messages != 1 || len(res.Notified) != 3 {
		t.Fatalf("result %+v, want one message about 3 findings", res)
	}
	msgs := e.receive()
	if len(msgs) != 1 {
		t.Fatalf("%d messages delivered, want 1", len(msgs))
	}
	m := msgs[0]
	want := sorted(id(web, "test.critical", "crit-app"), id(web, "test.high", "high-proxy"), id(api, "test.high", "high-api"))
	if got := docIDs(m.Doc); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("document lists %v, want %v (LOW is under the threshold)", got, want)
	}
	if m.Doc.MaxSeverity != "CRITICAL" || m.Doc.Count != 3 || m.Doc.Account != testAccount || m.Doc.Findings[0].Severity != "CRITICAL" {
		t.Errorf("document header %+v", m.Doc)
	}
	wantAttrs := map[string]string{
		"maxSeverity":   "String CRITICAL",
		"severities":    `String.Array ["CRITICAL","HIGH"]`,
		"ruleIds":       `String.Array ["test.critical","test.high"]`,
		"resourceTypes": `String.Array ["AwsEcsTaskDefinition"]`,
		"account":       "String " + testAccount,
		// The first 16 bytes of SHA-256 over the sorted "<Id>@<transition>", each followed by a NUL byte.
		"notificationId": "String " + hashIDs(t, e, want),
	}
	if m.Doc.NotificationID != hashIDs(t, e, want) {
		t.Errorf("notificationId %q in the document, want %q", m.Doc.NotificationID, hashIDs(t, e, want))
	}
	if fmt.Sprint(m.Attributes) != fmt.Sprint(wantAttrs) {
		t.Errorf("attributes %v\nwant %v", m.Attributes, wantAttrs)
	}
	if len(m.Subject) >= 100 || !strings.Contains(m.Subject, "3 new findings") || !strings.Contains(m.Subject, "CRITICAL") {
		t.Errorf("subject %q", m.Subject)
	}

	text := e.texts()[0]
	for _, part := range []string{
		"ecsaudit found 3 new findings at or above HIGH in account " + testAccount + " (us-east-1).",
		"1. CRITICAL - Test rule test.critical",
		"Resource:       " + web.ID() + " (AwsEcsTaskDefinition)",
		"Container:      crit-app",
		"Rule:           test.critical",
		`Seen:           container "crit-app" runs nginx:1.27`,
		"Why it matters: Why test.critical matters to the host.",
		"How to fix:     Fix test.critical in the container definition. https://example.com/test.critical",
		"Security Hub:   https://console.aws.amazon.com/securityhub/home?region=us-east-1#/findings?search=Id%3D%255Coperator%255C%253AEQUALS%255C%253A",
		"All open findings in Security Hub: https://console.aws.amazon.com/securityhub/home?region=us-east-1#/findings?search=ProductName",
	} {
		if !strings.Contains(text, part) {
			t.Errorf("text lacks %q:\n%s", part, text)
		}
	}

	for _, fid := range want {
		if r := recordOf(t, e, fid); !r.Notified || !r.NotifiedAt.Equal(now) {
			t.Errorf("%s not marked notified: %+v", fid, r)
		}
	}
	if r := recordOf(t, e, id(web, "test.low", "low-log")); r == nil || r.Notified {
		t.Errorf("the LOW finding: %+v, want stored and not notified", r)
	}
}

func TestNoRepeatNotification(t *testing.T) {
	e := newNotifyEnv(t)
	web := notifyTaskDef("web", "high-app")
	first, _ := e.run(NotifyOptions{}, web)
	if n := len(e.receive()); n != 1 || len(first.Notify) != 1 {
		t.Fatalf("first run: %d messages, %d candidates", n, len(first.Notify))
	}
	// The notifier itself refuses to announce a finding twice, whatever list it is given.
	res, err := NewNotifier(e.sns, e.store, NotifyOptions{TopicARN: e.topic}).Notify(context.Background(), first.Notify)
	if err != nil || res.Messages != 0 || len(e.receive()) != 0 {
		t.Fatalf("same candidates again: %+v %v", res, err)
	}
	// Same findings: nothing to say.
	if _, res := e.run(NotifyOptions{}, web); res.Messages != 0 || len(e.receive()) != 0 {
		t.Fatalf("second run announced again: %+v", res)
	}
	// A new failure: only it is announced.
	web.Def.ContainerDefinitions = append(web.Def.ContainerDefinitions, ecstypes.ContainerDefinition{Name: aws.String("high-new"), Image: aws.String("busybox")})
	e.run(NotifyOptions{}, web)
	msgs := e.receive()
	if len(msgs) != 1 || fmt.Sprint(docIDs(msgs[0].Doc)) != fmt.Sprint([]string{id(web, "test.high", "high-new")}) {
		t.Fatalf("third run: %+v", msgs)
	}
	if msgs[0].Subject != "ecsaudit HIGH: Test rule test.high on web:1, container high-new" {
		t.Errorf("single-finding subject %q", msgs[0].Subject)
	}
}

func TestNotifyBaseline(t *testing.T) {
	e := newNotifyEnv(t)
	web := notifyTaskDef("web", "crit-app", "low-log")
	_, res := e.run(NotifyOptions{Baseline: true}, web)
	if res.Messages != 0 || len(res.Baselined) != 2 || len(e.receive()) != 0 {
		t.Fatalf("baseline sent something: %+v", res)
	}
	// After the baseline, even a lower threshold announces nothing old.
	if _, res := e.run(NotifyOptions{Threshold: rule.Low}, web); res.Messages != 0 {
		t.Fatalf("baselined findings announced: %+v", res)
	}
	web.Def.ContainerDefinitions = append(web.Def.ContainerDefinitions, ecstypes.ContainerDefinition{Name: aws.String("crit-new"), Image: aws.String("busybox")})
	e.run(NotifyOptions{}, web)
	if msgs := e.receive(); len(msgs) != 1 || msgs[0].Doc.Count != 1 {
		t.Fatalf("new finding after baseline: %+v", msgs)
	}
}

func TestNotifyCapsTheTextListing(t *testing.T) {
	e := newNotifyEnv(t)
	e.shim.Capture(true)
	var names []string
	for i := range 25 {
		names = append(names, fmt.Sprintf("high-%02d", i))
	}
	e.run(NotifyOptions{}, notifyTaskDef("web", names...))
	msgs := e.receive()
	if len(msgs) != 1 || msgs[0].Doc.Count != 25 || len(msgs[0].Doc.Findings) != 25 {
		t.Fatalf("messages %d, document count %d", len(msgs), msgs[0].Doc.Count)
	}
	text := e.texts()[0]
	if !strings.Contains(text, "\n20. HIGH") || strings.Contains(text, "\n21. ") || !strings.Contains(text, "... and 5 more.") {
		t.Fatalf("text not capped at 20 with \"and 5 more\":\n%s", text)
	}
}

func TestNotifySplitsLargeMessages(t *testing.T) {
	e := newNotifyEnv(t)
	var names []string
	for i := range 40 {
		names = append(names, fmt.Sprintf("high-%02d", i))
	}
	const limit = 16 * 1024
	_, res := e.run(NotifyOptions{MaxBytes: limit}, notifyTaskDef("web", names...))
	msgs := e.receive()
	if res.Messages < 2 || len(msgs) != res.Messages {
		t.Fatalf("%d messages published, %d delivered: want several", res.Messages, len(msgs))
	}
	seen := map[string]int{}
	partIDs := map[string]bool{}
	for i, m := range msgs {
		for _, f := range m.Doc.Findings {
			seen[f.ID]++
		}
		if ids := docIDs(m.Doc); m.Doc.NotificationID != hashIDs(t, e, ids) || partIDs[m.Doc.NotificationID] {
			t.Errorf("message %d: notificationId %q, want %q, distinct from the other parts'", i, m.Doc.NotificationID, hashIDs(t, e, ids))
		}
		partIDs[m.Doc.NotificationID] = true
		if m.Doc.Parts != len(msgs) || !strings.HasSuffix(m.Subject, fmt.Sprintf("/%d)", len(msgs))) {
			t.Errorf("message %d: part %d/%d, subject %q", i, m.Doc.Part, m.Doc.Parts, m.Subject)
		}
	}
	if len(seen) != 40 {
		t.Fatalf("%d distinct findings across the parts, want 40", len(seen))
	}
	for fid, n := range seen {
		if n != 1 {
			t.Errorf("%s announced %d times", fid, n)
		}
	}
	// Each part fits the limit as SNS counts it.
	n := NewNotifier(nil, nil, NotifyOptions{MaxBytes: limit, Now: func() time.Time { return now }})
	var fs []*engine.Finding
	for _, f := range e.eng.EvaluateOne(notifyTaskDef("web", names...), now) {
		if f.Status == rule.Failed {
			fs = append(fs, &f)
		}
	}
	parts := n.split(fs, testAccount, now)
	for i, p := range parts {
		if size := n.render(p, testAccount, i+1, len(parts), nil, now).size(); size > limit {
			t.Errorf("part %d is %d bytes, over %d", i+1, size, limit)
		}
	}
}

// Nothing sent to any service, and nothing stored, carries a planted secret value.
func TestNoPlantedSecretSentOrStored(t *testing.T) {
	e := newNotifyEnv(t)
	e.shim.Capture(true)
	web := notifyTaskDef("web", "crit-app", "high-proxy")
	out, res := e.run(NotifyOptions{}, web)
	if out.Created == 0 || res.Messages != 1 {
		t.Fatalf("nothing was sent: %+v %+v", out, res)
	}
	var apis []string
	for _, r := range e.shim.Requests() {
		apis = append(apis, r.API)
		if r.API == "securityhub:BatchImportFindings" && !strings.Contains(string(r.Body), "DB_PASSWORD") {
			t.Error("the container details were not sent: the check below would prove nothing")
		}
		if strings.Contains(string(r.Body), plantedSecret) || strings.Contains(url.QueryEscape(string(r.Body)), url.QueryEscape(plantedSecret)) {
			t.Errorf("%s request carries the planted secret", r.API)
		}
	}
	for _, api := range []string{"securityhub:BatchImportFindings", "dynamodb:UpdateItem", "sns:Publish"} {
		if !strings.Contains(strings.Join(apis, " "), api) {
			t.Errorf("no %s request was captured: %v", api, apis)
		}
	}
	scan, err := e.db.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(testTable)})
	if err != nil {
		t.Fatal(err)
	}
	if len(scan.Items) == 0 {
		t.Fatal("the state table is empty")
	}
	for _, item := range scan.Items {
		if data, _ := json.Marshal(flatten(item)); strings.Contains(string(data), plantedSecret) {
			t.Errorf("stored item carries the planted secret: %s", data)
		}
	}
	// The findings as Security Hub returns them, too.
	got, err := e.hub.GetFindings(context.Background(), &securityhub.GetFindingsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := json.Marshal(got.Findings); strings.Contains(string(data), plantedSecret) || len(got.Findings) == 0 {
		t.Errorf("Security Hub holds %d findings, secret present: %v", len(got.Findings), strings.Contains(string(data), plantedSecret))
	}
}

func TestSubjectIsShortPrintableASCII(t *testing.T) {
	f := &engine.Finding{Rule: &rule.Meta{ID: "r", Title: strings.Repeat("Ünïcode title\n", 20)}, Severity: rule.High,
		Subject: &engine.Subject{ID: "arn:aws:ecs:us-east-1:1:task-definition/" + strings.Repeat("long", 40) + ":7"}}
	for _, s := range []string{
		subject([]*engine.Finding{f}, testAccount, rule.High, 1, 1),
		subject([]*engine.Finding{f, f}, testAccount, rule.High, 2, 3),
	} {
		if len(s) >= 100 {
			t.Errorf("subject of %d characters: %q", len(s), s)
		}
		for _, r := range s {
			if r < 0x20 || r > 0x7e {
				t.Errorf("subject has %q: %q", r, s)
			}
		}
	}
	if s := subject([]*engine.Finding{f, f}, testAccount, rule.High, 2, 3); !strings.HasSuffix(s, " (2/3)") {
		t.Errorf("part suffix lost: %q", s)
	}
}

func recordOf(t *testing.T, e *notifyEnv, fid string) *state.Record {
	t.Helper()
	recs, err := e.store.Get(context.Background(), []string{fid})
	if err != nil {
		t.Fatal(err)
	}
	return recs[fid]
}

// flatten turns a DynamoDB item into plain values for a text search.
func flatten(item map[string]ddbtypes.AttributeValue) map[string]any {
	out := map[string]any{}
	for k, v := range item {
		switch x := v.(type) {
		case *ddbtypes.AttributeValueMemberS:
			out[k] = x.Value
		case *ddbtypes.AttributeValueMemberN:
			out[k] = x.Value
		case *ddbtypes.AttributeValueMemberBOOL:
			out[k] = x.Value
		default:
			out[k] = fmt.Sprintf("%v", x)
		}
	}
	return out
}
