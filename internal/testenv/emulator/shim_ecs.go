package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// ECS estate calls: the limits and behaviours of AWS that moto forgives or lacks (listed in Shim's comment).

// describeLimits are the most names one describe call takes, per call and request member (API reference:
// DescribeServices "You may specify up to 10 services to describe in a single operation"; DescribeClusters "A list of
// up to 100 cluster names or full cluster ARN entries"; DescribeContainerInstances "A list of up to 100 container
// instance IDs or full ARN entries").
var describeLimits = map[string]struct {
	member string
	max    int
}{
	"DescribeServices":           {"services", 10},
	"DescribeClusters":           {"clusters", 100},
	"DescribeContainerInstances": {"containerInstances", 100},
	"DescribeTasks":              {"tasks", 100},
}

// overLimit refuses a describe call naming more than its limit with InvalidParameterException, as AWS does; it
// returns true when it answered.
func (c *call) overLimit() bool {
	lim, ok := describeLimits[c.op]
	if !ok {
		return false
	}
	var in map[string]json.RawMessage
	if err := json.Unmarshal(c.body, &in); err != nil {
		c.fail(http.StatusBadRequest, "ClientException", "Invalid request body: "+err.Error())
		return true
	}
	var names []string
	if raw, ok := in[lim.member]; ok {
		if err := json.Unmarshal(raw, &names); err != nil {
			c.fail(http.StatusBadRequest, "ClientException", "Invalid "+lim.member+": "+err.Error())
			return true
		}
	}
	if len(names) > lim.max {
		c.fail(http.StatusBadRequest, "InvalidParameterException",
			fmt.Sprintf("%s can have at most %d entries; %d given.", lim.member, lim.max, len(names)))
		return true
	}
	return false
}

// ecsCall sends another ECS operation to moto with the request's headers and returns its answer.
func (c *call) ecsCall(op string, body any) (int, []byte, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return 0, nil, err
	}
	target := c.r.Header.Get("X-Amz-Target")
	c.r.Header.Set("X-Amz-Target", target[:strings.LastIndex(target, ".")+1]+op)
	defer c.r.Header.Set("X-Amz-Target", target)
	resp, out, err := c.forward(data)
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, out, nil
}

func (s *Shim) describeServices(c *call) {
	if !c.overLimit() {
		c.pass()
	}
}

// describeClusters enforces the limit and merges the settings UpdateClusterSettings kept into moto's answer.
func (s *Shim) describeClusters(c *call) {
	if c.overLimit() {
		return
	}
	resp, data, err := c.forward(nil)
	if err != nil {
		http.Error(c.w, "emulator: "+err.Error(), http.StatusBadGateway)
		return
	}
	if resp.StatusCode != http.StatusOK {
		c.reply(resp, data)
		return
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		c.reply(resp, data)
		return
	}
	clusters, _ := out["clusters"].([]any)
	for _, cl := range clusters {
		if m, ok := cl.(map[string]any); ok {
			s.mergeSettings(m)
		}
	}
	c.json(out)
}

// mergeSettings sets a described cluster's settings to moto's, overridden by those UpdateClusterSettings kept.
func (s *Shim) mergeSettings(cluster map[string]any) {
	arn, _ := cluster["clusterArn"].(string)
	s.mu.Lock()
	var kept clusterSettings
	if k := s.settings[arn]; k != nil {
		kept.names = append(kept.names, k.names...)
		kept.values = make(map[string]string, len(k.values))
		for n, v := range k.values {
			kept.values[n] = v
		}
	}
	s.mu.Unlock()
	if len(kept.names) == 0 {
		return
	}
	merged := map[string]string{}
	var order []string
	have, _ := cluster["settings"].([]any)
	for _, v := range have {
		if m, ok := v.(map[string]any); ok {
			name, _ := m["name"].(string)
			value, _ := m["value"].(string)
			if _, dup := merged[name]; !dup {
				order = append(order, name)
			}
			merged[name] = value
		}
	}
	for _, name := range kept.names {
		if _, dup := merged[name]; !dup {
			order = append(order, name)
		}
		merged[name] = kept.values[name]
	}
	list := make([]any, 0, len(order))
	for _, name := range order {
		list = append(list, map[string]any{"name": name, "value": merged[name]})
	}
	cluster["settings"] = list
}

// clusterSettings are the settings UpdateClusterSettings set on one cluster, in the order first set.
type clusterSettings struct {
	names  []string
	values map[string]string
}

func (k *clusterSettings) set(name, value string) {
	if _, ok := k.values[name]; !ok {
		k.names = append(k.names, name)
	}
	k.values[name] = value
}

// updateClusterSettings implements UpdateClusterSettings, which moto lacks: the cluster must exist (moto's
// DescribeClusters says so), the settings are kept per cluster ARN and merged into every later DescribeClusters
// answer, and the answer is the cluster with its settings (API reference, UpdateClusterSettings).
func (s *Shim) updateClusterSettings(c *call) {
	var in struct {
		Cluster  string `json:"cluster"`
		Settings []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"settings"`
	}
	if err := json.Unmarshal(c.body, &in); err != nil || in.Cluster == "" || len(in.Settings) == 0 {
		c.fail(http.StatusBadRequest, "InvalidParameterException", "cluster and settings are required.")
		return
	}
	for _, st := range in.Settings {
		if st.Name != "containerInsights" {
			c.fail(http.StatusBadRequest, "InvalidParameterException", "Unknown cluster setting "+st.Name+".")
			return
		}
	}
	status, data, err := c.ecsCall("DescribeClusters", map[string]any{"clusters": []string{in.Cluster}, "include": []string{"SETTINGS", "TAGS", "CONFIGURATIONS"}})
	if err != nil || status != http.StatusOK {
		http.Error(c.w, fmt.Sprintf("emulator: describe cluster: %v (HTTP %d)", err, status), http.StatusBadGateway)
		return
	}
	var out struct {
		Clusters []map[string]any `json:"clusters"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		http.Error(c.w, "emulator: describe cluster: "+err.Error(), http.StatusBadGateway)
		return
	}
	if len(out.Clusters) == 0 || out.Clusters[0]["status"] == "INACTIVE" {
		c.fail(http.StatusBadRequest, "ClusterNotFoundException", "Cluster not found.")
		return
	}
	cluster := out.Clusters[0]
	arn, _ := cluster["clusterArn"].(string)
	s.mu.Lock()
	kept := s.settings[arn]
	if kept == nil {
		kept = &clusterSettings{values: map[string]string{}}
		s.settings[arn] = kept
	}
	for _, st := range in.Settings {
		kept.set(st.Name, st.Value)
	}
	s.mu.Unlock()
	s.mergeSettings(cluster)
	c.json(map[string]any{"cluster": cluster})
}

// createService applies enableExecuteCommand, which moto's CreateService drops, with UpdateService (which moto
// implements), and answers with it set (API reference, CreateService: enableExecuteCommand).
func (s *Shim) createService(c *call) {
	var in struct {
		Cluster              string `json:"cluster"`
		EnableExecuteCommand bool   `json:"enableExecuteCommand"`
	}
	_ = json.Unmarshal(c.body, &in)
	resp, data, err := c.forward(nil)
	if err != nil {
		http.Error(c.w, "emulator: "+err.Error(), http.StatusBadGateway)
		return
	}
	if resp.StatusCode != http.StatusOK || !in.EnableExecuteCommand {
		c.reply(resp, data)
		return
	}
	var out map[string]map[string]any
	if err := json.Unmarshal(data, &out); err != nil || out["service"] == nil {
		c.reply(resp, data)
		return
	}
	svc := out["service"]
	upd := map[string]any{"service": svc["serviceArn"], "enableExecuteCommand": true}
	if in.Cluster != "" {
		upd["cluster"] = in.Cluster
	}
	status, body, err := c.ecsCall("UpdateService", upd)
	if err != nil || status != http.StatusOK {
		http.Error(c.w, fmt.Sprintf("emulator: enable execute command: %v (HTTP %d) %s", err, status, body), http.StatusBadGateway)
		return
	}
	svc["enableExecuteCommand"] = true
	c.json(out)
}

// registerContainerInstance applies the request's attributes, which moto's RegisterContainerInstance ignores, with
// PutAttributes (which moto implements), and answers with them (API reference, RegisterContainerInstance:
// attributes).
func (s *Shim) registerContainerInstance(c *call) {
	var in struct {
		Cluster    string           `json:"cluster"`
		Attributes []map[string]any `json:"attributes"`
	}
	_ = json.Unmarshal(c.body, &in)
	resp, data, err := c.forward(nil)
	if err != nil {
		http.Error(c.w, "emulator: "+err.Error(), http.StatusBadGateway)
		return
	}
	if resp.StatusCode != http.StatusOK || len(in.Attributes) == 0 {
		c.reply(resp, data)
		return
	}
	var out map[string]map[string]any
	if err := json.Unmarshal(data, &out); err != nil || out["containerInstance"] == nil {
		c.reply(resp, data)
		return
	}
	ci := out["containerInstance"]
	arn, _ := ci["containerInstanceArn"].(string)
	attrs := make([]map[string]any, 0, len(in.Attributes))
	for _, a := range in.Attributes {
		// moto reads a targetId without targetType as the instance's full ARN.
		b := map[string]any{"name": a["name"], "targetId": arn}
		if v, ok := a["value"]; ok {
			b["value"] = v
		}
		attrs = append(attrs, b)
	}
	put := map[string]any{"attributes": attrs}
	if in.Cluster != "" {
		put["cluster"] = in.Cluster
	}
	status, body, err := c.ecsCall("PutAttributes", put)
	if err != nil || status != http.StatusOK {
		http.Error(c.w, fmt.Sprintf("emulator: put attributes: %v (HTTP %d) %s", err, status, body), http.StatusBadGateway)
		return
	}
	have, _ := ci["attributes"].([]any)
	for _, a := range in.Attributes {
		have = append(have, a)
	}
	ci["attributes"] = have
	c.json(out)
}

// listServices pages moto's whole answer, which ignores maxResults and nextToken (API reference, ListServices:
// maxResults 1 to 100, default 10).
func (s *Shim) listServices(c *call) {
	var in map[string]any
	if err := json.Unmarshal(c.body, &in); err != nil {
		c.fail(http.StatusBadRequest, "ClientException", "Invalid request body: "+err.Error())
		return
	}
	var page listInput
	if v, ok := in["nextToken"].(string); ok {
		page.NextToken = v
	}
	if v, ok := in["maxResults"].(float64); ok {
		page.MaxResults = int(v)
	}
	if page.MaxResults == 0 {
		page.MaxResults = 10
	}
	delete(in, "nextToken")
	delete(in, "maxResults")
	body, _ := json.Marshal(in)
	resp, data, err := c.forward(body)
	if err != nil {
		http.Error(c.w, "emulator: "+err.Error(), http.StatusBadGateway)
		return
	}
	if resp.StatusCode != http.StatusOK {
		c.reply(resp, data)
		return
	}
	var out struct {
		ServiceArns []string `json:"serviceArns"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		http.Error(c.w, "emulator: "+err.Error(), http.StatusBadGateway)
		return
	}
	active, err := c.activeServices(in["cluster"], out.ServiceArns)
	if err != nil {
		http.Error(c.w, "emulator: "+err.Error(), http.StatusBadGateway)
		return
	}
	s.page(c, page, active, "serviceArns")
}

// activeServices keeps the ACTIVE services of arns: a deleted service "is no longer visible in ... the ListServices
// API operation" (API reference, DeleteService), while moto lists it INACTIVE.
func (c *call) activeServices(cluster any, arns []string) ([]string, error) {
	var out []string
	for start := 0; start < len(arns); start += 10 {
		in := map[string]any{"services": arns[start:min(start+10, len(arns))]}
		if cluster != nil {
			in["cluster"] = cluster
		}
		status, data, err := c.ecsCall("DescribeServices", in)
		if err != nil || status != http.StatusOK {
			return nil, fmt.Errorf("describe services: %v (HTTP %d) %s", err, status, data)
		}
		var d struct {
			Services []struct {
				ServiceArn string `json:"serviceArn"`
				Status     string `json:"status"`
			} `json:"services"`
		}
		if err := json.Unmarshal(data, &d); err != nil {
			return nil, fmt.Errorf("describe services: %w", err)
		}
		for _, svc := range d.Services {
			if svc.Status == "ACTIVE" {
				out = append(out, svc.ServiceArn)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// createCapacityProvider and deleteCapacityProvider keep the ARNs of the capacity providers that exist, so that
// DescribeCapacityProviders without names can describe them all, as AWS does (API reference,
// DescribeCapacityProviders: with no capacityProviders named, every one of the account is described, maxResults 1 to
// 10 per page with a nextToken). moto fails on such a call, and has no call that lists them.
func (s *Shim) createCapacityProvider(c *call) { s.trackCapacityProvider(c, true) }

func (s *Shim) deleteCapacityProvider(c *call) { s.trackCapacityProvider(c, false) }

func (s *Shim) trackCapacityProvider(c *call, add bool) {
	resp, data, err := c.forward(nil)
	if err != nil {
		http.Error(c.w, "emulator: "+err.Error(), http.StatusBadGateway)
		return
	}
	if resp.StatusCode == http.StatusOK {
		var out struct {
			CapacityProvider struct {
				CapacityProviderArn string `json:"capacityProviderArn"`
			} `json:"capacityProvider"`
		}
		if json.Unmarshal(data, &out) == nil && out.CapacityProvider.CapacityProviderArn != "" {
			s.mu.Lock()
			if add {
				s.providers[out.CapacityProvider.CapacityProviderArn] = true
			} else {
				delete(s.providers, out.CapacityProvider.CapacityProviderArn)
			}
			s.mu.Unlock()
		}
	}
	c.reply(resp, data)
}

// describeCapacityProviders answers a call without names by describing, a page at a time, the providers of the
// caller's account and region that the shim saw created.
func (s *Shim) describeCapacityProviders(c *call) {
	var in map[string]any
	if err := json.Unmarshal(c.body, &in); err != nil {
		c.fail(http.StatusBadRequest, "ClientException", "Invalid request body: "+err.Error())
		return
	}
	if names, ok := in["capacityProviders"].([]any); ok && len(names) > 0 {
		c.pass()
		return
	}
	account, err := c.callerAccount()
	if err != nil {
		http.Error(c.w, "emulator: "+err.Error(), http.StatusBadGateway)
		return
	}
	prefix := ":ecs:" + c.region + ":" + account + ":capacity-provider/"
	s.mu.Lock()
	var arns []string
	for a := range s.providers {
		if strings.Contains(a, prefix) {
			arns = append(arns, a)
		}
	}
	s.mu.Unlock()
	sort.Strings(arns)
	size := 10
	if v, ok := in["maxResults"].(float64); ok && v >= 1 && v <= 10 {
		size = int(v)
	}
	offset := 0
	if tok, ok := in["nextToken"].(string); ok && tok != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(tok, "shim-providers-"))
		if err != nil || n < 0 || !strings.HasPrefix(tok, "shim-providers-") {
			c.fail(http.StatusBadRequest, "InvalidParameterException", "Invalid nextToken.")
			return
		}
		offset = min(n, len(arns))
	}
	end := min(offset+size, len(arns))
	part := arns[offset:end]
	out := map[string]any{"capacityProviders": []any{}, "failures": []any{}}
	if len(part) > 0 {
		in["capacityProviders"] = part
		delete(in, "maxResults")
		delete(in, "nextToken")
		resp, data, err := c.forward(mustJSON(in))
		if err != nil {
			http.Error(c.w, "emulator: "+err.Error(), http.StatusBadGateway)
			return
		}
		if resp.StatusCode != http.StatusOK {
			c.reply(resp, data)
			return
		}
		if err := json.Unmarshal(data, &out); err != nil {
			http.Error(c.w, "emulator: "+err.Error(), http.StatusBadGateway)
			return
		}
	}
	if end < len(arns) {
		out["nextToken"] = "shim-providers-" + strconv.Itoa(end)
	}
	c.json(out)
}

func mustJSON(v any) []byte {
	// Values decoded from JSON encode again.
	data, _ := json.Marshal(v)
	return data
}
