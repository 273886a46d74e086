package sweep

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strings"

	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecsaudit/ecsaudit/internal/config"
	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// imageCatalog keeps the task definition rules that read the images their containers run (rule.Meta's ReadsImages):
// such a rule's results can change while the revision stays the same, so the sweep re-evaluates it every time from
// the images' scan summaries. TestImageDependentRules checks the flag against the catalog.
func imageCatalog(c *engine.Catalog) *engine.Catalog {
	return c.Select(func(m *rule.Meta) bool { return m.ReadsImages })
}

func digest(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// CatalogVersion names the rules an audit ran: the auditor's version and a hash of every rule's metadata. A
// revision audited under another catalog version is described again.
func CatalogVersion(c *engine.Catalog, version string) string {
	var parts []string
	for _, m := range c.Metas() {
		// Encoding rule metadata (strings, string slices) cannot fail.
		data, _ := json.Marshal(m)
		parts = append(parts, string(data))
	}
	return version + "/" + digest(parts...)
}

// ConfigHash hashes the audit configuration (settings, rule overrides, suppressions): a revision audited under
// another configuration is described again.
func ConfigHash(c *config.Config) string {
	if c == nil {
		c = config.Default()
	}
	// The configuration holds strings, durations, times, maps and slices: encoding it cannot fail.
	data, _ := json.Marshal(c)
	return digest(string(data))
}

// Verdict hashes results so that two evaluations compare: per result its rule, container, status and severity, and
// the detail of FAILED and SUPPRESSED results (what Security Hub shows). The details of other results are left out:
// they carry times ("pushed 3m ago") that change without the verdict changing, and are not what is sent.
func Verdict(fs []engine.Finding) string {
	lines := make([]string, len(fs))
	for i, f := range fs {
		detail := ""
		if f.Status == rule.Failed || f.Status == rule.Suppressed {
			detail = f.Detail
		}
		lines[i] = strings.Join([]string{f.Rule.ID, f.Container, string(f.Status), string(f.Severity), detail}, "\x1f")
	}
	sort.Strings(lines)
	return digest(lines...)
}

// InputHash hashes what a repository's audit depends on that DescribeRepositories and
// GetRegistryScanningConfiguration show: a different hash means the repository must be read again. Its lifecycle
// policy, repository policy and tags are not in any listing: their changes arrive as events, and the maximum age
// catches any that were missed.
func InputHash(repo ecrtypes.Repository, scanning ecrtypes.RegistryScanningConfiguration) string {
	// SDK data types hold strings, numbers, times and slices: encoding them cannot fail.
	r, _ := json.Marshal(repo)
	g, _ := json.Marshal(scanning)
	return digest(string(r), string(g))
}

// spread maps an ID to a fixed number in [0, 1), evenly for IDs that differ in a character or two.
func spread(id string) float64 {
	sum := sha256.Sum256([]byte(id))
	return float64(binary.BigEndian.Uint64(sum[:8])>>11) / (1 << 53)
}
