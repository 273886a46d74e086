package template

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ecsaudit/ecsaudit/internal/testenv/awstest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	awstest.Stop()
	os.Exit(code)
}

var (
	templatePath = filepath.Join("..", "..", "..", "template.yaml")
	eventsDir    = filepath.Join("..", "..", "..", "events")
)

// intendedFunction names the function each sample event is for, by the file name's prefix. Samples under negative/
// are for no function.
func intendedFunction(file string) (string, error) {
	switch {
	case strings.HasPrefix(file, "negative/"):
		return "", nil
	case strings.HasPrefix(file, "ecs-"):
		return "TaskDefinitionAuditor", nil
	case strings.HasPrefix(file, "ecr-"), strings.HasPrefix(file, "inspector2-"):
		return "EcrAuditor", nil
	case strings.HasPrefix(file, "scheduled-"):
		return "Sweeper", nil
	}
	return "", fmt.Errorf("events/%s: no function is known for this prefix", file)
}

// schedulePattern stands in for a schedule rule, which has no pattern: EventBridge itself delivers "Scheduled Event"
// from aws.events to its target. Putting it as a pattern checks that the scheduled sample reaches the sweeper and that
// no other function's pattern takes it too.
var schedulePattern = map[string]any{"source": []any{"aws.events"}, "detail-type": []any{"Scheduled Event"}}

// TestEventPatterns puts every pattern of template.yaml into the emulator's EventBridge as a rule with its own SQS
// queue, puts every sample event, and checks where each one lands: exactly one rule, of the function meant for it, or
// none at all for the negative samples.
func TestEventPatterns(t *testing.T) {
	tpl, err := Load(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	routes, err := tpl.Routes()
	if err != nil {
		t.Fatal(err)
	}
	if len(routes) == 0 {
		t.Fatal("template.yaml routes no event to any function")
	}
	srv := awstest.Emulator(t)
	cfg := awstest.Config(srv.URL, "us-east-1")
	eb, sq := eventbridge.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	ctx := context.Background()

	type queue struct {
		route Route
		url   string
	}
	var queues []queue
	// The rules as deployed without organization forwarding, in the emulator's account, and as deployed in another
	// account: those must match none of the samples, which the emulator puts in its own account.
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("emulator account: %v", err)
	}
	own := map[string]any{"AWS::AccountId": aws.ToString(who.Account)}
	other := map[string]any{"AWS::AccountId": "999988887777"}
	forwarding := map[string]bool{"ForwardsOrganizationEvents": false}
	var foreign []queue
	for _, r := range append(routes, foreignRoutes(routes)...) {
		pattern, refs := r.Pattern, own
		if strings.HasSuffix(r.Name, "-foreign") {
			refs = other
		}
		if pattern == nil {
			pattern = schedulePattern
		}
		raw, err := json.Marshal(Resolve(pattern, forwarding, refs))
		if err != nil {
			t.Fatal(err)
		}
		name := r.Function + "-" + r.Name
		q, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
		if err != nil {
			t.Fatalf("create queue %s: %v", name, err)
		}
		attrs, err := sq.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl,
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
		if err != nil {
			t.Fatalf("queue %s ARN: %v", name, err)
		}
		if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(name), EventPattern: aws.String(string(raw))}); err != nil {
			t.Fatalf("put rule %s with pattern %s: %v", name, raw, err)
		}
		if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(name), Targets: []ebtypes.Target{
			{Id: aws.String("queue"), Arn: aws.String(attrs.Attributes["QueueArn"])},
		}}); err != nil {
			t.Fatalf("put target of %s: %v", name, err)
		}
		if strings.HasSuffix(r.Name, "-foreign") {
			foreign = append(foreign, queue{route: r, url: *q.QueueUrl})
			continue
		}
		queues = append(queues, queue{route: r, url: *q.QueueUrl})
	}

	files := sampleFiles(t)
	reached := map[string]bool{} // functions some sample reached: every route should be exercised
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			want, err := intendedFunction(file)
			if err != nil {
				t.Fatal(err)
			}
			entry := putEntry(t, filepath.Join(eventsDir, file))
			out, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{entry}})
			if err != nil {
				t.Fatalf("put event: %v", err)
			}
			if out.FailedEntryCount != 0 {
				t.Fatalf("put event: %d failed: %+v", out.FailedEntryCount, out.Entries)
			}
			var got []Route
			for _, q := range queues {
				n := drain(t, sq, q.url, *entry.DetailType)
				for range n {
					got = append(got, q.route)
				}
			}
			for _, q := range foreign {
				if n := drain(t, sq, q.url, *entry.DetailType); n > 0 {
					t.Errorf("the rule %s, deployed in another account, matched this account's event", q.route.Name)
				}
			}
			switch {
			case want == "" && len(got) > 0:
				t.Errorf("a negative sample reached %s", names(got))
			case want != "" && len(got) != 1:
				t.Errorf("reached %d rules (%s), want exactly one rule of %s", len(got), names(got), want)
			case want != "" && got[0].Function != want:
				t.Errorf("reached %s, want %s", names(got), want)
			case want != "":
				reached[got[0].Function+"/"+got[0].Name] = true
			}
		})
	}
	for _, r := range routes {
		if !reached[r.Function+"/"+r.Name] {
			t.Errorf("no sample in events/ reaches %s event %s: add one", r.Function, r.Name)
		}
	}
}

// sampleFiles lists events/*.json and events/negative/*.json relative to events/.
func sampleFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, glob := range []string{"*.json", "negative/*.json"} {
		m, err := filepath.Glob(filepath.Join(eventsDir, filepath.FromSlash(glob)))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			rel, _ := filepath.Rel(eventsDir, f)
			files = append(files, filepath.ToSlash(rel))
		}
	}
	if len(files) == 0 {
		t.Fatalf("no sample events under %s", eventsDir)
	}
	slices.Sort(files)
	return files
}

// putEntry turns a sample event into the PutEvents entry that makes EventBridge deliver the same event.
func putEntry(t *testing.T, path string) ebtypes.PutEventsRequestEntry {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Source     string          `json:"source"`
		DetailType string          `json:"detail-type"`
		Time       time.Time       `json:"time"`
		Resources  []string        `json:"resources"`
		Detail     json.RawMessage `json:"detail"`
	}
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return ebtypes.PutEventsRequestEntry{
		Source:     aws.String(ev.Source),
		DetailType: aws.String(ev.DetailType),
		Detail:     aws.String(string(ev.Detail)),
		Resources:  ev.Resources,
		Time:       aws.Time(ev.Time),
	}
}

// drain receives and deletes every message of a queue, checking each is the event just put, and counts them.
func drain(t *testing.T, sq *sqs.Client, url, detailType string) int {
	t.Helper()
	ctx := context.Background()
	n := 0
	for {
		out, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatalf("receive from %s: %v", url, err)
		}
		if len(out.Messages) == 0 {
			return n
		}
		for _, m := range out.Messages {
			var ev struct {
				DetailType string `json:"detail-type"`
			}
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &ev); err != nil || ev.DetailType != detailType {
				t.Errorf("queue %s holds %q, want a %q event", url, aws.ToString(m.Body), detailType)
			}
			if _, err := sq.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatalf("delete from %s: %v", url, err)
			}
			n++
		}
	}
}

func names(rs []Route) string {
	var s []string
	for _, r := range rs {
		s = append(s, r.Function+"/"+r.Name)
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// foreignRoutes are the event patterns of routes (schedules have none) to deploy as if in another account.
func foreignRoutes(routes []Route) []Route {
	var out []Route
	for _, r := range routes {
		if r.Pattern != nil {
			r.Name += "-foreign"
			out = append(out, r)
		}
	}
	return out
}
