// Package image holds the rules over image contents (model.ImageContents): what an image file says its container
// will run, one rule per file.
package image

import (
	"sort"
	"strconv"
	"strings"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// Rule is an image-contents rule.
type Rule = rule.Rule[*model.ImageContents]

var all []*Rule

func register(r *Rule) *Rule {
	r.ResourceType, r.Level = rule.TypeImage, rule.ImageLevel
	check := r.Check
	r.Check = func(img *model.ImageContents, env *rule.Env) []rule.Result {
		if img.Unread != "" {
			return one(rule.NotAvailable, "the image could not be read: "+img.Unread)
		}
		return check(img, env)
	}
	all = append(all, r)
	return r
}

// All returns the image-contents rules sorted by ID.
func All() []*Rule {
	out := append([]*Rule(nil), all...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func one(status rule.Status, detail string) []rule.Result {
	return []rule.Result{{Status: status, Detail: detail}}
}

// partly is the NOT_AVAILABLE result of a rule over the final filesystem when the layers were not all read: what
// was read cannot say what a later layer would have changed.
func partly(img *model.ImageContents) []rule.Result {
	return one(rule.NotAvailable, "the image was read only in part ("+img.Incomplete+"; "+
		strconv.Itoa(img.LayersRead)+" of "+strconv.Itoa(img.Layers)+" layers), so its final filesystem is not known")
}

// maxListed bounds the paths a detail lists.
const maxListed = 20

// list joins up to maxListed items and says how many more there were.
func list(items []string) string {
	if len(items) <= maxListed {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:maxListed], ", ") + " and " + strconv.Itoa(len(items)-maxListed) + " more"
}
