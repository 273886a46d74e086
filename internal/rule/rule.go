// Package rule defines what a rule is: metadata plus one pure check over one resource.
// A rule never performs I/O, reads a clock or keeps state; everything it may use arrives in Env.
package rule

import (
	"fmt"
	"strings"
	"time"
)

// Severity is an ASFF severity label.
type Severity string

// The ASFF severity labels, lowest first.
const (
	Informational Severity = "INFORMATIONAL"
	Low           Severity = "LOW"
	Medium        Severity = "MEDIUM"
	High          Severity = "HIGH"
	Critical      Severity = "CRITICAL"
)

// Severities lists the labels from lowest to highest.
var Severities = []Severity{Informational, Low, Medium, High, Critical}

// Rank orders severities: INFORMATIONAL is 1, CRITICAL 5, anything else 0.
func (s Severity) Rank() int {
	for i, v := range Severities {
		if v == s {
			return i + 1
		}
	}
	return 0
}

// AtLeast reports whether s is at or above min.
func (s Severity) AtLeast(min Severity) bool { return s.Rank() >= min.Rank() && s.Rank() > 0 }

// ParseSeverity reads a severity label in any case.
func ParseSeverity(v string) (Severity, error) {
	s := Severity(strings.ToUpper(strings.TrimSpace(v)))
	if s.Rank() == 0 {
		return "", fmt.Errorf("unknown severity %q (want one of INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL)", v)
	}
	return s, nil
}

// Profile says what kind of risk a rule guards against, as the Kubernetes Pod Security Standards split them.
type Profile string

// The rule profiles.
const (
	// Baseline rules block a known privilege escalation or exposure (privileged, host namespaces and paths, devices,
	// dangerous capabilities, unconfined profiles, credentials in plain text, public repositories, vulnerable images).
	Baseline Profile = "baseline"
	// Restricted rules are hardening: drop ALL, read-only root, non-root user, pinned images, limits, logging.
	Restricted Profile = "restricted"
)

// Profiles lists the profiles, the most urgent first.
var Profiles = []Profile{Baseline, Restricted}

// ParseProfile reads a profile name in any case.
func ParseProfile(v string) (Profile, error) {
	p := Profile(strings.ToLower(strings.TrimSpace(v)))
	for _, k := range Profiles {
		if p == k {
			return p, nil
		}
	}
	return "", fmt.Errorf("unknown profile %q (want baseline or restricted)", v)
}

// Status is the outcome of one rule on one resource or container.
type Status string

// The result statuses.
const (
	Failed        Status = "FAILED"
	Passed        Status = "PASSED"
	NotApplicable Status = "NOT_APPLICABLE"
	NotAvailable  Status = "NOT_AVAILABLE"
	Suppressed    Status = "SUPPRESSED"
)

// Level says what one result of a rule is about.
type Level string

// The rule levels.
const (
	TaskLevel             Level = "task"
	ContainerLevel        Level = "container"
	RepositoryLevel       Level = "repository"
	RegistryLevel         Level = "registry"
	ImageLevel            Level = "image"
	ServiceLevel          Level = "service"
	TaskSetLevel          Level = "task-set"
	ClusterLevel          Level = "cluster"
	CapacityProviderLevel Level = "capacity-provider"
	HostLevel             Level = "host"
)

// Resource types, as ASFF names them.
const (
	TypeTaskDefinition = "AwsEcsTaskDefinition"
	TypeRepository     = "AwsEcrRepository"
	TypeImage          = "AwsEcrContainerImage"
	TypeRegistry       = "Other"
	TypeService        = "AwsEcsService"
	TypeCluster        = "AwsEcsCluster"
	// TypeTaskSet, TypeCapacityProvider: ASFF has no type for them. A container instance is the EC2 instance the
	// ECS agent registered.
	TypeTaskSet           = "Other"
	TypeCapacityProvider  = "Other"
	TypeContainerInstance = "AwsEc2Instance"
)

// Meta describes a rule. Everything a report, SARIF driver or ASFF finding says about a rule comes from here.
type Meta struct {
	ID          string
	Title       string
	Description string
	// Remediation says how to fix a finding, in a sentence or two a platform engineer can act on.
	Remediation    string
	RemediationURL string
	Severity       Severity
	// Profile is baseline or restricted. Default severities follow it: HIGH and CRITICAL are for baseline rules.
	Profile Profile
	// SeverityAsFound marks rules whose finding carries the highest severity actually found.
	SeverityAsFound bool
	Level           Level
	ResourceType    string
	// SecurityControlID is the Security Hub control this rule matches, if any (e.g. "ECS.4").
	SecurityControlID string
	// Related lists every other anchor: AWS Config rules, PSS controls, guides, other scanners' checks.
	Related    []string
	References []string
	// ReadsImages marks task definition rules whose results depend on the images the containers run (their scans):
	// they can change while the revision stays the same. Vulnerability marks rules whose findings are about known
	// vulnerabilities (CVEs) in an image. Both say how the auditor handles the rule, not what it reports, and stay
	// out of its JSON (and so out of the catalog version).
	ReadsImages   bool `json:"-"`
	Vulnerability bool `json:"-"`
}

// Result is one verdict of a rule.
type Result struct {
	// Container is set for container-level rules.
	Container string
	Status    Status
	// Severity overrides the rule's default for this result (graded rules, "as found" rules).
	Severity Severity
	// Detail says what was seen, never a secret value.
	Detail string
	// Path locates the offending field inside the resource's JSON, as slash-separated keys and indices
	// ("containerDefinitions/1/privileged"). It may name a field that is absent; readers fall back to its parent.
	Path string
}

// Rule is a rule over resources of type R.
type Rule[R any] struct {
	Meta
	// Check returns the rule's results on r.
	Check func(r R, env *Env) []Result
}

// Env is everything a check may read besides the resource.
type Env struct {
	Settings *Settings
	// Now is the evaluation time (scan grace windows); rules never read the clock.
	Now time.Time
}

// Settings are the configurable inputs of rules. The zero value is not useful: use DefaultSettings.
type Settings struct {
	// TrustedRegistries are registry host patterns ("*" matches any run of characters).
	TrustedRegistries []string
	// AllowedCapabilities may be added without a finding (normalised names).
	AllowedCapabilities []string
	// CredentialKeyNames are environment variable names that always hold credentials (upper case).
	CredentialKeyNames []string
	// AllowedKMSKeys restricts the customer-managed keys repositories may use; empty allows any.
	AllowedKMSKeys []string
	// AllowedImmutabilityExclusions are the tag filters an IMMUTABLE_WITH_EXCLUSION repository may exclude.
	AllowedImmutabilityExclusions []string
	// VulnerabilityThreshold is the lowest scan severity that fails image rules.
	VulnerabilityThreshold Severity
	// RequiredTags are tag keys every repository must carry.
	RequiredTags []string
	// ScanGrace is how long after a push a pending scan is NOT_AVAILABLE rather than missing.
	ScanGrace time.Duration
	// DefaultLogDriverMode is the account's defaultLogDriverMode setting when known ("blocking" or "non-blocking").
	DefaultLogDriverMode string
	// TrustedBaseImages are the curated base images: manifest digests ("sha256:...") or base image names
	// ("*" matches any run of characters); empty means none are curated.
	TrustedBaseImages []string
	// FargateLinuxPlatform and FargateWindowsPlatform are the newest Fargate platform versions of each family: a
	// service on Fargate that names an older one is outdated.
	FargateLinuxPlatform, FargateWindowsPlatform string
}

// DefaultSettings returns the settings used when the configuration says nothing.
func DefaultSettings() *Settings {
	return &Settings{
		TrustedRegistries: []string{
			"*.dkr.ecr.*.amazonaws.com",
			"*.dkr.ecr.*.amazonaws.com.cn",
			"*.dkr.ecr-fips.*.amazonaws.com",
			"*.dkr-ecr.*.on.aws",
			"public.ecr.aws",
		},
		AllowedCapabilities:           []string{"NET_BIND_SERVICE"},
		CredentialKeyNames:            []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "ECS_ENGINE_AUTH_DATA"},
		AllowedImmutabilityExclusions: []string{"sha256-*", "*.sig", "*.att", "*.sbom"},
		VulnerabilityThreshold:        High,
		ScanGrace:                     time.Hour,
		FargateLinuxPlatform:          "1.4.0",
		FargateWindowsPlatform:        "1.0.0",
	}
}
