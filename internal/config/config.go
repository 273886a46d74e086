// Package config reads the auditor's configuration: rule overrides, rule settings and suppressions.
// Every key is checked: an unknown key, an unknown rule ID or a bad value is an error that names it.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// Config is the parsed configuration.
type Config struct {
	Settings *rule.Settings
	Rules    map[string]RuleOverride
	// Suppressions from the configuration file, in file order.
	Suppressions []Suppression
	// MaxSuppression, when set, caps how far ahead any suppression may expire; one without an expiry is then refused.
	MaxSuppression time.Duration
	// Source names the file the configuration came from, for "suppressed by" texts.
	Source string
	// MinSeverity, when set, keeps FAILED and SUPPRESSED findings below it out of what is reported (the functions'
	// SEVERITY_THRESHOLD); see engine.Engine.Reported. It filters what is reported, not what is evaluated, so it is
	// not part of a configuration's hash.
	MinSeverity rule.Severity `json:"-"`
	// AlertProfile, when set, is the only profile whose FAILED findings alert (the CLI's exit status and --fail-on);
	// empty means both. Findings of the other profile are still reported. Like MinSeverity it is not part of a
	// configuration's hash.
	AlertProfile rule.Profile `json:"-"`
	// ReportProfiles, when set, are the profiles whose findings the CLI's reports show; nil means both, so nothing
	// is hidden. The functions import both profiles into Security Hub whatever it says. Not part of a
	// configuration's hash.
	ReportProfiles []rule.Profile `json:"-"`
}

// Alerts reports whether FAILED findings of a rule in profile p alert under the configuration: the CLI's exit
// status, and the functions' SNS notifications.
func (c *Config) Alerts(p rule.Profile) bool { return c.AlertProfile == "" || p == c.AlertProfile }

// Reports reports whether the CLI's reports show findings of a rule in profile p.
func (c *Config) Reports(p rule.Profile) bool {
	return c.ReportProfiles == nil || slices.Contains(c.ReportProfiles, p)
}

// RuleOverride changes one rule.
type RuleOverride struct {
	Disabled bool
	Severity rule.Severity
}

// Suppression waives one rule for matching resources.
type Suppression struct {
	// Resource is an ARN, resource ID or glob ("*" matches any run of characters, "?" one character).
	Resource  string
	Rule      string
	Container string
	// Until is the last day the suppression applies (inclusive, UTC); zero means no expiry.
	Until  time.Time
	Reason string
}

// Default returns the configuration used when no file is given.
func Default() *Config {
	return &Config{Settings: rule.DefaultSettings(), Rules: map[string]RuleOverride{}}
}

type fileRule struct {
	Disabled bool   `json:"disabled"`
	Severity string `json:"severity"`
}

type fileSuppression struct {
	Resource  string `json:"resource"`
	Rule      string `json:"rule"`
	Container string `json:"container"`
	Until     string `json:"until"`
	Reason    string `json:"reason"`
}

type file struct {
	Rules                         map[string]fileRule `json:"rules"`
	TrustedRegistries             *[]string           `json:"trustedRegistries"`
	AllowedCapabilities           *[]string           `json:"allowedCapabilities"`
	CredentialKeyNames            *[]string           `json:"credentialKeyNames"`
	AllowedKMSKeys                *[]string           `json:"allowedKmsKeys"`
	AllowedImmutabilityExclusions *[]string           `json:"allowedImmutabilityExclusions"`
	RequiredTags                  *[]string           `json:"requiredTags"`
	TrustedBaseImages             *[]string           `json:"trustedBaseImages"`
	VulnerabilityThreshold        string              `json:"vulnerabilityThreshold"`
	ScanGraceMinutes              *int                `json:"scanGraceMinutes"`
	DefaultLogDriverMode          string              `json:"defaultLogDriverMode"`
	AlertProfile                  string              `json:"alertProfile"`
	ReportProfiles                *[]string           `json:"reportProfiles"`
	MaxSuppressionDays            *int                `json:"maxSuppressionDays"`
	Suppressions                  []fileSuppression   `json:"suppressions"`
}

// The largest scanGraceMinutes and maxSuppressionDays a time.Duration holds (about 292 years).
const (
	maxMinutes = int(math.MaxInt64 / int64(time.Minute))
	maxDays    = int(math.MaxInt64 / int64(24*time.Hour))
)

// Parse reads a JSON configuration. known reports whether a rule ID exists.
func Parse(source string, data []byte, known func(id string) bool) (*Config, error) {
	var f file
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("config %s: %s", source, strings.TrimPrefix(err.Error(), "json: "))
	}
	// Decode stops after the first value: anything after it (a second object pasted in) would be ignored silently.
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("config %s: unexpected data after the top-level JSON object", source)
	}
	c := Default()
	c.Source = source
	s := c.Settings
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("config %s: %s: %s", source, key, fmt.Sprintf(format, args...)))
	}
	for id, r := range f.Rules {
		if !known(id) {
			bad("rules."+id, "unknown rule ID (see `ecsaudit rules`)")
			continue
		}
		o := RuleOverride{Disabled: r.Disabled}
		if r.Severity != "" {
			sev, err := rule.ParseSeverity(r.Severity)
			if err != nil {
				bad("rules."+id+".severity", "%v", err)
			}
			o.Severity = sev
		}
		c.Rules[id] = o
	}
	setList := func(key string, dst *[]string, src *[]string, norm func(string) string) {
		if src == nil {
			return
		}
		out := []string{}
		for i, v := range *src {
			v = strings.TrimSpace(v)
			if v == "" {
				bad(fmt.Sprintf("%s[%d]", key, i), "empty value")
				continue
			}
			if norm != nil {
				v = norm(v)
			}
			out = append(out, v)
		}
		*dst = out
	}
	setList("trustedRegistries", &s.TrustedRegistries, f.TrustedRegistries, strings.ToLower)
	setList("allowedCapabilities", &s.AllowedCapabilities, f.AllowedCapabilities, rule.NormalizeCapability)
	setList("credentialKeyNames", &s.CredentialKeyNames, f.CredentialKeyNames, strings.ToUpper)
	setList("allowedKmsKeys", &s.AllowedKMSKeys, f.AllowedKMSKeys, nil)
	setList("allowedImmutabilityExclusions", &s.AllowedImmutabilityExclusions, f.AllowedImmutabilityExclusions, nil)
	setList("requiredTags", &s.RequiredTags, f.RequiredTags, nil)
	setList("trustedBaseImages", &s.TrustedBaseImages, f.TrustedBaseImages, nil)
	if f.VulnerabilityThreshold != "" {
		sev, err := rule.ParseSeverity(f.VulnerabilityThreshold)
		if err != nil {
			bad("vulnerabilityThreshold", "%v", err)
		}
		s.VulnerabilityThreshold = sev
	}
	if f.ScanGraceMinutes != nil {
		if *f.ScanGraceMinutes < 0 {
			bad("scanGraceMinutes", "must not be negative, got %d", *f.ScanGraceMinutes)
		} else if *f.ScanGraceMinutes > maxMinutes {
			// A longer grace overflows time.Duration and turns negative.
			bad("scanGraceMinutes", "must be at most %d, got %d", maxMinutes, *f.ScanGraceMinutes)
		}
		s.ScanGrace = time.Duration(*f.ScanGraceMinutes) * time.Minute
	}
	switch f.DefaultLogDriverMode {
	case "", "blocking", "non-blocking":
		s.DefaultLogDriverMode = f.DefaultLogDriverMode
	default:
		bad("defaultLogDriverMode", "want \"blocking\" or \"non-blocking\", got %q", f.DefaultLogDriverMode)
	}
	if f.AlertProfile != "" {
		p, err := rule.ParseProfile(f.AlertProfile)
		if err != nil {
			bad("alertProfile", "want \"baseline\" or \"restricted\", got %q", f.AlertProfile)
		}
		c.AlertProfile = p
	}
	if f.ReportProfiles != nil {
		c.ReportProfiles = []rule.Profile{}
		for i, v := range *f.ReportProfiles {
			p, err := rule.ParseProfile(v)
			if err != nil {
				bad(fmt.Sprintf("reportProfiles[%d]", i), "want \"baseline\" or \"restricted\", got %q", v)
				continue
			}
			if !slices.Contains(c.ReportProfiles, p) {
				c.ReportProfiles = append(c.ReportProfiles, p)
			}
		}
		switch {
		case len(*f.ReportProfiles) == 0:
			bad("reportProfiles", "empty: name at least one profile, or leave the key out to report both")
		case c.AlertProfile != "" && len(c.ReportProfiles) > 0 && !c.Reports(c.AlertProfile):
			bad("alertProfile", "%q is not among reportProfiles: it would alert on findings that are not reported", c.AlertProfile)
		}
	}
	if f.MaxSuppressionDays != nil {
		if *f.MaxSuppressionDays <= 0 {
			bad("maxSuppressionDays", "must be a positive number of days, got %d", *f.MaxSuppressionDays)
		} else if *f.MaxSuppressionDays > maxDays {
			// A longer maximum overflows time.Duration and turns negative, which would switch the cap off.
			bad("maxSuppressionDays", "must be at most %d, got %d", maxDays, *f.MaxSuppressionDays)
		}
		c.MaxSuppression = time.Duration(*f.MaxSuppressionDays) * 24 * time.Hour
	}
	for i, fs := range f.Suppressions {
		key := fmt.Sprintf("suppressions[%d]", i)
		sp := Suppression{Resource: fs.Resource, Rule: fs.Rule, Container: fs.Container, Reason: fs.Reason}
		if fs.Resource == "" {
			bad(key+".resource", "required (an ARN, resource ID or glob)")
		}
		if !known(fs.Rule) {
			bad(key+".rule", "unknown rule ID %q", fs.Rule)
		}
		if strings.TrimSpace(fs.Reason) == "" {
			bad(key+".reason", "required: say why the finding is accepted")
		}
		if fs.Until != "" {
			t, err := time.Parse(time.DateOnly, fs.Until)
			if err != nil {
				bad(key+".until", "want YYYY-MM-DD, got %q", fs.Until)
			}
			sp.Until = t
		}
		c.Suppressions = append(c.Suppressions, sp)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// Severity returns the configured severity for a rule, or def.
func (c *Config) Severity(id string, def rule.Severity) rule.Severity {
	if o, ok := c.Rules[id]; ok && o.Severity != "" {
		return o.Severity
	}
	return def
}

// Disabled reports whether a rule is switched off.
func (c *Config) Disabled(id string) bool { return c.Rules[id].Disabled }
