package event

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

// record is the part of a CloudTrail record the actions need.
type record struct {
	EventID            string `json:"eventID"`
	EventTime          string `json:"eventTime"`
	EventSource        string `json:"eventSource"`
	EventName          string `json:"eventName"`
	AWSRegion          string `json:"awsRegion"`
	RecipientAccountID string `json:"recipientAccountId"`
	ErrorCode          string `json:"errorCode"`
	UserIdentity       struct {
		ARN         string `json:"arn"`
		InvokedBy   string `json:"invokedBy"`
		PrincipalID string `json:"principalId"`
	} `json:"userIdentity"`
	RequestParameters json.RawMessage `json:"requestParameters"`
	ResponseElements  json.RawMessage `json:"responseElements"`
}

// actor names who made the call: the caller's ARN, or the service or principal when there is none.
func (r *record) actor() string {
	switch {
	case r.UserIdentity.ARN != "":
		return r.UserIdentity.ARN
	case r.UserIdentity.InvokedBy != "":
		return r.UserIdentity.InvokedBy
	}
	return r.UserIdentity.PrincipalID
}

// parseRecord reads a bare CloudTrail record, taking the envelope's fields from the record itself.
func parseRecord(raw json.RawMessage) ([]Action, error) {
	var r record
	if err := decode("record", raw, &r); err != nil {
		return nil, err
	}
	t, err := parseTime(r.EventTime)
	if err != nil {
		return nil, fmt.Errorf("record %q: eventTime: %w", r.EventID, err)
	}
	b := base{eventID: r.EventID, account: r.RecipientAccountID, region: r.AWSRegion, time: t}
	acts, err := b.call(&r, "record")
	if err != nil {
		return nil, fmt.Errorf("record %q: %w", r.EventID, err)
	}
	return acts, nil
}

// apiCall reads the detail of an "AWS API Call via CloudTrail" event.
func (b base) apiCall(detail json.RawMessage) ([]Action, error) {
	var r record
	if err := decode("detail", detail, &r); err != nil {
		return nil, err
	}
	if b.account == "" {
		b.account = r.RecipientAccountID
	}
	if b.region == "" {
		b.region = r.AWSRegion
	}
	return b.call(&r, "detail")
}

// call turns one API call into actions; path prefixes field names in errors.
func (b base) call(r *record, path string) ([]Action, error) {
	b.actor = r.actor()
	if r.ErrorCode != "" {
		return b.ignore("%s call failed with %s", r.EventName, r.ErrorCode), nil
	}
	c := call{base: b, r: r, path: path}
	switch r.EventSource {
	case "ecs.amazonaws.com":
		return c.ecs()
	case "ecr.amazonaws.com":
		return c.ecr()
	}
	return b.ignore("API calls to %s are not audited", r.EventSource), nil
}

// call is one API call being read.
type call struct {
	base
	r    *record
	path string
}

// request decodes requestParameters into v; absent parameters leave v empty.
func (c *call) request(v any) error { return c.sub("requestParameters", c.r.RequestParameters, v) }

// response decodes responseElements into v; absent elements leave v empty.
func (c *call) response(v any) error { return c.sub("responseElements", c.r.ResponseElements, v) }

func (c *call) sub(name string, raw json.RawMessage, v any) error {
	if !present(raw) {
		return nil
	}
	return decode(c.path+"."+name, raw, v)
}

type taskDefinitionRef struct {
	TaskDefinitionARN string `json:"taskDefinitionArn"`
}

func (c *call) ecs() ([]Action, error) {
	switch c.r.EventName {
	case "RegisterTaskDefinition":
		var resp struct {
			TaskDefinition *taskDefinitionRef `json:"taskDefinition"`
		}
		var req struct {
			Family string `json:"family"`
		}
		if err := c.response(&resp); err != nil {
			return nil, err
		}
		if err := c.request(&req); err != nil {
			return nil, err
		}
		ref := req.Family
		if resp.TaskDefinition != nil && resp.TaskDefinition.TaskDefinitionARN != "" {
			ref = resp.TaskDefinition.TaskDefinitionARN
		}
		return c.taskDefinitions(AuditTaskDefinition, ref)
	case "DeregisterTaskDefinition":
		var resp struct {
			TaskDefinition *taskDefinitionRef `json:"taskDefinition"`
		}
		var req struct {
			TaskDefinition string `json:"taskDefinition"`
		}
		if err := c.response(&resp); err != nil {
			return nil, err
		}
		if err := c.request(&req); err != nil {
			return nil, err
		}
		ref := req.TaskDefinition
		if resp.TaskDefinition != nil && resp.TaskDefinition.TaskDefinitionARN != "" {
			ref = resp.TaskDefinition.TaskDefinitionARN
		}
		return c.taskDefinitions(ArchiveTaskDefinition, ref)
	case "DeleteTaskDefinitions":
		var resp struct {
			TaskDefinitions *[]taskDefinitionRef `json:"taskDefinitions"`
		}
		var req struct {
			TaskDefinitions []string `json:"taskDefinitions"`
		}
		if err := c.response(&resp); err != nil {
			return nil, err
		}
		if err := c.request(&req); err != nil {
			return nil, err
		}
		refs := req.TaskDefinitions
		if resp.TaskDefinitions != nil {
			// The response lists only what was deleted; the rest are in its failures.
			refs = refs[:0:0]
			for _, td := range *resp.TaskDefinitions {
				refs = append(refs, td.TaskDefinitionARN)
			}
			if len(refs) == 0 {
				return c.ignore("DeleteTaskDefinitions deleted no task definition"), nil
			}
		}
		return c.taskDefinitions(ArchiveTaskDefinition, refs...)
	case "TagResource", "UntagResource":
		arn, err := c.resourceARN()
		if err != nil {
			return nil, err
		}
		if k := model.KindOfARN(arn); k != nil && len(k.Calls) > 0 {
			return c.resource(AuditResource, k, arn), nil
		}
		if a, _ := model.ParseARN(arn); a.Service != "ecs" || !strings.HasPrefix(a.Resource, "task-definition/") {
			return c.ignore("%s on %s, not a task definition", c.r.EventName, arn), nil
		}
		return c.taskDefinitions(ReevaluateTaskDefinition, arn)
	}
	if k, kc := model.KindOfCall(c.r.EventName); k != nil {
		return c.kindCall(k, kc)
	}
	return c.ignore("ECS %s calls are not audited", c.r.EventName), nil
}

// taskDefinitions returns one action per reference (an ARN, family:revision, or a bare family).
func (c *call) taskDefinitions(k Kind, refs ...string) ([]Action, error) {
	if len(refs) == 0 || (len(refs) == 1 && refs[0] == "") {
		return nil, fmt.Errorf("%s call names no task definition", c.r.EventName)
	}
	acts := make([]Action, 0, len(refs))
	for _, ref := range refs {
		arn, err := c.taskDefinitionARN(ref)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.r.EventName, err)
		}
		a := c.action(k)
		a.ARN = arn
		acts = append(acts, a)
	}
	return acts, nil
}

func (c *call) taskDefinitionARN(ref string) (string, error) {
	if a, ok := model.ParseARN(ref); ok {
		if a.Service != "ecs" || !strings.HasPrefix(a.Resource, "task-definition/") {
			return "", fmt.Errorf("%q is not a task definition ARN", ref)
		}
		return ref, nil
	}
	if ref == "" || strings.ContainsAny(ref, "/ ") {
		return "", fmt.Errorf("%q is not a task definition", ref)
	}
	if c.account == "" || c.region == "" {
		return "", fmt.Errorf("task definition %q: the event names no account or region to build its ARN from", ref)
	}
	return fmt.Sprintf("arn:%s:ecs:%s:%s:task-definition/%s", model.PartitionOf(c.region), c.region, c.account, ref), nil
}

// resourceARN returns the resourceArn parameter of a TagResource or UntagResource call.
func (c *call) resourceARN() (string, error) {
	var req struct {
		ResourceARN string `json:"resourceArn"`
	}
	if err := c.request(&req); err != nil {
		return "", err
	}
	if _, ok := model.ParseARN(req.ResourceARN); !ok {
		return "", fmt.Errorf("%s.requestParameters.resourceArn: %q is not an ARN", c.path, req.ResourceARN)
	}
	return req.ResourceARN, nil
}

// repositoryCall gives the action for an ECR call that creates, deletes or changes the audited settings of one
// repository; ok is false for any other call.
func repositoryCall(name string) (k Kind, ok bool) {
	switch name {
	case "CreateRepository", "PutImageTagMutability", "PutImageScanningConfiguration", "SetRepositoryPolicy",
		"DeleteRepositoryPolicy", "PutLifecyclePolicy", "DeleteLifecyclePolicy":
		return AuditRepository, true
	case "DeleteRepository":
		return ArchiveRepository, true
	}
	return "", false
}

// repositoryFields covers where ECR calls name their repository: the request parameters, and responses either flat
// (registryId, repositoryName) or with a repository object (CreateRepository, DeleteRepository).
type repositoryFields struct {
	RepositoryName string `json:"repositoryName"`
	RegistryID     string `json:"registryId"`
	Repository     *struct {
		RepositoryARN  string `json:"repositoryArn"`
		RepositoryName string `json:"repositoryName"`
		RegistryID     string `json:"registryId"`
	} `json:"repository"`
}

func (c *call) ecr() ([]Action, error) {
	switch name := c.r.EventName; name {
	case "PutRegistryScanningConfiguration":
		a := c.action(AuditRegistry)
		a.RegistryID = c.account
		return []Action{a}, nil
	case "TagResource", "UntagResource":
		arn, err := c.resourceARN()
		if err != nil {
			return nil, err
		}
		a, _ := model.ParseARN(arn)
		repo, ok := strings.CutPrefix(a.Resource, "repository/")
		if a.Service != "ecr" || !ok || repo == "" {
			return c.ignore("%s on %s, not a repository", name, arn), nil
		}
		act := c.action(AuditRepository)
		act.ARN, act.RepositoryName, act.RegistryID = arn, repo, a.Account
		return []Action{act}, nil
	default:
		k, ok := repositoryCall(name)
		if !ok {
			return c.ignore("ECR %s calls are not audited", name), nil
		}
		var req, resp repositoryFields
		if err := c.request(&req); err != nil {
			return nil, err
		}
		if err := c.response(&resp); err != nil {
			return nil, err
		}
		act := c.action(k)
		act.RepositoryName = first(req.RepositoryName, resp.RepositoryName)
		act.RegistryID = first(req.RegistryID, resp.RegistryID)
		if r := resp.Repository; r != nil {
			act.ARN = r.RepositoryARN
			act.RepositoryName = first(act.RepositoryName, r.RepositoryName)
			act.RegistryID = first(act.RegistryID, r.RegistryID)
		}
		act.RegistryID = first(act.RegistryID, c.account)
		if act.RepositoryName == "" {
			return nil, fmt.Errorf("%s call names no repository", name)
		}
		if act.ARN == "" {
			act.ARN = repositoryARN(c.region, act.RegistryID, act.RepositoryName)
			return []Action{act}, nil
		}
		// The handler describes the repository by name and registry but files findings under the ARN: all three must
		// agree, or an event could attribute one repository's findings to another.
		a, ok := model.ParseARN(act.ARN)
		act.RegistryID = first(act.RegistryID, a.Account)
		if !ok || a.Service != "ecr" || a.Resource != "repository/"+act.RepositoryName || a.Account != act.RegistryID {
			return nil, fmt.Errorf("%s: %q is not the ARN of repository %q in registry %q", name, act.ARN, act.RepositoryName, act.RegistryID)
		}
		return []Action{act}, nil
	}
}

func repositoryARN(region, registry, name string) string {
	return fmt.Sprintf("arn:%s:ecr:%s:%s:repository/%s", model.PartitionOf(region), region, registry, name)
}

// first returns the first non-empty string.
func first(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
