// Package asff maps engine findings to the AWS Security Finding Format (ASFF) that Security Hub imports,
// and renders them as the JSON `aws securityhub batch-import-findings` reads.
//
// Every length and count limit applied here is the one the Security Hub API reference gives for the field;
// nothing that could be a secret (environment values, secret references, docker labels, commands, repository
// credentials, log options) is ever copied from a task definition.
package asff

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// SchemaVersion is the only ASFF schema version Security Hub accepts.
const SchemaVersion = "2018-10-08"

// ProductName is the ASFF CompanyName and ProductName of every finding.
const ProductName = "ecsaudit"

// The finding types: every finding is a best-practice check, image vulnerability findings are also CVE findings.
const (
	TypeBestPractices = "Software and Configuration Checks/AWS Security Best Practices"
	TypeCVE           = "Software and Configuration Checks/Vulnerabilities/CVE"
)

// The ProductFields keys.
const (
	FieldRuleID            = "ecsaudit/RuleId"
	FieldContainer         = "ecsaudit/Container"
	FieldVersion           = "ecsaudit/Version"
	FieldStatus            = "ecsaudit/Status"
	FieldPath              = "ecsaudit/Path"
	FieldSuppressedBy      = "ecsaudit/SuppressedBy"
	FieldSuppressionReason = "ecsaudit/SuppressionReason"
	FieldSuppressedUntil   = "ecsaudit/SuppressedUntil"
	FieldDetailsOmitted    = "ecsaudit/DetailsOmitted"
	FieldPlatform          = "ecsaudit/Platform"
	// FieldProfile is the rule's profile (baseline or restricted); FieldSeverityContext says why the severity in
	// Severity and FindingProviderFields.Severity differs from the rule's default (a riskier container).
	FieldProfile         = "ecsaudit/Profile"
	FieldSeverityContext = "ecsaudit/SeverityContext"
)

// Limits from the Security Hub API reference (AwsSecurityFinding, Recommendation, Compliance, Resource)
// and the AWS tagging rules that Resource.Tags must follow. Lengths count characters as the API does (UTF-16 units).
const (
	maxTitle              = 256
	maxDescription        = 1024
	maxRecommendation     = 512
	maxRelated            = 32  // Compliance.RelatedRequirements entries
	maxRelatedLen         = 256 // per entry: not in the API reference; kept as a conservative bound
	maxProductFields      = 50
	maxProductFieldKey    = 128
	maxProductFieldValue  = 2048
	maxTags               = 50
	maxTagKey             = 128
	maxTagValue           = 256
	maxOtherValue         = 1023 // Details.Other values must have fewer than 1,024 characters
	minDescriptionContext = 64   // shortest rule description worth keeping before the detail
)

// MaxFindingSize is the largest finding BatchImportFindings accepts, in bytes of JSON.
const MaxFindingSize = 240 << 10

// Params is what an ASFF finding needs beyond the engine's finding.
type Params struct {
	// Version is the auditor version, sent in ProductFields.
	Version string
	// CreatedAt is the first time this finding Id was observed: CreatedAt and FirstObservedAt (stable per Id).
	// When zero, UpdatedAt is used.
	CreatedAt time.Time
	// UpdatedAt is this import's time: UpdatedAt and LastObservedAt.
	UpdatedAt time.Time
	// Account, Region and Partition are used when the finding and its resource carry none (CLI --account/--region).
	Account, Region, Partition string
	// Resources, when set, describes each resource once for all its findings built in a row (see Resources).
	Resources *Resources
	// ImportAccount and ImportRegion, when set, are the account and Region that call BatchImportFindings: the
	// finding's AwsAccountId, Region and ProductArn are theirs even when its resource lives elsewhere (an image in a
	// central ECR account), because Security Hub refuses a whole call for the default product when any finding names
	// another account or product. Resources[] keeps the resource's own ARN, partition and Region.
	ImportAccount, ImportRegion string
}

// Build maps one finding. It fails (naming the finding) only when account or region cannot be determined.
func Build(f *engine.Finding, p Params) (types.AwsSecurityFinding, error) {
	id := identify(f, p)
	if id.account == "" || id.region == "" {
		var missing []string
		if id.account == "" {
			missing = append(missing, "account (--account)")
		}
		if id.region == "" {
			missing = append(missing, "region (--region)")
		}
		return types.AwsSecurityFinding{}, fmt.Errorf("finding %s: no AWS %s: the input carries no ARN to take it from",
			f.ID(), strings.Join(missing, " or "))
	}
	created, updated := p.CreatedAt, p.UpdatedAt
	if created.IsZero() {
		created = updated
	}
	sev := types.SeverityLabel(f.Severity)
	if f.Severity.Rank() == 0 {
		sev = types.SeverityLabelInformational
	}
	kinds := []string{TypeBestPractices}
	if f.Rule.Vulnerability {
		kinds = append(kinds, TypeCVE)
	}
	res := p.Resources.describe(f, id)
	findingID := f.ID()
	if f.Subject.Resource != nil && f.Subject.Resource.Ident().ARN == "" {
		// The input named the resource without an ARN (a file scanned offline): derive the Id from the ARN built
		// for it, qualified by the file it was read from (two files may hold the same family).
		findingID = engine.FindingID(f.Rule.ID, f.Subject.Scoped(*res.Id), f.Container)
		if c, ok := f.Subject.Resource.(*model.ImageContents); ok && strings.Contains(*res.Id, ":repository/") {
			// Contents findings about an ECR image are kept under their own resource ID, as the Lambdas keep them.
			findingID = engine.FindingID(f.Rule.ID, f.Subject.Scoped(model.ContentsID(*res.Id, c.Digest)), f.Container)
		}
	}
	owner := id
	if p.ImportAccount != "" {
		owner.account = p.ImportAccount
	}
	if p.ImportRegion != "" {
		owner.region = p.ImportRegion
		owner.partition = first(p.Partition, model.PartitionOf(p.ImportRegion))
	}
	out := types.AwsSecurityFinding{
		SchemaVersion: str(SchemaVersion),
		Id:            str(findingID),
		ProductArn:    str(ProductARN(owner.partition, owner.region, owner.account)),
		GeneratorId:   str(f.Rule.ID),
		AwsAccountId:  str(owner.account),
		Region:        str(owner.region),
		CompanyName:   str(ProductName),
		ProductName:   str(ProductName),
		Types:         kinds,
		Severity:      &types.Severity{Label: sev, Original: str(string(sev))},
		FindingProviderFields: &types.FindingProviderFields{
			Severity: &types.FindingProviderSeverity{Label: sev, Original: str(string(sev))},
			Types:    append([]string(nil), kinds...),
		},
		CreatedAt:       str(timestamp(created)),
		FirstObservedAt: str(timestamp(created)),
		UpdatedAt:       str(timestamp(updated)),
		LastObservedAt:  str(timestamp(updated)),
		Title:           str(title(f)),
		Description:     str(description(f)),
		Remediation:     remediation(f),
		Resources:       []types.Resource{res},
		Compliance:      compliance(f),
		Workflow:        &types.Workflow{Status: types.WorkflowStatusNew},
		RecordState:     types.RecordStateActive,
		ProductFields:   productFields(f, p.Version),
	}
	if f.Status == rule.Suppressed {
		out.Workflow.Status = types.WorkflowStatusSuppressed
	}
	addRunning(&out, f, id)
	fit(&out, p.Resources)
	return out, nil
}

// ProductARN returns arn:<partition>:securityhub:<region>:<account>:product/<account>/default, the product ARN of
// findings an account imports about itself.
func ProductARN(partition, region, account string) string {
	if partition == "" {
		partition = model.PartitionOf(region)
	}
	return "arn:" + partition + ":securityhub:" + region + ":" + account + ":product/" + account + "/default"
}

// identity is where a finding's resource lives.
type identity struct {
	account, region, partition string
	// arn is the resource's ARN, empty when the input had none.
	arn string
}

func identify(f *engine.Finding, p Params) identity {
	var id identity
	arns := []string{f.Subject.ID}
	var refAccount, refRegion string
	if f.Subject.Resource != nil {
		ref := f.Subject.Resource.Ident()
		arns = append([]string{ref.ARN}, arns...)
		refAccount, refRegion = ref.Account, ref.Region
	}
	var fromARN model.ARN
	for _, s := range arns {
		if a, ok := model.ParseARN(s); ok {
			id.arn, fromARN = s, a
			break
		}
	}
	id.account = first(f.Subject.Account, refAccount, fromARN.Account, p.Account)
	id.region = first(f.Subject.Region, refRegion, fromARN.Region, p.Region)
	// A loader's partition for a resource without ARN is only a guess from a region that may have been empty.
	id.partition = first(fromARN.Partition, p.Partition, model.PartitionOf(id.region))
	return id
}

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// timestamp renders RFC 3339 with milliseconds in UTC, the form Security Hub shows.
func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func title(f *engine.Finding) string {
	t := f.Rule.Title
	if t == "" {
		t = f.Rule.ID
	}
	if f.Container != "" {
		// The console lists titles next to the task definition, not the container: name it here.
		t += " (container " + f.Container + ")"
	}
	return truncate(t, maxTitle)
}

// description is the rule's description followed by what was seen. When both do not fit, the description is
// shortened first, since the detail is what is specific to this finding.
func description(f *engine.Finding) string {
	desc := strings.TrimSpace(f.Rule.Description)
	detail := strings.TrimSpace(f.Detail)
	if detail != "" {
		// Rule details are clauses ("container \"app\" sets privileged: true"); here they follow a sentence.
		r, size := utf8.DecodeRuneInString(detail)
		detail = string(unicode.ToUpper(r)) + detail[size:]
		if !strings.ContainsAny(detail[len(detail)-1:], ".!?)") {
			detail += "."
		}
	}
	switch {
	case desc == "" && detail == "":
		return truncate(first(f.Rule.Title, f.Rule.ID), maxDescription)
	case desc == "":
		return truncate(detail, maxDescription)
	case detail == "":
		return truncate(desc, maxDescription)
	}
	whole := desc + " " + detail
	if length(whole) <= maxDescription {
		return whole
	}
	if room := maxDescription - length(detail) - 1; room >= minDescriptionContext {
		return truncate(desc, room) + " " + detail
	}
	return truncate(whole, maxDescription)
}

func remediation(f *engine.Finding) *types.Remediation {
	text := strings.TrimSpace(f.Rule.Remediation)
	url := f.Rule.RemediationURL
	if text == "" && url == "" {
		return nil
	}
	return &types.Remediation{Recommendation: &types.Recommendation{Text: str(truncate(text, maxRecommendation)), Url: str(url)}}
}

func compliance(f *engine.Finding) *types.Compliance {
	c := &types.Compliance{Status: complianceStatus(f.Status)}
	c.SecurityControlId = str(f.Rule.SecurityControlID)
	for _, r := range f.Rule.Related {
		if len(c.RelatedRequirements) == maxRelated {
			break
		}
		if r = strings.TrimSpace(r); r != "" {
			c.RelatedRequirements = append(c.RelatedRequirements, truncate(r, maxRelatedLen))
		}
	}
	return c
}

// complianceStatus maps a result: a waived failure is still a failure (the workflow says it is suppressed), and a
// rule that did not apply has nothing to say about compliance.
func complianceStatus(s rule.Status) types.ComplianceStatus {
	switch s {
	case rule.Failed, rule.Suppressed:
		return types.ComplianceStatusFailed
	case rule.Passed:
		return types.ComplianceStatusPassed
	}
	return types.ComplianceStatusNotAvailable
}

func productFields(f *engine.Finding, version string) map[string]string {
	m := map[string]string{}
	set := func(k, v string) {
		if v != "" && len(m) < maxProductFields {
			m[truncate(k, maxProductFieldKey)] = truncate(v, maxProductFieldValue)
		}
	}
	set(FieldRuleID, f.Rule.ID)
	set(FieldStatus, string(f.Status))
	set(FieldContainer, f.Container)
	set(FieldVersion, version)
	set(FieldPath, f.Path)
	set(FieldPlatform, f.Subject.Platform)
	set(FieldProfile, string(f.Rule.Profile))
	set(FieldSeverityContext, f.Context)
	if f.Status == rule.Suppressed && f.Suppression != nil {
		set(FieldSuppressedBy, f.Suppression.By)
		set(FieldSuppressionReason, f.Suppression.Reason)
		set(FieldSuppressedUntil, f.Suppression.Until)
	}
	return m
}

// fit keeps a finding under MaxFindingSize: resource details are the only unbounded part (policy texts, large task
// definitions), so they go first, the policy texts before everything else.
// The details may be shared with other findings (see Resources): they are replaced, never changed.
func fit(f *types.AwsSecurityFinding, c *Resources) {
	if c.size(f) <= MaxFindingSize {
		return
	}
	d := f.Resources[0].Details
	if d != nil && d.AwsEcrRepository != nil {
		short, repo := *d, *d.AwsEcrRepository
		repo.RepositoryPolicyText = nil
		if repo.LifecyclePolicy != nil {
			lp := *repo.LifecyclePolicy
			lp.LifecyclePolicyText = nil
			repo.LifecyclePolicy = &lp
		}
		short.AwsEcrRepository = &repo
		f.Resources[0].Details = &short
		if Size(*f) <= MaxFindingSize {
			f.ProductFields[FieldDetailsOmitted] = "policy texts: the finding would exceed " + strconv.Itoa(MaxFindingSize) + " bytes"
			return
		}
	}
	f.Resources[0].Details = nil
	f.ProductFields[FieldDetailsOmitted] = "resource details: the finding would exceed " + strconv.Itoa(MaxFindingSize) + " bytes"
}

// length counts characters the way the Security Hub API does: UTF-16 code units.
func length(s string) int {
	n := 0
	for _, r := range s {
		n += runeUnits(r)
	}
	return n
}

func runeUnits(r rune) int {
	if r >= 0x10000 && r <= unicode.MaxRune {
		return 2 // a surrogate pair
	}
	return 1
}

// truncate shortens s to at most max characters, cutting at a word boundary when one is close and ending with "…".
func truncate(s string, max int) string {
	if length(s) <= max {
		return s
	}
	if max < 1 {
		return ""
	}
	budget := max - 1 // "…" is one character
	n, end, lastSpace := 0, 0, -1
	for end < len(s) {
		r, size := utf8.DecodeRuneInString(s[end:])
		if n+runeUnits(r) > budget {
			break
		}
		if unicode.IsSpace(r) {
			lastSpace = end
		}
		n += runeUnits(r)
		end += size
	}
	cut := s[:end]
	if lastSpace > end*3/4 {
		cut = s[:lastSpace]
	}
	cut = strings.TrimRightFunc(cut, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == ';' || r == ':' })
	return cut + "…"
}

// str returns a pointer to s, or nil for an empty string: ASFF has no use for empty members.
func str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
