// Package demo runs the Lambda handlers on the sample events against the local AWS emulator and prints what
// reached Security Hub and SNS. It replays each event the way it happens in an account: the recorded API call is
// made against the emulator first, then the event is delivered to the function that EventBridge would invoke.
package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/ecsaudit/ecsaudit/internal/lambdafn"
	"github.com/ecsaudit/ecsaudit/internal/state"
	"github.com/ecsaudit/ecsaudit/internal/testenv/emulator"
	"github.com/ecsaudit/ecsaudit/internal/testenv/registry"
)

// Account and Region are those of the sample events.
const (
	Account = "111122223333"
	Region  = "us-east-1"
	table   = "ecsaudit-state"
)

// Step is one event delivered to one function, after the API call it records has been made.
type Step struct {
	Event    string // file under events/
	Function string // TaskDefinitionAuditor, EcrAuditor or Sweeper
	Say      string
	apply    func(ctx context.Context, e *Env) error
}

// Env is the running demo: the emulator, the shim in front of it, and the clients.
type Env struct {
	Server   *emulator.Server
	Shim     *emulator.Shim
	URL      string
	Config   aws.Config
	TopicARN string
	QueueURL string
	KeyARN   string
	Root     string
	Funcs    map[string]*lambdafn.Function
	// Registry is the image registry behind ECR: it accepts only the tokens the shim's GetAuthorizationToken issued.
	Registry *registry.Registry
	// Secret is the planted credential value the demo checks never leaves the process.
	Secret string
	// KeepLogs leaves the emulator's and the functions' logs on disk after Stop (the demo points at them).
	KeepLogs bool
	dir      string
	stop     func()
}

// Steps is the demo's story.
func Steps() []Step {
	return []Step{
		{Event: "ecr-create-repository.json", Function: "EcrAuditor", Say: "a repository is created", apply: createRepository},
		{Event: "ecr-image-action-push.json", Function: "EcrAuditor", Say: "an image is pushed (its scan has not run yet)", apply: pushImage},
		{Event: "ecr-image-scan.json", Function: "EcrAuditor", Say: "the image's scan completes with a HIGH finding", apply: scanImage},
		{Event: "ecs-register-task-definition.json", Function: "TaskDefinitionAuditor", Say: "web:7 is registered, running that image", apply: registerWeb},
		{Event: "ecr-image-action-push-tools.json", Function: "EcrAuditor", Say: "a debug image is pushed to tools (its layers are read)", apply: pushTools},
		{Event: "ecr-put-lifecycle-policy.json", Function: "EcrAuditor", Say: "a lifecycle policy is added (resolves a finding)", apply: putLifecyclePolicy},
		{Event: "ecr-put-registry-scanning-configuration.json", Function: "EcrAuditor", Say: "the registry switches to enhanced scanning", apply: putRegistryScanning},
		{Event: "ecs-create-cluster.json", Function: "TaskDefinitionAuditor", Say: "a cluster is created without Container Insights", apply: createCluster},
		{Event: "ecs-create-service.json", Function: "TaskDefinitionAuditor", Say: "a service runs web:7 with public IP addresses", apply: createService},
		{Event: "ecs-create-capacity-provider.json", Function: "TaskDefinitionAuditor", Say: "a capacity provider lacks termination protection", apply: createCapacityProvider},
		{Event: "scheduled-sweep.json", Function: "Sweeper", Say: "the sweep finds what predates the auditor"},
		{Event: "ecs-deregister-task-definition.json", Function: "TaskDefinitionAuditor", Say: "web:7 is deregistered (its findings are archived)", apply: deregisterWeb},
	}
}

// Run starts the emulator, replays the steps, prints the findings and notifications, and stops the emulator.
func Run(ctx context.Context, out io.Writer, root string) error {
	e, err := Start(ctx, root)
	if err != nil {
		return err
	}
	e.KeepLogs = true
	defer e.Stop()
	fmt.Fprintf(out, "AWS emulator (moto_server) at %s, account %s, region %s; function logs in %s\n\n", e.Server.URL, Account, Region, e.logPath())
	for i, s := range Steps() {
		if err := e.Do(ctx, s); err != nil {
			return fmt.Errorf("step %d (%s): %w", i+1, s.Event, err)
		}
		fmt.Fprintf(out, "%2d. %-50s -> %-21s events/%s\n", i+1, s.Say, s.Function, s.Event)
	}
	fmt.Fprintln(out)
	if err := e.PrintFindings(ctx, out); err != nil {
		return err
	}
	fmt.Fprintln(out)
	if err := e.PrintNotifications(ctx, out); err != nil {
		return err
	}
	answers, err := e.HookAnswers(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(out)
	return PrintHookAnswers(out, answers)
}

// Start launches and seeds the emulator and sets the three functions up against it.
func Start(ctx context.Context, root string) (*Env, error) { return StartWith(ctx, root, nil) }

// StartWith is Start with extra function environment variables (BASELINE_MODE, REPORT_PASSES, ...).
func StartWith(ctx context.Context, root string, extra map[string]string) (*Env, error) {
	dir, err := os.MkdirTemp("", "ecsaudit-demo-")
	if err != nil {
		return nil, err
	}
	srv, err := emulator.Start(ctx, filepath.Join(dir, "moto.log"), "MOTO_ACCOUNT_ID="+Account)
	if err != nil {
		os.RemoveAll(dir)
		if errors.Is(err, emulator.ErrNotInstalled) {
			return nil, fmt.Errorf("%w (the demo needs only Go and moto)", err)
		}
		return nil, err
	}
	shim, err := emulator.NewShim(srv.URL)
	if err != nil {
		srv.Stop()
		return nil, err
	}
	hs := httptest.NewServer(shim)
	reg := registry.New(shim.RegistryTokenValid)
	e := &Env{Server: srv, Shim: shim, URL: hs.URL, Config: emulator.Config(hs.URL, Region), Root: root,
		Funcs: map[string]*lambdafn.Function{}, Registry: reg, Secret: "planted-demo-secret-value-4711", dir: dir}
	e.stop = func() {
		reg.Close()
		hs.Close()
		srv.Stop()
		if !e.KeepLogs {
			os.RemoveAll(dir)
		}
	}
	if err := e.seed(ctx, dir, extra); err != nil {
		e.Stop()
		return nil, err
	}
	return e, nil
}

// Stop stops the emulator and the shim.
func (e *Env) Stop() {
	if e.stop != nil {
		e.stop()
		e.stop = nil
	}
}

func (e *Env) logPath() string { return filepath.Join(e.dir, "functions.log") }

// LogPath is the file the functions' JSON logs go to.
func (e *Env) LogPath() string { return e.logPath() }

func (e *Env) seed(ctx context.Context, dir string, extra map[string]string) error {
	cfg := e.Config
	if _, err := securityhub.NewFromConfig(cfg).EnableSecurityHub(ctx, &securityhub.EnableSecurityHubInput{}); err != nil {
		return fmt.Errorf("enable security hub: %w", err)
	}
	if err := state.CreateTable(ctx, dynamodb.NewFromConfig(cfg), table); err != nil {
		return fmt.Errorf("create state table: %w", err)
	}
	topic, err := sns.NewFromConfig(cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("ecsaudit-findings")})
	if err != nil {
		return fmt.Errorf("create topic: %w", err)
	}
	e.TopicARN = aws.ToString(topic.TopicArn)
	sq := sqs.NewFromConfig(cfg)
	q, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("ecsaudit-subscriber")})
	if err != nil {
		return fmt.Errorf("create queue: %w", err)
	}
	e.QueueURL = aws.ToString(q.QueueUrl)
	attrs, err := sq.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		return fmt.Errorf("queue attributes: %w", err)
	}
	if _, err := sns.NewFromConfig(cfg).Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(attrs.Attributes["QueueArn"])}); err != nil {
		return fmt.Errorf("subscribe queue: %w", err)
	}
	key, err := kms.NewFromConfig(cfg).CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("ecr images")})
	if err != nil {
		return fmt.Errorf("create key: %w", err)
	}
	e.KeyARN = aws.ToString(key.KeyMetadata.Arn)
	// What existed before the auditor was installed: six older revisions of web, a legacy task definition and
	// a neglected repository. Only the sweep will see the last two.
	reg, err := e.registerInput("ecs-register-task-definition.json")
	if err != nil {
		return err
	}
	ecsc := ecs.NewFromConfig(cfg)
	for i := 0; i < 6; i++ {
		if _, err := ecsc.RegisterTaskDefinition(ctx, reg); err != nil {
			return fmt.Errorf("register web: %w", err)
		}
	}
	legacy, err := e.readRegisterInput(filepath.Join(e.Root, "infra", "demo", "legacy-worker.json"))
	if err != nil {
		return err
	}
	if _, err := ecsc.RegisterTaskDefinition(ctx, legacy); err != nil {
		return fmt.Errorf("register legacy-worker: %w", err)
	}
	if _, err := ecr.NewFromConfig(cfg).CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("legacy"),
		ImageTagMutability: ecrtypes.ImageTagMutabilityMutable}); err != nil {
		return fmt.Errorf("create legacy repository: %w", err)
	}
	logs, err := os.Create(filepath.Join(dir, "functions.log"))
	if err != nil {
		return err
	}
	env := e.functionEnv(extra)
	for _, name := range []string{"TaskDefinitionAuditor", "EcrAuditor", "Sweeper"} {
		fn, err := lambdafn.Setup(ctx, name, func(k string) string { return env[k] }, cfg, logs)
		if err != nil {
			return fmt.Errorf("set up %s: %w", name, err)
		}
		e.Funcs[name] = fn
	}
	return nil
}

// functionEnv is the functions' environment: what the template sets, aimed at the demo's table, topic and registry,
// with extra added.
func (e *Env) functionEnv(extra map[string]string) map[string]string {
	env := map[string]string{"STATE_TABLE": table, "TOPIC_ARN": e.TopicARN, "NOTIFY_THRESHOLD": "HIGH",
		"IMAGE_CONTENTS": "true", "ECR_REGISTRY_ENDPOINT": e.Registry.URL}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// Apply makes the API call a step's event records, without delivering the event.
func (s Step) Apply(ctx context.Context, e *Env) error {
	if s.apply == nil {
		return nil
	}
	return s.apply(ctx, e)
}

// Do applies a step's API call and delivers its event to its function.
func (e *Env) Do(ctx context.Context, s Step) error {
	if err := s.Apply(ctx, e); err != nil {
		return err
	}
	raw, err := os.ReadFile(filepath.Join(e.Root, "events", s.Event))
	if err != nil {
		return err
	}
	fn := e.Funcs[s.Function]
	if fn == nil {
		return fmt.Errorf("no function %s", s.Function)
	}
	return fn.Handle(ctx, raw)
}

func (e *Env) requestParameters(eventFile string, v any) error {
	raw, err := os.ReadFile(filepath.Join(e.Root, "events", eventFile))
	if err != nil {
		return err
	}
	var ev struct {
		Detail struct {
			RequestParameters json.RawMessage `json:"requestParameters"`
		} `json:"detail"`
	}
	if err := json.Unmarshal(raw, &ev); err != nil {
		return fmt.Errorf("%s: %w", eventFile, err)
	}
	if err := json.Unmarshal(ev.Detail.RequestParameters, v); err != nil {
		return fmt.Errorf("%s requestParameters: %w", eventFile, err)
	}
	return nil
}

func (e *Env) registerInput(eventFile string) (*ecs.RegisterTaskDefinitionInput, error) {
	var in ecs.RegisterTaskDefinitionInput
	return &in, e.requestParameters(eventFile, &in)
}

func (e *Env) readRegisterInput(path string) (*ecs.RegisterTaskDefinitionInput, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var in ecs.RegisterTaskDefinitionInput
	if err := json.Unmarshal(data, &in); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &in, nil
}

func createRepository(ctx context.Context, e *Env) error {
	var p struct {
		RepositoryName     string
		ImageTagMutability ecrtypes.ImageTagMutability
		Tags               []ecrtypes.Tag
	}
	if err := e.requestParameters("ecr-create-repository.json", &p); err != nil {
		return err
	}
	// The recorded call names a key of the sample account; the emulator's key stands in for it.
	_, err := ecr.NewFromConfig(e.Config).CreateRepository(ctx, &ecr.CreateRepositoryInput{
		RepositoryName: &p.RepositoryName, ImageTagMutability: p.ImageTagMutability, Tags: p.Tags,
		ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{ScanOnPush: true},
		EncryptionConfiguration:    &ecrtypes.EncryptionConfiguration{EncryptionType: ecrtypes.EncryptionTypeKms, KmsKey: &e.KeyARN},
	})
	return err
}

// imageEvent reads the repository, digest and tag of an ECR image event.
func (e *Env) imageEvent(file string) (repo, digest, tag string, err error) {
	raw, err := os.ReadFile(filepath.Join(e.Root, "events", file))
	if err != nil {
		return "", "", "", err
	}
	var ev struct {
		Detail struct {
			Repo   string `json:"repository-name"`
			Digest string `json:"image-digest"`
			Tag    string `json:"image-tag"`
		} `json:"detail"`
	}
	if err := json.Unmarshal(raw, &ev); err != nil {
		return "", "", "", err
	}
	return ev.Detail.Repo, ev.Detail.Digest, ev.Detail.Tag, nil
}

func pushImage(ctx context.Context, e *Env) error {
	repo, digest, tag, err := e.imageEvent("ecr-image-action-push.json")
	if err != nil {
		return err
	}
	manifest := `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",` +
		`"config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1469,"digest":"sha256:` + strings.Repeat("1", 64) + `"},` +
		`"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":3370706,"digest":"sha256:` + strings.Repeat("2", 64) + `"}]}`
	_, err = ecr.NewFromConfig(e.Config).PutImage(ctx, &ecr.PutImageInput{RepositoryName: &repo, ImageTag: &tag,
		ImageDigest: &digest, ImageManifest: &manifest})
	return err
}

func scanImage(ctx context.Context, e *Env) error {
	repo, digest, _, err := e.imageEvent("ecr-image-scan.json")
	if err != nil {
		return err
	}
	_, err = ecr.NewFromConfig(e.Config).StartImageScan(ctx, &ecr.StartImageScanInput{RepositoryName: &repo,
		ImageId: &ecrtypes.ImageIdentifier{ImageDigest: &digest}})
	return err
}

func registerWeb(ctx context.Context, e *Env) error {
	in, err := e.registerInput("ecs-register-task-definition.json")
	if err != nil {
		return err
	}
	_, err = ecs.NewFromConfig(e.Config).RegisterTaskDefinition(ctx, in)
	return err
}

func putLifecyclePolicy(ctx context.Context, e *Env) error {
	var in ecr.PutLifecyclePolicyInput
	if err := e.requestParameters("ecr-put-lifecycle-policy.json", &in); err != nil {
		return err
	}
	_, err := ecr.NewFromConfig(e.Config).PutLifecyclePolicy(ctx, &in)
	return err
}

func putRegistryScanning(ctx context.Context, e *Env) error {
	var in ecr.PutRegistryScanningConfigurationInput
	if err := e.requestParameters("ecr-put-registry-scanning-configuration.json", &in); err != nil {
		return err
	}
	_, err := ecr.NewFromConfig(e.Config).PutRegistryScanningConfiguration(ctx, &in)
	return err
}

func createCluster(ctx context.Context, e *Env) error {
	var in ecs.CreateClusterInput
	if err := e.requestParameters("ecs-create-cluster.json", &in); err != nil {
		return err
	}
	_, err := ecs.NewFromConfig(e.Config).CreateCluster(ctx, &in)
	return err
}

// createService creates the sample's service in a subnet and security group of the emulator's own (the emulator,
// like ECS, refuses subnets that do not exist; the sample names an account's real ones).
func createService(ctx context.Context, e *Env) error {
	var in ecs.CreateServiceInput
	if err := e.requestParameters("ecs-create-service.json", &in); err != nil {
		return err
	}
	ec := ec2.NewFromConfig(e.Config)
	vpc, err := ec.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
	if err != nil {
		return fmt.Errorf("create VPC: %w", err)
	}
	subnet, err := ec.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String("10.0.1.0/24")})
	if err != nil {
		return fmt.Errorf("create subnet: %w", err)
	}
	sg, err := ec.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{VpcId: vpc.Vpc.VpcId, GroupName: aws.String("web"),
		Description: aws.String("web service")})
	if err != nil {
		return fmt.Errorf("create security group: %w", err)
	}
	if in.NetworkConfiguration == nil || in.NetworkConfiguration.AwsvpcConfiguration == nil {
		return errors.New("events/ecs-create-service.json: the service has no awsvpc network configuration")
	}
	in.NetworkConfiguration.AwsvpcConfiguration.Subnets = []string{aws.ToString(subnet.Subnet.SubnetId)}
	in.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups = []string{aws.ToString(sg.GroupId)}
	_, err = ecs.NewFromConfig(e.Config).CreateService(ctx, &in)
	return err
}

func createCapacityProvider(ctx context.Context, e *Env) error {
	var in ecs.CreateCapacityProviderInput
	if err := e.requestParameters("ecs-create-capacity-provider.json", &in); err != nil {
		return err
	}
	_, err := ecs.NewFromConfig(e.Config).CreateCapacityProvider(ctx, &in)
	return err
}

func deregisterWeb(ctx context.Context, e *Env) error {
	var in ecs.DeregisterTaskDefinitionInput
	if err := e.requestParameters("ecs-deregister-task-definition.json", &in); err != nil {
		return err
	}
	_, err := ecs.NewFromConfig(e.Config).DeregisterTaskDefinition(ctx, &in)
	return err
}

// Findings reads every finding from Security Hub, sorted by resource, rule and container.
func (e *Env) Findings(ctx context.Context) ([]shtypes.AwsSecurityFinding, error) {
	var out []shtypes.AwsSecurityFinding
	p := securityhub.NewGetFindingsPaginator(securityhub.NewFromConfig(e.Config), &securityhub.GetFindingsInput{MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("get findings: %w", err)
		}
		out = append(out, page.Findings...)
	}
	sort.Slice(out, func(i, j int) bool { return aws.ToString(out[i].Id) < aws.ToString(out[j].Id) })
	return out, nil
}

// PrintFindings prints Security Hub's findings as a table.
func (e *Env) PrintFindings(ctx context.Context, out io.Writer) error {
	fs, err := e.Findings(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Security Hub findings (%d):\n", len(fs))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RECORD\tCOMPLIANCE\tWORKFLOW\tSEVERITY\tRULE\tRESOURCE\tCONTAINER")
	for _, f := range fs {
		res := ""
		if len(f.Resources) > 0 {
			res = shortARN(aws.ToString(f.Resources[0].Id))
		}
		compliance, workflow, sev := "", "", ""
		if f.Compliance != nil {
			compliance = string(f.Compliance.Status)
		}
		if f.Workflow != nil {
			workflow = string(f.Workflow.Status)
		}
		if f.Severity != nil {
			sev = string(f.Severity.Label)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.RecordState, compliance, workflow, sev,
			aws.ToString(f.GeneratorId), res, f.ProductFields["ecsaudit/Container"])
	}
	return tw.Flush()
}

// Notifications drains the SNS subscriber queue and returns each message's subject and text.
func (e *Env) Notifications(ctx context.Context) ([][2]string, error) {
	sq := sqs.NewFromConfig(e.Config)
	var out [][2]string
	for {
		msgs, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &e.QueueURL, MaxNumberOfMessages: 10, WaitTimeSeconds: 0})
		if err != nil {
			return nil, fmt.Errorf("receive notifications: %w", err)
		}
		if len(msgs.Messages) == 0 {
			return out, nil
		}
		for _, m := range msgs.Messages {
			var env struct{ Subject, Message string }
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &env); err != nil {
				return nil, fmt.Errorf("notification envelope: %w", err)
			}
			out = append(out, [2]string{env.Subject, env.Message})
			if _, err := sq.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &e.QueueURL, ReceiptHandle: m.ReceiptHandle}); err != nil {
				return nil, err
			}
		}
	}
}

// PrintNotifications prints the SNS notifications the subscriber received. The queue gets the JSON form of each
// message (SNS sends each protocol its own form); it is printed as a short list.
func (e *Env) PrintNotifications(ctx context.Context, out io.Writer) error {
	ns, err := e.Notifications(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "SNS notifications (%d):\n", len(ns))
	for i, n := range ns {
		fmt.Fprintf(out, "%d. %s\n", i+1, n[0])
		var doc struct {
			Findings []struct {
				Severity, RuleID, ResourceID, Container, Detail string
			}
		}
		if err := json.Unmarshal([]byte(n[1]), &doc); err != nil {
			fmt.Fprintf(out, "   %s\n", n[1])
			continue
		}
		for _, f := range doc.Findings {
			where := shortARN(f.ResourceID)
			if f.Container != "" {
				where += " [" + f.Container + "]"
			}
			fmt.Fprintf(out, "   %-8s %-30s %s\n", f.Severity, f.RuleID, where)
		}
	}
	return nil
}

func shortARN(id string) string {
	prefix := ":" + Region + ":" + Account + ":"
	if i := strings.Index(id, prefix); i >= 0 {
		return id[i+len(prefix):]
	}
	return id
}
