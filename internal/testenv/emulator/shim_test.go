package emulator_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/smithy-go"

	"github.com/ecsaudit/ecsaudit/internal/testenv/awstest"
	"github.com/ecsaudit/ecsaudit/internal/testenv/emulator"
)

const (
	region     = "us-east-1"
	account    = "123456789012"
	productARN = "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default"
)

func startShim(t *testing.T) (*emulator.Shim, aws.Config) {
	t.Helper()
	srv := awstest.Emulator(t)
	shim, err := emulator.NewShim(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(shim)
	t.Cleanup(ts.Close)
	return shim, awstest.Config(ts.URL, region)
}

func finding(id string) shtypes.AwsSecurityFinding {
	ts := "2024-05-01T10:00:00.000Z"
	return shtypes.AwsSecurityFinding{
		SchemaVersion: aws.String("2018-10-08"),
		Id:            aws.String(id),
		ProductArn:    aws.String(productARN),
		GeneratorId:   aws.String("test.rule"),
		AwsAccountId:  aws.String(account),
		Types:         []string{"Software and Configuration Checks/AWS Security Best Practices"},
		CreatedAt:     aws.String(ts),
		UpdatedAt:     aws.String(ts),
		Severity:      &shtypes.Severity{Label: shtypes.SeverityLabelHigh},
		Title:         aws.String("t"),
		Description:   aws.String("d"),
		Resources:     []shtypes.Resource{{Type: aws.String("Other"), Id: aws.String("r-" + id)}},
		RecordState:   shtypes.RecordStateActive,
		Compliance:    &shtypes.Compliance{Status: shtypes.ComplianceStatusFailed},
		Workflow:      &shtypes.Workflow{Status: shtypes.WorkflowStatusNew},
	}
}

func allFindings(t *testing.T, hub *securityhub.Client) map[string]shtypes.AwsSecurityFinding {
	t.Helper()
	out := map[string]shtypes.AwsSecurityFinding{}
	p := securityhub.NewGetFindingsPaginator(hub, &securityhub.GetFindingsInput{MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("get findings: %v", err)
		}
		for _, f := range page.Findings {
			out[aws.ToString(f.Id)] = f
		}
	}
	return out
}

func TestShimDescribeHubNotEnabledComesFromMoto(t *testing.T) {
	shim, cfg := startShim(t)
	hub := securityhub.NewFromConfig(cfg)
	ctx := context.Background()
	_, err := hub.DescribeHub(ctx, &securityhub.DescribeHubInput{})
	var denied *shtypes.InvalidAccessException
	if !errors.As(err, &denied) {
		t.Fatalf("DescribeHub before EnableSecurityHub: want InvalidAccessException, got %v", err)
	}
	if _, err := hub.EnableSecurityHub(ctx, &securityhub.EnableSecurityHubInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := hub.DescribeHub(ctx, &securityhub.DescribeHubInput{}); err != nil {
		t.Fatalf("DescribeHub after EnableSecurityHub: %v", err)
	}
	if got := shim.Calls("securityhub:DescribeHub"); got != 2 {
		t.Errorf("DescribeHub calls counted: %d, want 2", got)
	}
	if got := shim.Calls("securityhub:EnableSecurityHub"); got != 1 {
		t.Errorf("EnableSecurityHub calls counted: %d, want 1", got)
	}
}

func TestShimRefusesMoreThan100Findings(t *testing.T) {
	shim, cfg := startShim(t)
	hub := securityhub.NewFromConfig(cfg)
	var fs []shtypes.AwsSecurityFinding
	for i := range 101 {
		fs = append(fs, finding(fmt.Sprintf("f-%03d", i)))
	}
	_, err := hub.BatchImportFindings(context.Background(), &securityhub.BatchImportFindingsInput{Findings: fs})
	var invalid *shtypes.InvalidInputException
	if !errors.As(err, &invalid) {
		t.Fatalf("101 findings: want InvalidInputException, got %v", err)
	}
	if n := len(allFindings(t, hub)); n != 0 {
		t.Errorf("a refused call stored %d findings", n)
	}
	out, err := hub.BatchImportFindings(context.Background(), &securityhub.BatchImportFindingsInput{Findings: fs[:100]})
	if err != nil || aws.ToInt32(out.SuccessCount) != 100 {
		t.Fatalf("100 findings: %v %+v", err, out)
	}
	if got := shim.Calls("securityhub:BatchImportFindings"); got != 2 {
		t.Errorf("calls counted: %d, want 2", got)
	}
}

// TestShimRefusesAnotherAccountsFindings checks the product ARN and account rule: one finding naming another
// account's product ARN, or another AwsAccountId, takes the whole call down with AccessDenied and nothing is stored.
func TestShimRefusesAnotherAccountsFindings(t *testing.T) {
	_, cfg := startShim(t)
	hub := securityhub.NewFromConfig(cfg)
	other := finding("other-account")
	other.AwsAccountId = aws.String("999988887777")
	otherProduct := finding("other-product")
	otherProduct.ProductArn = aws.String("arn:aws:securityhub:us-east-1:999988887777:product/999988887777/default")
	for _, bad := range []shtypes.AwsSecurityFinding{other, otherProduct} {
		_, err := hub.BatchImportFindings(context.Background(), &securityhub.BatchImportFindingsInput{
			Findings: []shtypes.AwsSecurityFinding{finding("own"), bad}})
		// AccessDeniedException is not among BatchImportFindings' modelled errors: the SDK returns it as a generic
		// API error with that code, as it would from AWS.
		var denied smithy.APIError
		if !errors.As(err, &denied) || denied.ErrorCode() != "AccessDeniedException" {
			t.Fatalf("finding %s: want AccessDeniedException for the whole call, got %v", aws.ToString(bad.Id), err)
		}
	}
	if n := len(allFindings(t, hub)); n != 0 {
		t.Errorf("refused calls stored %d findings", n)
	}
	out, err := hub.BatchImportFindings(context.Background(), &securityhub.BatchImportFindingsInput{
		Findings: []shtypes.AwsSecurityFinding{finding("own")}})
	if err != nil || aws.ToInt32(out.SuccessCount) != 1 {
		t.Fatalf("the caller's own finding: %v %+v", err, out)
	}
}

func TestShimRetryableFailures(t *testing.T) {
	shim, cfg := startShim(t)
	hub := securityhub.NewFromConfig(cfg)
	ctx := context.Background()
	shim.FailFinding("b", "InternalFailure", 2)
	in := &securityhub.BatchImportFindingsInput{Findings: []shtypes.AwsSecurityFinding{finding("a"), finding("b")}}
	for call := 1; call <= 3; call++ {
		out, err := hub.BatchImportFindings(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		wantFailed := call <= 2
		if got := len(out.FailedFindings) == 1; got != wantFailed {
			t.Fatalf("call %d: failed findings %+v, want failure %v", call, out.FailedFindings, wantFailed)
		}
		if wantFailed {
			f := out.FailedFindings[0]
			if aws.ToString(f.Id) != "b" || aws.ToString(f.ErrorCode) != "InternalFailure" || aws.ToInt32(out.SuccessCount) != 1 {
				t.Fatalf("call %d: %+v", call, out)
			}
			if _, stored := allFindings(t, hub)["b"]; stored {
				t.Fatalf("call %d: a failed finding was stored", call)
			}
		}
	}
	if got := allFindings(t, hub); len(got) != 2 {
		t.Fatalf("after the failures ran out: %d findings stored, want 2", len(got))
	}
}

func TestShimBatchUpdateFindingsAndWorkflowRules(t *testing.T) {
	shim, cfg := startShim(t)
	hub := securityhub.NewFromConfig(cfg)
	ctx := context.Background()
	a, b := finding("a"), finding("b")
	b.Workflow.Status = shtypes.WorkflowStatusSuppressed
	if _, err := hub.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: []shtypes.AwsSecurityFinding{a, b}}); err != nil {
		t.Fatal(err)
	}
	got := allFindings(t, hub)
	if got["a"].Workflow.Status != shtypes.WorkflowStatusNew || got["b"].Workflow.Status != shtypes.WorkflowStatusSuppressed {
		t.Fatalf("workflow on creation: a %v, b %v", got["a"].Workflow.Status, got["b"].Workflow.Status)
	}

	out, err := hub.BatchUpdateFindings(ctx, &securityhub.BatchUpdateFindingsInput{
		FindingIdentifiers: []shtypes.AwsSecurityFindingIdentifier{
			{Id: aws.String("a"), ProductArn: aws.String(productARN)},
			{Id: aws.String("missing"), ProductArn: aws.String(productARN)},
		},
		Workflow: &shtypes.WorkflowUpdate{Status: shtypes.WorkflowStatusResolved},
		Note:     &shtypes.NoteUpdate{Text: aws.String("fixed"), UpdatedBy: aws.String("test")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.ProcessedFindings) != 1 || len(out.UnprocessedFindings) != 1 ||
		aws.ToString(out.UnprocessedFindings[0].FindingIdentifier.Id) != "missing" {
		t.Fatalf("processed %+v unprocessed %+v", out.ProcessedFindings, out.UnprocessedFindings)
	}
	got = allFindings(t, hub)
	if got["a"].Workflow.Status != shtypes.WorkflowStatusResolved || got["a"].Note == nil || aws.ToString(got["a"].Note.Text) != "fixed" {
		t.Fatalf("after BatchUpdateFindings: workflow %v note %+v", got["a"].Workflow.Status, got["a"].Note)
	}
	if u := shim.Updates(); len(u) != 1 || u[0].ID != "a" || u[0].Workflow != "RESOLVED" || u[0].Note != "fixed" {
		t.Fatalf("recorded updates: %+v", u)
	}

	// BatchImportFindings never changes the workflow of an existing finding...
	a.Workflow.Status = shtypes.WorkflowStatusNew
	a.RecordState = shtypes.RecordStateArchived
	b.Workflow.Status = shtypes.WorkflowStatusNew
	if _, err := hub.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: []shtypes.AwsSecurityFinding{a, b}}); err != nil {
		t.Fatal(err)
	}
	got = allFindings(t, hub)
	if got["a"].Workflow.Status != shtypes.WorkflowStatusResolved || got["b"].Workflow.Status != shtypes.WorkflowStatusSuppressed {
		t.Fatalf("workflow after re-import: a %v, b %v", got["a"].Workflow.Status, got["b"].Workflow.Status)
	}
	// ...except that Security Hub resets RESOLVED to NEW when an archived finding becomes active again.
	a.RecordState = shtypes.RecordStateActive
	if _, err := hub.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: []shtypes.AwsSecurityFinding{a}}); err != nil {
		t.Fatal(err)
	}
	if w := allFindings(t, hub)["a"].Workflow.Status; w != shtypes.WorkflowStatusNew {
		t.Fatalf("workflow after re-activation: %v, want NEW", w)
	}
	if w := shim.Workflow(productARN, "b"); w != "SUPPRESSED" {
		t.Fatalf("shim view of b: %q", w)
	}
}

func TestShimDescribeKeyAWSManaged(t *testing.T) {
	shim, cfg := startShim(t)
	client := kms.NewFromConfig(cfg)
	ctx := context.Background()
	arn := "arn:aws:kms:us-east-1:111122223333:key/0f8e3c1e-aaaa-bbbb-cccc-1234567890ab"
	shim.MarkAWSManagedKey(arn, "1234abcd-12ab-34cd-56ef-1234567890ab")
	out, err := client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	m := out.KeyMetadata
	if m.KeyManager != kmstypes.KeyManagerTypeAws || aws.ToString(m.Arn) != arn || aws.ToString(m.KeyId) != "0f8e3c1e-aaaa-bbbb-cccc-1234567890ab" || aws.ToString(m.AWSAccountId) != "111122223333" {
		t.Fatalf("marked key ARN: %+v", m)
	}
	out, err = client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("1234abcd-12ab-34cd-56ef-1234567890ab")})
	if err != nil || out.KeyMetadata.KeyManager != kmstypes.KeyManagerTypeAws || !strings.HasPrefix(aws.ToString(out.KeyMetadata.Arn), "arn:aws:kms:us-east-1:") {
		t.Fatalf("marked key ID: %+v %v", out, err)
	}
	shim.MarkAWSManagedKey("alias/aws/ecr")
	out, err = client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/ecr")})
	if err != nil || out.KeyMetadata.KeyManager != kmstypes.KeyManagerTypeAws || len(aws.ToString(out.KeyMetadata.KeyId)) != 36 {
		t.Fatalf("marked alias: %+v %v", out, err)
	}
	created, err := client.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	out, err = client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: created.KeyMetadata.KeyId})
	if err != nil || out.KeyMetadata.KeyManager != kmstypes.KeyManagerTypeCustomer {
		t.Fatalf("unmarked key goes to moto: %+v %v", out, err)
	}
	if _, err := client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("arn:aws:kms:us-east-1:123456789012:key/unknown")}); err == nil {
		t.Fatal("an unknown unmarked key was found")
	}
}

func TestShimPagesTaskDefinitions(t *testing.T) {
	shim, cfg := startShim(t)
	shim.SetPageSize(3)
	client := ecs.NewFromConfig(cfg)
	ctx := context.Background()
	register := func(family string) {
		t.Helper()
		_, err := client.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
			Family:               aws.String(family),
			ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("nginx"), Memory: aws.Int32(128)}},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"web", "api", "web", "web", "batch", "api", "web"} {
		register(f)
	}
	if _, err := client.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String("batch:1")}); err != nil {
		t.Fatal(err)
	}

	list := func(sort ecstypes.SortOrder, maxResults int32) ([]string, int) {
		t.Helper()
		in := &ecs.ListTaskDefinitionsInput{Sort: sort}
		if maxResults > 0 {
			in.MaxResults = aws.Int32(maxResults)
		}
		p := ecs.NewListTaskDefinitionsPaginator(client, in)
		var names []string
		pages := 0
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, a := range page.TaskDefinitionArns {
				names = append(names, a[strings.LastIndex(a, "/")+1:])
			}
		}
		return names, pages
	}
	names, pages := list("", 0)
	want := "api:1 api:2 web:1 web:2 web:3 web:4"
	if strings.Join(names, " ") != want || pages != 2 {
		t.Fatalf("ascending: %v in %d pages, want %s in 2", names, pages, want)
	}
	names, pages = list(ecstypes.SortOrderDesc, 2)
	if strings.Join(names, " ") != "web:4 web:3 web:2 web:1 api:2 api:1" || pages != 3 {
		t.Fatalf("descending, maxResults 2: %v in %d pages", names, pages)
	}

	families := func(status ecstypes.TaskDefinitionFamilyStatus) []string {
		t.Helper()
		p := ecs.NewListTaskDefinitionFamiliesPaginator(client, &ecs.ListTaskDefinitionFamiliesInput{Status: status})
		var out []string
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Families) > 3 {
				t.Fatalf("page of %d families with page size 3", len(page.Families))
			}
			out = append(out, page.Families...)
		}
		return out
	}
	if got := strings.Join(families(""), " "); got != "api batch web" {
		t.Errorf("all families: %s", got)
	}
	if got := strings.Join(families(ecstypes.TaskDefinitionFamilyStatusActive), " "); got != "api web" {
		t.Errorf("active families: %s", got)
	}
	if got := strings.Join(families(ecstypes.TaskDefinitionFamilyStatusInactive), " "); got != "batch" {
		t.Errorf("inactive families: %s", got)
	}
	if got := shim.Calls("ecs:ListTaskDefinitions"); got != 5 {
		t.Errorf("ListTaskDefinitions calls counted: %d, want 5", got)
	}
}

func TestShimCapturesBodies(t *testing.T) {
	shim, cfg := startShim(t)
	hub := securityhub.NewFromConfig(cfg)
	ctx := context.Background()
	if _, err := hub.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: []shtypes.AwsSecurityFinding{finding("x")}}); err != nil {
		t.Fatal(err)
	}
	if n := len(shim.Requests()); n != 0 {
		t.Fatalf("captured %d requests with capture off", n)
	}
	shim.Capture(true)
	if _, err := hub.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: []shtypes.AwsSecurityFinding{finding("captured-id")}}); err != nil {
		t.Fatal(err)
	}
	reqs := shim.Requests()
	if len(reqs) != 1 || reqs[0].API != "securityhub:BatchImportFindings" || !strings.Contains(string(reqs[0].Body), "captured-id") {
		t.Fatalf("captured: %+v", reqs)
	}
	shim.Reset()
	if shim.Calls("securityhub:BatchImportFindings") != 0 || len(shim.Requests()) != 0 {
		t.Fatal("Reset kept counts or captures")
	}
}

func TestShimRefusesWholeImportForAnotherAccount(t *testing.T) {
	_, cfg := startShim(t)
	hub := securityhub.NewFromConfig(cfg)
	ctx := context.Background()
	other := finding("other")
	other.AwsAccountId = aws.String("210987654321")
	otherProduct := finding("other-product")
	otherProduct.ProductArn = aws.String("arn:aws:securityhub:us-east-1:210987654321:product/210987654321/default")
	for _, f := range []shtypes.AwsSecurityFinding{other, otherProduct} {
		in := &securityhub.BatchImportFindingsInput{Findings: []shtypes.AwsSecurityFinding{finding("mine"), f}}
		_, err := hub.BatchImportFindings(ctx, in)
		var denied smithy.APIError
		if !errors.As(err, &denied) || denied.ErrorCode() != "AccessDeniedException" {
			t.Fatalf("%s: want AccessDeniedException, got %v", aws.ToString(f.Id), err)
		}
	}
	if n := len(allFindings(t, hub)); n != 0 {
		t.Errorf("a refused call stored %d findings", n)
	}
}

func TestShimIgnoresOlderUpdateAndProviderFixedFields(t *testing.T) {
	shim, cfg := startShim(t)
	hub := securityhub.NewFromConfig(cfg)
	ctx := context.Background()
	imp := func(f shtypes.AwsSecurityFinding) {
		t.Helper()
		out, err := hub.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: []shtypes.AwsSecurityFinding{f}})
		if err != nil || aws.ToInt32(out.SuccessCount) != 1 {
			t.Fatalf("import: %v %+v", err, out)
		}
	}
	f := finding("a")
	f.UpdatedAt = aws.String("2024-05-01T11:00:00.000Z")
	imp(f)
	older := finding("a")
	older.Compliance.Status = shtypes.ComplianceStatusPassed
	older.CreatedAt = aws.String("2024-05-01T10:30:00.000Z")
	imp(older)
	if got := allFindings(t, hub)["a"]; got.Compliance.Status != shtypes.ComplianceStatusFailed {
		t.Fatalf("an older UpdatedAt changed the finding: compliance %v", got.Compliance.Status)
	}
	newer := finding("a")
	newer.UpdatedAt = aws.String("2024-05-01T12:00:00.000Z")
	newer.CreatedAt = aws.String("2024-05-01T11:59:00.000Z")
	newer.Severity = &shtypes.Severity{Label: shtypes.SeverityLabelLow}
	newer.Compliance.Status = shtypes.ComplianceStatusPassed
	imp(newer)
	got := allFindings(t, hub)["a"]
	if got.Compliance.Status != shtypes.ComplianceStatusPassed {
		t.Errorf("a newer update was not applied: compliance %v", got.Compliance.Status)
	}
	if got.Severity == nil || got.Severity.Label != shtypes.SeverityLabelHigh {
		t.Errorf("a provider's update changed the top-level Severity: %+v", got.Severity)
	}
	want := []string{"2024-05-01T10:00:00.000Z", "2024-05-01T11:59:00.000Z"}
	if c := shim.CreatedAts(productARN, "a"); strings.Join(c, ",") != strings.Join(want, ",") {
		t.Errorf("CreatedAt of accepted imports: %v, want %v", c, want)
	}
}
