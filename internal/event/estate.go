package event

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

// kindCall reads a call that changes a resource of kind k: the resource's ARN is where the kind declares it in the
// response. A response without it (CloudTrail omits responses it cannot record) is an error naming the path.
func (c *call) kindCall(k *model.Kind, kc *model.Call) ([]Action, error) {
	var resp map[string]json.RawMessage
	if err := c.response(&resp); err != nil {
		return nil, err
	}
	arn, err := c.lookup(resp, kc.Response)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", kc.Name, err)
	}
	if model.KindOfARN(arn) != k {
		return nil, fmt.Errorf("%s: %s.responseElements.%s: %q is not the ARN of a %s", kc.Name, c.path, kc.Response, arn, k.Name)
	}
	kind := AuditResource
	if kc.Deletes {
		kind = ArchiveResource
	}
	return c.resource(kind, k, arn), nil
}

// lookup follows a dotted path of object keys to a string.
func (c *call) lookup(obj map[string]json.RawMessage, path string) (string, error) {
	where := c.path + ".responseElements"
	keys := strings.Split(path, ".")
	for i, key := range keys {
		where += "." + key
		raw, ok := obj[key]
		if !ok || !present(raw) {
			return "", fmt.Errorf("%s: missing", where)
		}
		if i == len(keys)-1 {
			var s string
			if err := decode(where, raw, &s); err != nil {
				return "", err
			}
			if s == "" {
				return "", fmt.Errorf("%s: empty", where)
			}
			return s, nil
		}
		obj = nil
		if err := decode(where, raw, &obj); err != nil {
			return "", err
		}
	}
	return "", fmt.Errorf("%s: empty path", where)
}

func (c *call) resource(k Kind, kind *model.Kind, arn string) []Action {
	a := c.action(k)
	a.Resource, a.ARN = kind, arn
	if p, ok := model.ParseARN(arn); ok {
		a.Account, a.Region = p.Account, p.Region
	}
	return []Action{a}
}
