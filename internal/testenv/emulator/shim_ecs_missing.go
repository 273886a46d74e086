package emulator

import (
	"encoding/json"
	"net/http"
	"strings"
)

// What ECS answers for a resource that is not there, where moto answers otherwise. The API reference of
// DescribeTaskSets and DescribeContainerInstances: a resource that cannot be described is listed under "failures"
// with its ARN and a reason (MISSING), beside the ones that were.

// describeTaskSets adds a MISSING failure for each task set asked for that moto's answer leaves out (moto returns
// only those it found, and no failures).
func (s *Shim) describeTaskSets(c *call) {
	var in struct {
		TaskSets []string `json:"taskSets"`
	}
	_ = json.Unmarshal(c.body, &in)
	resp, data, err := c.forward(nil)
	if err != nil {
		http.Error(c.w, "emulator: "+err.Error(), http.StatusBadGateway)
		return
	}
	var out map[string]any
	if resp.StatusCode != http.StatusOK || len(in.TaskSets) == 0 || json.Unmarshal(data, &out) != nil {
		c.reply(resp, data)
		return
	}
	found := map[string]bool{}
	sets, _ := out["taskSets"].([]any)
	for _, ts := range sets {
		if m, ok := ts.(map[string]any); ok {
			arn, _ := m["taskSetArn"].(string)
			id, _ := m["id"].(string)
			found[arn], found[id] = true, true
		}
	}
	failures, _ := out["failures"].([]any)
	for _, name := range in.TaskSets {
		if !found[name] && !found[name[strings.LastIndex(name, "/")+1:]] {
			failures = append(failures, map[string]any{"arn": name, "reason": "MISSING"})
		}
	}
	out["failures"] = failures
	c.json(out)
}

// describeContainerInstances enforces the batch limit, and answers MISSING for every instance asked for where moto
// fails with a server error: moto looks the cluster's instances up by the cluster's name and fails when the cluster
// (which exists: moto checks that first) has none registered.
func (s *Shim) describeContainerInstances(c *call) {
	if c.overLimit() {
		return
	}
	resp, data, err := c.forward(nil)
	if err != nil {
		http.Error(c.w, "emulator: "+err.Error(), http.StatusBadGateway)
		return
	}
	if resp.StatusCode < http.StatusInternalServerError {
		c.reply(resp, data)
		return
	}
	var in struct {
		ContainerInstances []string `json:"containerInstances"`
	}
	if json.Unmarshal(c.body, &in) != nil || len(in.ContainerInstances) == 0 {
		c.reply(resp, data)
		return
	}
	failures := []any{}
	for _, name := range in.ContainerInstances {
		failures = append(failures, map[string]any{"arn": name, "reason": "MISSING"})
	}
	c.json(map[string]any{"containerInstances": []any{}, "failures": failures})
}
