// Package hook answers CloudFormation Lambda hook requests: before CloudFormation creates or updates a task
// definition, an ECR repository or a resource of the ECS estate (service, task set, cluster, capacity provider), it evaluates the resource's properties with the engine, through the template
// reader's own conversion (internal/iac), and answers SUCCESS, or FAILED (NonCompliant) naming the rules that block
// and their fixes. Whether FAILED stops the stack or only warns is the hook's FailureMode (FAIL or WARN).
package hook

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/iac"
	"github.com/ecsaudit/ecsaudit/internal/load"
	"github.com/ecsaudit/ecsaudit/internal/redact"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// Request is a Lambda hook's resource-operation request (CloudFormation Hooks User Guide, "Create Lambda functions
// to evaluate resources for Lambda Hooks": the resource input syntax).
type Request struct {
	ClientRequestToken    string `json:"clientRequestToken"`
	AWSAccountID          string `json:"awsAccountId"`
	StackID               string `json:"stackId"`
	ChangeSetID           string `json:"changeSetId"`
	HookTypeName          string `json:"hookTypeName"`
	ActionInvocationPoint string `json:"actionInvocationPoint"`
	RequestData           struct {
		TargetName      string `json:"targetName"`
		TargetType      string `json:"targetType"`
		TargetLogicalID string `json:"targetLogicalId"`
		TargetModel     struct {
			ResourceProperties         map[string]any `json:"resourceProperties"`
			PreviousResourceProperties map[string]any `json:"previousResourceProperties"`
		} `json:"targetModel"`
	} `json:"requestData"`
}

// Response is the hook's answer.
type Response struct {
	HookStatus           string `json:"hookStatus"`
	ErrorCode            string `json:"errorCode,omitempty"`
	Message              string `json:"message"`
	ClientRequestToken   string `json:"clientRequestToken,omitempty"`
	CallbackContext      any    `json:"callbackContext"`
	CallbackDelaySeconds int    `json:"callbackDelaySeconds"`
}

// The answers' statuses and error codes.
const (
	Success        = "SUCCESS"
	Failed         = "FAILED"
	NonCompliant   = "NonCompliant"
	InternalFailed = "InternalFailure"
)

// MaxMessage is the longest message CloudFormation keeps of a hook's answer (it truncates longer ones).
const MaxMessage = 4096

// Targets are the resource types the hook evaluates: those the template reader reads. Register the hook for these.
var Targets = []string{"AWS::ECS::TaskDefinition", "AWS::ECR::Repository", "AWS::ECR::RegistryScanningConfiguration",
	"AWS::ECS::Service", "AWS::ECS::TaskSet", "AWS::ECS::Cluster", "AWS::ECS::CapacityProvider"}

// Hook evaluates requests.
type Hook struct {
	Engine *engine.Engine
	// Block is the lowest severity of a FAILED finding that makes the answer FAILED.
	Block rule.Severity
	Now   func() time.Time
	Log   *slog.Logger
	// Region names the region of resources whose request does not say it (the function's own).
	Region string
}

// Handle answers one request. It never returns an error: a request it cannot evaluate is answered FAILED with
// InternalFailure and says why, so CloudFormation applies the hook's FailureMode instead of retrying.
func (h *Hook) Handle(ctx context.Context, raw json.RawMessage) (Response, error) {
	var req Request
	if err := json.Unmarshal(raw, &req); err != nil {
		h.Log.Error("hook request not read", "error", err.Error())
		return Response{HookStatus: Failed, ErrorCode: InternalFailed, Message: "ecsaudit: the request is not a hook request: " + err.Error()}, nil
	}
	resp := h.safeEvaluate(&req)
	resp.ClientRequestToken = req.ClientRequestToken
	h.Log.Info("hook answered", "target", req.RequestData.TargetName, "logicalId", redact.Field(req.RequestData.TargetLogicalID),
		"invocationPoint", req.ActionInvocationPoint, "status", resp.HookStatus, "errorCode", resp.ErrorCode)
	return resp, nil
}

// safeEvaluate is evaluate, answering InternalFailure if the evaluation panics (a defect in a reader): the hook
// answers rather than failing the invocation.
func (h *Hook) safeEvaluate(req *Request) (resp Response) {
	defer func() {
		if p := recover(); p != nil {
			h.Log.Error("hook evaluation failed", "panic", fmt.Sprint(p))
			resp = internal(req.RequestData.TargetName+" "+req.RequestData.TargetLogicalID, fmt.Errorf("internal error: %v", p))
		}
	}()
	return h.evaluate(req)
}

func (h *Hook) evaluate(req *Request) Response {
	d := &req.RequestData
	what := d.TargetName + " " + d.TargetLogicalID
	switch {
	case d.TargetType != "" && d.TargetType != "RESOURCE":
		return success("ecsaudit evaluates resource operations, not " + d.TargetType)
	case req.ActionInvocationPoint == "DELETE_PRE_PROVISION":
		return success("ecsaudit does not evaluate deletions")
	case !supported(d.TargetName):
		return success("ecsaudit does not evaluate " + d.TargetName)
	}
	doc := map[string]any{"Resources": map[string]any{
		logicalID(d.TargetLogicalID): map[string]any{"Type": d.TargetName, "Properties": nonNil(d.TargetModel.ResourceProperties)},
	}}
	data, err := json.Marshal(doc)
	if err != nil {
		return internal(what, err)
	}
	opts := iac.Options{Account: req.AWSAccountID, Region: regionOf(req.StackID, h.Region)}
	rs, err := iac.Read(load.NewSet(load.Options{Account: opts.Account, Region: opts.Region}), opts, logicalID(d.TargetLogicalID), data)
	if err != nil {
		return internal(what, err)
	}
	fs := iac.Judge(h.Engine, rs, h.Now())
	var block []engine.Finding
	below, unknown := 0, 0
	for _, f := range fs {
		switch {
		case f.Status == rule.Failed && f.Severity.AtLeast(h.Block):
			block = append(block, f)
		case f.Status == rule.Failed:
			below++
		case f.Status == rule.NotAvailable:
			unknown++
		}
	}
	if len(block) == 0 {
		msg := fmt.Sprintf("ecsaudit: no finding at or above %s on %s", h.Block, what)
		if below > 0 {
			msg += fmt.Sprintf(" (%d below it: ecsaudit scan shows them)", below)
		}
		if unknown > 0 {
			msg += fmt.Sprintf("; %d rule(s) could not judge it from its properties", unknown)
		}
		return success(msg)
	}
	return Response{HookStatus: Failed, ErrorCode: NonCompliant, Message: blockMessage(what, h.Block, block)}
}

// blockMessage names each blocking finding with its severity, container, what was seen and the fix, most severe
// first, within MaxMessage.
func blockMessage(what string, min rule.Severity, fs []engine.Finding) string {
	sort.SliceStable(fs, func(i, j int) bool {
		if a, b := fs[i].Severity.Rank(), fs[j].Severity.Rank(); a != b {
			return a > b
		}
		if fs[i].Rule.ID != fs[j].Rule.ID {
			return fs[i].Rule.ID < fs[j].Rule.ID
		}
		return fs[i].Container < fs[j].Container
	})
	head := fmt.Sprintf("ecsaudit: %d finding(s) at or above %s on %s.", len(fs), min, what)
	var b strings.Builder
	b.WriteString(redact.Text(head))
	for i, f := range fs {
		item := fmt.Sprintf(" [%s] %s", f.Severity, f.Rule.ID)
		if f.Container != "" {
			item += fmt.Sprintf(" (container %q)", f.Container)
		}
		item += ": " + f.Rule.Title
		if f.Detail != "" {
			item += ": " + f.Detail
		}
		item += ". Fix: " + f.Rule.Remediation
		item = redact.Text(item)
		more := fmt.Sprintf(" ... and %d more (ecsaudit scan shows them all).", len(fs)-i)
		if b.Len()+len(item)+len(more) > MaxMessage {
			if b.Len()+len(more) <= MaxMessage {
				b.WriteString(more)
			}
			break
		}
		b.WriteString(item)
	}
	return b.String()
}

func success(msg string) Response { return Response{HookStatus: Success, Message: redact.Text(msg)} }

func internal(what string, err error) Response {
	msg := redact.Text(fmt.Sprintf("ecsaudit: %s could not be evaluated: %v", what, err))
	if len(msg) > MaxMessage {
		msg = msg[:MaxMessage]
	}
	return Response{HookStatus: Failed, ErrorCode: InternalFailed, Message: msg}
}

func supported(target string) bool {
	for _, t := range Targets {
		if t == target {
			return true
		}
	}
	return false
}

// logicalID is the resource's logical ID as the template reader names it; a request without one still gets a name.
func logicalID(id string) string {
	if id == "" {
		return "Resource"
	}
	return id
}

func nonNil(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// regionOf takes the region from the stack's ARN (arn:aws:cloudformation:REGION:ACCOUNT:stack/...), else fallback.
func regionOf(stackID, fallback string) string {
	if p := strings.Split(stackID, ":"); len(p) > 4 && strings.HasPrefix(stackID, "arn:") && p[3] != "" {
		return p[3]
	}
	return fallback
}
