package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// Tasks: what ECS does with ListTasks and DescribeTasks that moto does otherwise (listed in Shim's comment).

// clusterARNOf resolves the cluster a task call names (a name, an ARN, or nothing for "default") to its ARN, through
// moto's DescribeClusters. found is false when the cluster does not exist.
func (c *call) clusterARNOf(cluster string) (arn string, found bool, err error) {
	if cluster == "" {
		cluster = "default"
	}
	status, data, err := c.ecsCall("DescribeClusters", map[string]any{"clusters": []string{cluster}})
	if err != nil || status != http.StatusOK {
		return "", false, fmt.Errorf("describe cluster %s: %v (HTTP %d)", cluster, err, status)
	}
	var out struct {
		Clusters []struct {
			ClusterArn string `json:"clusterArn"`
			Status     string `json:"status"`
		} `json:"clusters"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return "", false, fmt.Errorf("describe cluster %s: %w", cluster, err)
	}
	if len(out.Clusters) == 0 || out.Clusters[0].Status == "INACTIVE" {
		return "", false, nil
	}
	return out.Clusters[0].ClusterArn, true, nil
}

// taskCluster is what a task call names: its body as a map, and the cluster.
func (c *call) taskCluster() (map[string]any, string, bool) {
	var in map[string]any
	if err := json.Unmarshal(c.body, &in); err != nil {
		c.fail(http.StatusBadRequest, "ClientException", "Invalid request body: "+err.Error())
		return nil, "", false
	}
	cluster, _ := in["cluster"].(string)
	arn, found, err := c.clusterARNOf(cluster)
	if err != nil {
		http.Error(c.w, "emulator: "+err.Error(), http.StatusBadGateway)
		return nil, "", false
	}
	if !found {
		c.fail(http.StatusBadRequest, "ClusterNotFoundException", "Cluster not found.")
		return nil, "", false
	}
	return in, arn, true
}

// describedTasks describes tasks through moto and keeps those of the cluster clusterARN.
func (c *call) describedTasks(clusterARN string, in map[string]any) ([]map[string]any, error) {
	status, data, err := c.ecsCall("DescribeTasks", in)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d: %s", status, data)
	}
	var out struct {
		Tasks []map[string]any `json:"tasks"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, err
	}
	var kept []map[string]any
	for _, t := range out.Tasks {
		if t["clusterArn"] == clusterARN {
			kept = append(kept, fixTask(t))
		}
	}
	return kept, nil
}

// fixTask writes a task's container cpu, memory and memoryReservation as strings, as the API model types them
// (Container: cpu, memory, memoryReservation are String); moto writes numbers, which the SDK refuses to decode.
func fixTask(t map[string]any) map[string]any {
	cs, _ := t["containers"].([]any)
	for _, c := range cs {
		m, ok := c.(map[string]any)
		if !ok {
			continue
		}
		for _, k := range []string{"cpu", "memory", "memoryReservation"} {
			if v, ok := m[k].(float64); ok {
				m[k] = strconv.FormatFloat(v, 'f', -1, 64)
			}
		}
	}
	return t
}

// typedTasks answers RunTask, StartTask and StopTask with moto's tasks, their containers' fields typed as the API
// model types them (fixTask).
func (s *Shim) typedTasks(c *call) {
	resp, data, err := c.forward(nil)
	if err != nil {
		http.Error(c.w, "emulator: "+err.Error(), http.StatusBadGateway)
		return
	}
	var out map[string]any
	if resp.StatusCode != http.StatusOK || json.Unmarshal(data, &out) != nil {
		c.reply(resp, data)
		return
	}
	tasks, _ := out["tasks"].([]any)
	for _, t := range append(tasks, out["task"]) {
		if m, ok := t.(map[string]any); ok {
			fixTask(m)
		}
	}
	c.json(out)
}

// listTasks lists the tasks of the cluster named, a page at a time.
func (s *Shim) listTasks(c *call) {
	in, cluster, ok := c.taskCluster()
	if !ok {
		return
	}
	var page listInput
	page.NextToken, _ = in["nextToken"].(string)
	if v, ok := in["maxResults"].(float64); ok {
		if v < 1 || v > 100 {
			c.fail(http.StatusBadRequest, "InvalidParameterException", "maxResults must be between 1 and 100.")
			return
		}
		page.MaxResults = int(v)
	}
	delete(in, "nextToken")
	delete(in, "maxResults")
	resp, data, err := c.forward(mustJSON(in))
	if err != nil {
		http.Error(c.w, "emulator: "+err.Error(), http.StatusBadGateway)
		return
	}
	if resp.StatusCode != http.StatusOK {
		c.reply(resp, data)
		return
	}
	var out struct {
		TaskArns []string `json:"taskArns"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		http.Error(c.w, "emulator: "+err.Error(), http.StatusBadGateway)
		return
	}
	// moto lists the tasks of every cluster whose name contains the one named: keep the cluster's own.
	var arns []string
	for start := 0; start < len(out.TaskArns); start += 100 {
		part := out.TaskArns[start:min(start+100, len(out.TaskArns))]
		tasks, err := c.describedTasks(cluster, map[string]any{"cluster": cluster, "tasks": part})
		if err != nil {
			http.Error(c.w, "emulator: describe tasks: "+err.Error(), http.StatusBadGateway)
			return
		}
		for _, t := range tasks {
			if a, _ := t["taskArn"].(string); a != "" {
				arns = append(arns, a)
			}
		}
	}
	sort.Strings(arns)
	s.page(c, page, arns, "taskArns")
}

// describeTasks enforces the limit, keeps the tasks of the cluster named and answers MISSING for the others.
func (s *Shim) describeTasks(c *call) {
	if c.overLimit() {
		return
	}
	in, cluster, ok := c.taskCluster()
	if !ok {
		return
	}
	names, _ := in["tasks"].([]any)
	tasks, err := c.describedTasks(cluster, in)
	if err != nil {
		http.Error(c.w, "emulator: describe tasks: "+err.Error(), http.StatusBadGateway)
		return
	}
	found := map[string]bool{}
	for _, t := range tasks {
		a, _ := t["taskArn"].(string)
		found[a], found[a[strings.LastIndex(a, "/")+1:]] = true, true
	}
	failures := []any{}
	for _, n := range names {
		name, _ := n.(string)
		if !found[name] && !found[name[strings.LastIndex(name, "/")+1:]] {
			failures = append(failures, map[string]any{"arn": name, "reason": "MISSING"})
		}
	}
	if tasks == nil {
		tasks = []map[string]any{}
	}
	c.json(map[string]any{"tasks": tasks, "failures": failures})
}
