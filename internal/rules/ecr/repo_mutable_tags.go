package ecr

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// RepoMutableTags fails a repository whose image tags can be overwritten.
var RepoMutableTags = registerRepo(&RepoRule{
	Meta: rule.Meta{
		ID:    "repo.mutable-tags",
		Title: "Repository image tags are mutable",
		Description: "With mutable tags a push can move a tag such as \"1.4.2\" to a different image, so a task " +
			"definition that names the tag may run code nobody reviewed or scanned, and a tag no longer identifies " +
			"what was deployed.",
		Remediation: "Make tags immutable: `aws ecr put-image-tag-mutability --repository-name NAME " +
			"--image-tag-mutability IMMUTABLE`. If some tags must move (signatures, attestations), use " +
			"IMMUTABLE_WITH_EXCLUSION with --image-tag-mutability-exclusion-filters limited to the allowed patterns.",
		RemediationURL:    "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html",
		Severity:          rule.Medium,
		Profile:           rule.Restricted,
		SecurityControlID: "ECR.2",
		Related:           []string{"AWS Config ecr-private-tag-immutability-enabled", "Prowler ecr_repositories_tag_immutability"},
		References: []string{
			"https://docs.aws.amazon.com/securityhub/latest/userguide/ecr-controls.html#ecr-2",
			"https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html",
		},
	},
	Check: func(r *model.Repository, env *rule.Env) []rule.Result {
		if !r.Described {
			return notDescribed(r)
		}
		const path = "imageTagMutability"
		filters := r.Repo.ImageTagMutabilityExclusionFilters
		switch m := r.Repo.ImageTagMutability; m {
		case ecrtypes.ImageTagMutabilityImmutable:
			return pass("imageTagMutability is IMMUTABLE")
		case "":
			return fail("imageTagMutability is absent; ECR's default is MUTABLE, so a push can overwrite any tag", path)
		case ecrtypes.ImageTagMutabilityMutable:
			return fail("imageTagMutability is MUTABLE: a push can overwrite any tag", path)
		case ecrtypes.ImageTagMutabilityMutableWithExclusion:
			return fail(fmt.Sprintf("imageTagMutability is MUTABLE_WITH_EXCLUSION: every tag can be overwritten "+
				"except those matching %s", filterList(filters)), path)
		case ecrtypes.ImageTagMutabilityImmutableWithExclusion:
			allowed := env.Settings.AllowedImmutabilityExclusions
			var bad []string
			badPath := path
			for i, f := range filters {
				if !exclusionAllowed(aws.ToString(f.Filter), allowed) {
					if bad == nil {
						badPath = "imageTagMutabilityExclusionFilters/" + strconv.Itoa(i) + "/filter"
					}
					bad = append(bad, strconv.Quote(aws.ToString(f.Filter)))
				}
			}
			if len(bad) > 0 {
				return fail(fmt.Sprintf("imageTagMutability is IMMUTABLE_WITH_EXCLUSION and tags matching %s stay "+
					"mutable, outside the allowed exclusions (%s)", strings.Join(bad, ", "), allowedList(allowed)), badPath)
			}
			if len(filters) == 0 {
				return pass("imageTagMutability is IMMUTABLE_WITH_EXCLUSION with no exclusion filters")
			}
			return pass(fmt.Sprintf("imageTagMutability is IMMUTABLE_WITH_EXCLUSION and every exclusion (%s) is allowed",
				filterList(filters)))
		default:
			return notAvailable(fmt.Sprintf("imageTagMutability has the unknown value %q", m))
		}
	},
})

// exclusionAllowed reports whether every tag an exclusion filter matches is also matched by an allowed pattern.
//
// The direction matters: the allowed pattern must match the filter, never the reverse, or the filter "*" (every
// tag mutable) would pass because it matches the text "sha256-*". Matching the allowed pattern against the filter
// text, with each "*" of the filter read as an ordinary character that only a "*" of the pattern can absorb, is a
// sound subset test as long as the pattern has no "?" (a "?" could stand for the filter's "*", which may match
// many characters or none). The filter's stars are swapped for a NUL byte before rule.Glob sees them: Glob would
// otherwise let a literal "*" of the filter stand in for the pattern's wildcard, and no tag or filter can hold a
// NUL (tag filters match ^[0-9a-zA-Z._*-]{1,128}$,
// https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageTagMutabilityExclusionFilter.html).
// An empty allowed list allows no exclusion: the default list is not empty, so an empty one was configured so.
func exclusionAllowed(filter string, allowed []string) bool {
	opaque := strings.ReplaceAll(filter, "*", "\x00")
	for _, a := range allowed {
		if a == filter {
			return true
		}
		if rule.Glob(a, opaque) && (!strings.Contains(a, "?") || !strings.Contains(filter, "*")) {
			return true
		}
	}
	return false
}

func filterList(fs []ecrtypes.ImageTagMutabilityExclusionFilter) string {
	if len(fs) == 0 {
		return "no filter"
	}
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = strconv.Quote(aws.ToString(f.Filter))
	}
	return strings.Join(out, ", ")
}

func allowedList(allowed []string) string {
	if len(allowed) == 0 {
		return "none configured"
	}
	return strings.Join(allowed, ", ")
}
