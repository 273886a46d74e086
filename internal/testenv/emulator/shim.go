package emulator

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Shim is the one HTTP layer in front of moto_server that adds the AWS behaviours moto lacks. Point the SDK
// clients at an http.Server (or httptest.Server) serving it; everything it does not handle goes to moto unchanged.
//
// Behaviours (each one is AWS's, as documented, unless it says "shim's own"):
//
//   - Security Hub BatchImportFindings: more than 100 findings in one call is refused with HTTP 400
//     InvalidInputException, as AWS does (the message is the shim's own).
//   - Security Hub BatchImportFindings: the whole call is refused with HTTP 403 AccessDeniedException when any
//     finding's ProductArn is not arn:<partition>:securityhub:<caller Region>:<caller account>:product/<caller
//     account>/default or its AwsAccountId is not the caller's (API reference, BatchImportFindings: "must be called
//     by ... the account that is associated with a finding if using the default product ARN"; AWS Support, quoted in
//     prowler-cloud/prowler#867: the whole call fails with AccessDenied). The caller is the account moto's
//     STS GetCallerIdentity names for the request's credentials, in the Region the request is signed for.
//   - Security Hub BatchImportFindings: a call over 6 MB is refused with InvalidInputException; a finding over 240 KB
//     is reported in FailedFindings (ErrorCode "InvalidInput") and not stored (API reference, BatchImportFindings:
//     "The maximum allowed size for a finding is 240 Kb", "the batch ... maximum of 100 findings, or 6 MB").
//   - Security Hub BatchImportFindings: an update whose UpdatedAt is older than the stored one is accepted (counted
//     in SuccessCount) and ignored (user guide, "Using BatchImportFindings to create and update findings": Security
//     Hub ignores an update whose UpdatedAt is older than the one it holds).
//   - Security Hub BatchImportFindings: in an update of an existing finding, Note, Workflow, UserDefinedFields,
//     VerificationState and the top-level Criticality and Severity are ignored; the values from the finding's
//     creation stay (user guide, "Using FindingProviderFields": providers change these only at creation, customers
//     through BatchUpdateFindings).
//   - Security Hub BatchImportFindings: the CreatedAt of every import accepted is recorded (CreatedAts), so a test
//     can see it move (shim's own).
//   - Security Hub BatchImportFindings: findings a test marked with FailFinding are reported in FailedFindings
//     (with the chosen ErrorCode, e.g. "InternalFailure") and not stored, for the marked number of calls; after that
//     they import normally.
//   - Security Hub BatchUpdateFindings (moto answers 404): the shim keeps its own view of every finding imported
//     through it (product ARN and Id → workflow status and note). An update of a known finding changes that view
//     and is recorded (Updates); an unknown one is listed in UnprocessedFindings with ErrorCode "FindingNotFound"
//     (shim's own code). More than 100 identifiers is InvalidInputException.
//   - Security Hub Workflow rules of AWS, applied to that view: BatchImportFindings sets Workflow.Status only when it
//     creates a finding (default NEW) and never changes it afterwards; Security Hub resets NOTIFIED or RESOLVED to
//     NEW when RecordState goes from ARCHIVED to ACTIVE or Compliance.Status leaves PASSED.
//   - Security Hub GetFindings: Workflow.Status and Note of the findings in the view are rewritten from the view, so
//     callers read what AWS would return. (moto still ignores Filters; the shim does not add them.)
//   - Security Hub DescribeHub: not handled here. moto 5.2.1 already answers InvalidAccessException ("Account is not
//     subscribed to AWS Security Hub", HTTP 401) until EnableSecurityHub is called, as AWS does.
//   - KMS DescribeKey: for the key IDs, key ARNs or aliases a test marked with MarkAWSManagedKey the shim answers
//     itself with KeyManager AWS (moto knows only customer-managed keys).
//   - ECS DescribeTaskSets and DescribeContainerInstances of a resource that is not there: a MISSING failure for it,
//     as the API reference describes "failures" (moto leaves a task set out without a failure, and fails with a server
//     error for the instances of a cluster that has none); shim_ecs_missing.go.
//   - ECS ListTaskDefinitions and ListTaskDefinitionFamilies: paged at PageSize entries (default 100, lowered by a
//     smaller maxResults) with an opaque nextToken; ListTaskDefinitions honours sort ASC/DESC (family, then revision
//     as a number); ListTaskDefinitionFamilies filters by status ACTIVE / INACTIVE (default: all), which moto ignores.
//   - ECS DescribeServices with more than 10 services, DescribeClusters with more than 100 clusters and
//     DescribeContainerInstances with more than 100 container instances are refused with HTTP 400
//     InvalidParameterException (API reference of each call: "up to 10 services", "up to 100 cluster names", "up to
//     100 container instance IDs"; the message is the shim's own). moto accepts any number.
//   - ECS ListServices: paged at maxResults (default 10, API reference: 1 to 100), lowered by PageSize, with an
//     opaque nextToken; moto ignores both. Only ACTIVE services are listed: a deleted service "is no longer visible
//     in ... the ListServices API operation" (API reference, DeleteService); moto lists it INACTIVE.
//   - ECS UpdateClusterSettings (moto does not implement it): the shim checks that the cluster exists (moto's
//     DescribeClusters; ClusterNotFoundException otherwise), accepts the containerInsights setting only (API
//     reference, ClusterSetting: name "containerInsights"), keeps the settings per cluster ARN, answers the cluster with
//     them, and merges them into every later DescribeClusters answer (API reference, UpdateClusterSettings).
//   - ECS CreateService with enableExecuteCommand true: moto drops the field; the shim applies it with UpdateService
//     (which moto implements) and answers the service with it set (API reference, CreateService).
//   - ECS RegisterContainerInstance with attributes: moto ignores them; the shim adds them with PutAttributes (which
//     moto implements) and answers the instance with them (API reference, RegisterContainerInstance).
//   - ECS DescribeCapacityProviders without names (every provider of the account, paged at maxResults 1 to 10 with a
//     nextToken; API reference): moto fails on it and lists none, so the shim keeps the ARNs of the providers created
//     (and not deleted) through it and describes those of the caller's account and region a page at a time.
//   - ECS ListTasks and DescribeTasks (shim_ecs_tasks.go): ListTasks lists the tasks of the cluster named (moto
//     matches every cluster whose name contains it), paged at maxResults (default 100, API reference: 1 to 100) with
//     an opaque nextToken, which moto ignores. DescribeTasks takes at most 100 tasks (API reference: "up to 100 task
//     IDs or full ARN entries"), describes only the tasks of the cluster named (moto matches tasks of every cluster,
//     by any substring of their ID) and answers a MISSING failure for a task it does not find (moto answers none).
//     RunTask, StartTask, StopTask and DescribeTasks answer containers' cpu, memory and memoryReservation as strings, as the API model
//     types them; moto answers numbers, which the SDK cannot decode.
//   - ECR GetAuthorizationToken: answered by the shim with a random password for user AWS valid 12 hours (API
//     reference, GetAuthorizationToken); RegistryTokenValid tells a test registry whether a password was issued.
//   - Every request is counted per API as "<signing service>:<operation>" (e.g. "securityhub:BatchImportFindings",
//     "dynamodb:PutItem"), which is also the IAM action name, and, when Capture is on, its body is kept.
//
// A Shim is safe for concurrent use.
type Shim struct {
	target *url.URL
	client *http.Client

	mu       sync.Mutex
	pageSize int
	capture  bool
	calls    map[string]int
	requests []Request
	failures map[string]*failure
	awsKeys  map[string]bool
	findings map[string]*findingView
	updates  []FindingUpdate
	callers  map[string]string
	tokens   registryTokens
	settings map[string]*clusterSettings
	// providers holds the ARNs of the capacity providers created through the shim and not deleted.
	providers map[string]bool
}

// callerAccount returns the account the request's credentials belong to, as moto's STS GetCallerIdentity answers
// for them (moto's default account, or the account of an assumed role), cached per access key.
func (c *call) callerAccount() (string, error) {
	m := accessKey.FindStringSubmatch(c.r.Header.Get("Authorization"))
	key := ""
	if m != nil {
		key = m[1]
	}
	c.shim.mu.Lock()
	account, ok := c.shim.callers[key]
	c.shim.mu.Unlock()
	if ok {
		return account, nil
	}
	u := *c.shim.target
	u.Path = "/"
	form := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}.Encode()
	req, err := http.NewRequestWithContext(c.r.Context(), http.MethodPost, u.String(), strings.NewReader(form))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", strings.Replace(c.r.Header.Get("Authorization"), "/"+c.service+"/", "/sts/", 1))
	resp, err := c.shim.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("caller identity: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", fmt.Errorf("caller identity: %w", err)
	}
	a := accountElement.FindSubmatch(data)
	if a == nil {
		return "", fmt.Errorf("caller identity: no account in %q", data)
	}
	account = string(a[1])
	c.shim.mu.Lock()
	c.shim.callers[key] = account
	c.shim.mu.Unlock()
	return account, nil
}

var (
	accountElement = regexp.MustCompile(`<Account>(\d+)</Account>`)
)

// Limits of BatchImportFindings (API reference).
const (
	maxFindingSize = 240 << 10
	maxImportSize  = 6 << 20
)

// providerFixed are the top-level fields a finding provider sets only when it creates a finding.
var providerFixed = []string{"Note", "Workflow", "UserDefinedFields", "VerificationState", "Criticality", "Severity"}

// Request is one request the shim received, kept when Capture is on.
type Request struct {
	// API is "<service>:<operation>".
	API  string
	Body []byte
}

// FindingUpdate is one finding changed by a BatchUpdateFindings call.
type FindingUpdate struct {
	ProductARN string
	ID         string
	// Workflow is the new workflow status, empty when the call did not set one.
	Workflow string
	// Note is the new note text, empty when the call did not set one.
	Note string
}

type failure struct {
	code      string
	remaining int
}

type findingView struct {
	// updatedAt is the UpdatedAt of the last import applied; createdAts are the CreatedAt of every import accepted.
	updatedAt  time.Time
	createdAts []string
	// fixed holds the provider-fixed fields as the creating import sent them.
	fixed       map[string]json.RawMessage
	workflow    string
	note        map[string]any
	recordState string
	compliance  string
}

// NewShim returns a shim forwarding to the emulator at motoURL.
func NewShim(motoURL string) (*Shim, error) {
	u, err := url.Parse(motoURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("emulator URL %q: not an absolute URL", motoURL)
	}
	s := &Shim{target: u, client: &http.Client{Timeout: 2 * time.Minute}}
	s.Reset()
	return s, nil
}

// Reset forgets everything the shim holds: counts, captured requests, planned failures, marked keys and its
// view of findings. Call it together with Server.Reset.
func (s *Shim) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = 100
	s.calls = map[string]int{}
	s.requests = nil
	s.failures = map[string]*failure{}
	s.awsKeys = map[string]bool{}
	s.findings = map[string]*findingView{}
	s.updates = nil
	s.callers = map[string]string{}
	s.settings = map[string]*clusterSettings{}
	s.providers = map[string]bool{}
	s.tokens.mu.Lock()
	s.tokens.expires = nil
	s.tokens.mu.Unlock()
}

// SetPageSize sets the ECS listing page size (at least 1).
func (s *Shim) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = max(n, 1)
}

// Capture turns keeping request bodies on or off (off by default: benchmarks send many).
func (s *Shim) Capture(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.capture = on
}

// Requests returns the captured requests in arrival order.
func (s *Shim) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Calls returns how many requests for one API ("securityhub:BatchImportFindings") the shim received.
func (s *Shim) Calls(api string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[api]
}

// CallCounts returns a copy of all per-API counts.
func (s *Shim) CallCounts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// FailFinding makes the next times BatchImportFindings calls that carry the finding Id report it in
// FailedFindings with the given error code, without storing it.
func (s *Shim) FailFinding(id, code string, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[id] = &failure{code: code, remaining: times}
}

// MarkAWSManagedKey makes DescribeKey answer KeyManager AWS for each given key ID, key ARN or alias.
func (s *Shim) MarkAWSManagedKey(keys ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		s.awsKeys[k] = true
	}
}

// Updates returns the findings changed by BatchUpdateFindings, in call order.
func (s *Shim) Updates() []FindingUpdate {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]FindingUpdate(nil), s.updates...)
}

// Workflow returns the workflow status the shim holds for a finding, empty when it never saw it imported.
func (s *Shim) Workflow(productARN, id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v := s.findings[findingKey(productARN, id)]; v != nil {
		return v.workflow
	}
	return ""
}

// ServeHTTP implements http.Handler.
func (s *Shim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "read request body: "+err.Error(), http.StatusBadRequest)
		return
	}
	c := &call{shim: s, w: w, r: r, body: body}
	c.service, c.region = signingScope(r.Header.Get("Authorization"))
	c.op = operation(c.service, r, body)
	api := c.service + ":" + c.op
	s.mu.Lock()
	s.calls[api]++
	if s.capture {
		s.requests = append(s.requests, Request{API: api, Body: body})
	}
	s.mu.Unlock()

	switch api {
	case "securityhub:BatchImportFindings":
		s.batchImport(c)
	case "securityhub:BatchUpdateFindings":
		s.batchUpdate(c)
	case "securityhub:GetFindings":
		s.getFindings(c)
	case "kms:DescribeKey":
		s.describeKey(c)
	case "ecs:ListTaskDefinitions":
		s.listTaskDefinitions(c)
	case "ecs:ListTaskDefinitionFamilies":
		s.listFamilies(c)
	case "ecs:ListServices":
		s.listServices(c)
	case "ecs:DescribeServices":
		s.describeServices(c)
	case "ecs:DescribeClusters":
		s.describeClusters(c)
	case "ecs:DescribeContainerInstances":
		s.describeContainerInstances(c)
	case "ecs:DescribeTaskSets":
		s.describeTaskSets(c)
	case "ecs:UpdateClusterSettings":
		s.updateClusterSettings(c)
	case "ecs:CreateService":
		s.createService(c)
	case "ecs:RegisterContainerInstance":
		s.registerContainerInstance(c)
	case "ecs:CreateCapacityProvider":
		s.createCapacityProvider(c)
	case "ecs:DeleteCapacityProvider":
		s.deleteCapacityProvider(c)
	case "ecs:DescribeCapacityProviders":
		s.describeCapacityProviders(c)
	case "ecs:RunTask", "ecs:StartTask", "ecs:StopTask":
		s.typedTasks(c)
	case "ecs:ListTasks":
		s.listTasks(c)
	case "ecs:DescribeTasks":
		s.describeTasks(c)
	case "ecr:GetAuthorizationToken":
		s.getAuthorizationToken(c)
	default:
		c.pass()
	}
}

// call is one request in flight.
type call struct {
	shim            *Shim
	w               http.ResponseWriter
	r               *http.Request
	body            []byte
	service, region string
	op              string
}

// forward sends body (the original one when nil) to moto with the request's method, path and headers.
func (c *call) forward(body []byte) (*http.Response, []byte, error) {
	if body == nil {
		body = c.body
	}
	u := *c.shim.target
	u.Path = c.r.URL.Path
	u.RawPath = c.r.URL.RawPath
	u.RawQuery = c.r.URL.RawQuery
	req, err := http.NewRequestWithContext(c.r.Context(), c.r.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	for k, vs := range c.r.Header {
		switch http.CanonicalHeaderKey(k) {
		case "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Upgrade", "Te", "Trailer",
			"Content-Length", "Accept-Encoding":
			continue
		}
		req.Header[k] = vs
	}
	resp, err := c.shim.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, err
	}
	return resp, data, nil
}

// pass forwards the request unchanged and copies moto's answer back.
func (c *call) pass() {
	resp, data, err := c.forward(nil)
	if err != nil {
		http.Error(c.w, "emulator: "+err.Error(), http.StatusBadGateway)
		return
	}
	c.reply(resp, data)
}

// reply writes moto's response with a possibly rewritten body.
func (c *call) reply(resp *http.Response, data []byte) {
	for k, vs := range resp.Header {
		switch http.CanonicalHeaderKey(k) {
		case "Content-Length", "Connection", "Transfer-Encoding", "Content-Encoding":
			continue
		}
		c.w.Header()[k] = vs
	}
	c.w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	c.w.WriteHeader(resp.StatusCode)
	_, _ = c.w.Write(data)
}

// json writes a 200 JSON answer of the shim's own.
func (c *call) json(v any) {
	data, err := json.Marshal(v)
	if err != nil {
		http.Error(c.w, "encode: "+err.Error(), http.StatusInternalServerError)
		return
	}
	c.w.Header().Set("Content-Type", c.contentType())
	c.w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(data)
}

func (c *call) contentType() string {
	if c.r.Header.Get("X-Amz-Target") != "" {
		return "application/x-amz-json-1.1"
	}
	return "application/json"
}

// fail writes an AWS error in the request's JSON protocol (REST-JSON: X-Amzn-ErrorType header; JSON 1.x: __type).
func (c *call) fail(status int, code, message string) {
	data, _ := json.Marshal(map[string]string{"__type": code, "message": message, "Message": message})
	c.w.Header().Set("Content-Type", c.contentType())
	c.w.Header().Set("X-Amzn-ErrorType", code)
	c.w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	c.w.WriteHeader(status)
	_, _ = c.w.Write(data)
}

// Security Hub.

// maxFindingsPerCall is AWS's limit on BatchImportFindings and BatchUpdateFindings.
const maxFindingsPerCall = 100

func findingKey(productARN, id string) string { return productARN + "\x00" + id }

type findingHead struct {
	ID           string `json:"Id"`
	ProductArn   string
	AwsAccountId string
	CreatedAt    string
	UpdatedAt    string
	RecordState  string
	Workflow     *struct{ Status string }
	Compliance   *struct{ Status string }
}

func (s *Shim) batchImport(c *call) {
	var in struct{ Findings []json.RawMessage }
	if err := json.Unmarshal(c.body, &in); err != nil {
		c.fail(http.StatusBadRequest, "InvalidInputException", "Invalid request body: "+err.Error())
		return
	}
	if len(in.Findings) > maxFindingsPerCall {
		c.fail(http.StatusBadRequest, "InvalidInputException",
			fmt.Sprintf("Findings: %d findings in one request; the maximum is %d", len(in.Findings), maxFindingsPerCall))
		return
	}
	if len(c.body) > maxImportSize {
		c.fail(http.StatusBadRequest, "InvalidInputException",
			fmt.Sprintf("request of %d bytes; the maximum is %d", len(c.body), maxImportSize))
		return
	}
	heads := make([]findingHead, len(in.Findings))
	caller, err := c.callerAccount()
	if err != nil {
		http.Error(c.w, "emulator: "+err.Error(), http.StatusBadGateway)
		return
	}
	want := "arn:" + partitionOf(c.region) + ":securityhub:" + c.region + ":" + caller + ":product/" + caller +
		"/default"
	for i, raw := range in.Findings {
		_ = json.Unmarshal(raw, &heads[i])
		if heads[i].ProductArn != want || heads[i].AwsAccountId != caller {
			c.fail(http.StatusForbidden, "AccessDeniedException", fmt.Sprintf(
				"User: %s is not authorized to import findings for product %s and account %s",
				caller, heads[i].ProductArn, heads[i].AwsAccountId))
			return
		}
	}
	var keep []json.RawMessage
	var keepHeads []findingHead
	var injected []map[string]string
	ignored := 0
	s.mu.Lock()
	for i, raw := range in.Findings {
		if len(raw) > maxFindingSize {
			injected = append(injected, map[string]string{
				"Id": heads[i].ID, "ErrorCode": "InvalidInput", "ErrorMessage": "Finding larger than 240 KB.",
			})
			continue
		}
		if v := s.findings[findingKey(heads[i].ProductArn, heads[i].ID)]; v != nil {
			if t, err := time.Parse(time.RFC3339Nano, heads[i].UpdatedAt); err == nil && t.Before(v.updatedAt) {
				ignored++
				continue
			}
			raw = v.keepFixed(raw)
		}
		if f := s.failures[heads[i].ID]; f != nil && f.remaining > 0 {
			f.remaining--
			injected = append(injected, map[string]string{
				"Id": heads[i].ID, "ErrorCode": f.code, "ErrorMessage": "Injected by the emulator shim: retry later.",
			})
			continue
		}
		keep = append(keep, raw)
		keepHeads = append(keepHeads, heads[i])
	}
	s.mu.Unlock()

	out := struct {
		FailedCount    int
		SuccessCount   int
		FailedFindings []map[string]string
	}{FailedFindings: []map[string]string{}}
	if len(keep) > 0 {
		body, _ := json.Marshal(map[string]any{"Findings": keep})
		resp, data, err := c.forward(body)
		if err != nil {
			http.Error(c.w, "emulator: "+err.Error(), http.StatusBadGateway)
			return
		}
		if resp.StatusCode != http.StatusOK {
			c.reply(resp, data)
			return
		}
		if err := json.Unmarshal(data, &out); err != nil {
			http.Error(c.w, "emulator answer: "+err.Error(), http.StatusBadGateway)
			return
		}
	}
	failed := map[string]bool{}
	for _, f := range out.FailedFindings {
		failed[f["Id"]] = true
	}
	s.mu.Lock()
	for i, h := range keepHeads {
		if !failed[h.ID] {
			s.imported(h, keep[i])
		}
	}
	s.mu.Unlock()
	out.SuccessCount += ignored
	out.FailedFindings = append(out.FailedFindings, injected...)
	out.FailedCount += len(injected)
	c.json(out)
}

// imported applies AWS's workflow rules to the shim's view of one imported finding. Call with s.mu held.
func (s *Shim) imported(h findingHead, raw json.RawMessage) {
	compliance := ""
	if h.Compliance != nil {
		compliance = h.Compliance.Status
	}
	recordState := h.RecordState
	if recordState == "" {
		recordState = "ACTIVE"
	}
	key := findingKey(h.ProductArn, h.ID)
	v := s.findings[key]
	if v == nil {
		v = &findingView{workflow: "NEW", fixed: map[string]json.RawMessage{}}
		if h.Workflow != nil && h.Workflow.Status != "" {
			v.workflow = h.Workflow.Status
		}
		var all map[string]json.RawMessage
		_ = json.Unmarshal(raw, &all)
		for _, k := range providerFixed {
			if all[k] != nil {
				v.fixed[k] = all[k]
			}
		}
		s.findings[key] = v
	} else if v.workflow == "NOTIFIED" || v.workflow == "RESOLVED" {
		reopened := v.recordState == "ARCHIVED" && recordState == "ACTIVE"
		regressed := v.compliance == "PASSED" && compliance != "" && compliance != "PASSED"
		if reopened || regressed {
			v.workflow = "NEW"
		}
	}
	v.recordState, v.compliance = recordState, compliance
	if t, err := time.Parse(time.RFC3339Nano, h.UpdatedAt); err == nil && t.After(v.updatedAt) {
		v.updatedAt = t
	}
	v.createdAts = append(v.createdAts, h.CreatedAt)
}

// keepFixed returns raw with the provider-fixed fields replaced by those of the finding's creation.
func (v *findingView) keepFixed(raw json.RawMessage) json.RawMessage {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(raw, &all); err != nil {
		return raw
	}
	for _, k := range providerFixed {
		if k == "Workflow" {
			continue // the view's workflow rules decide it
		}
		delete(all, k)
		if v.fixed[k] != nil {
			all[k] = v.fixed[k]
		}
	}
	out, err := json.Marshal(all)
	if err != nil {
		return raw
	}
	return out
}

// CreatedAts returns the CreatedAt of every import of one finding the shim accepted, in order.
func (s *Shim) CreatedAts(productARN, id string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v := s.findings[findingKey(productARN, id)]; v != nil {
		return append([]string(nil), v.createdAts...)
	}
	return nil
}

// partitionOf returns the partition of a Region.
func partitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

func (s *Shim) batchUpdate(c *call) {
	var in struct {
		FindingIdentifiers []struct {
			ID         string `json:"Id"`
			ProductArn string
		}
		Workflow *struct{ Status string }
		Note     *struct{ Text, UpdatedBy string }
	}
	if err := json.Unmarshal(c.body, &in); err != nil {
		c.fail(http.StatusBadRequest, "InvalidInputException", "Invalid request body: "+err.Error())
		return
	}
	if n := len(in.FindingIdentifiers); n == 0 || n > maxFindingsPerCall {
		c.fail(http.StatusBadRequest, "InvalidInputException",
			fmt.Sprintf("FindingIdentifiers: %d identifiers; between 1 and %d are allowed", n, maxFindingsPerCall))
		return
	}
	if in.Note != nil && (in.Note.Text == "" || in.Note.UpdatedBy == "") {
		c.fail(http.StatusBadRequest, "InvalidInputException", "Note: Text and UpdatedBy are both required")
		return
	}
	type ident struct {
		ID         string `json:"Id"`
		ProductArn string
	}
	out := struct {
		ProcessedFindings   []ident
		UnprocessedFindings []map[string]any
	}{ProcessedFindings: []ident{}, UnprocessedFindings: []map[string]any{}}
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	s.mu.Lock()
	for _, fi := range in.FindingIdentifiers {
		v := s.findings[findingKey(fi.ProductArn, fi.ID)]
		if v == nil {
			out.UnprocessedFindings = append(out.UnprocessedFindings, map[string]any{
				"FindingIdentifier": ident(fi), "ErrorCode": "FindingNotFound",
				"ErrorMessage": "Finding not found (the emulator shim knows only findings imported through it).",
			})
			continue
		}
		u := FindingUpdate{ProductARN: fi.ProductArn, ID: fi.ID}
		if in.Workflow != nil && in.Workflow.Status != "" {
			v.workflow, u.Workflow = in.Workflow.Status, in.Workflow.Status
		}
		if in.Note != nil {
			v.note = map[string]any{"Text": in.Note.Text, "UpdatedBy": in.Note.UpdatedBy, "UpdatedAt": now}
			u.Note = in.Note.Text
		}
		s.updates = append(s.updates, u)
		out.ProcessedFindings = append(out.ProcessedFindings, ident(fi))
	}
	s.mu.Unlock()
	c.json(out)
}

func (s *Shim) getFindings(c *call) {
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
	list, _ := out["Findings"].([]any)
	s.mu.Lock()
	for _, item := range list {
		f, ok := item.(map[string]any)
		if !ok {
			continue
		}
		id, _ := f["Id"].(string)
		arn, _ := f["ProductArn"].(string)
		v := s.findings[findingKey(arn, id)]
		if v == nil {
			continue
		}
		f["Workflow"] = map[string]any{"Status": v.workflow}
		if v.note != nil {
			f["Note"] = v.note
		}
	}
	s.mu.Unlock()
	rewritten, err := json.Marshal(out)
	if err != nil {
		c.reply(resp, data)
		return
	}
	c.reply(resp, rewritten)
}

// KMS.

func (s *Shim) describeKey(c *call) {
	var in struct{ KeyId string }
	_ = json.Unmarshal(c.body, &in)
	s.mu.Lock()
	marked := s.awsKeys[in.KeyId]
	s.mu.Unlock()
	if !marked {
		c.pass()
		return
	}
	// moto's default account; an ARN names its own partition, region and account.
	partition, account, region, keyID := "aws", "123456789012", c.region, in.KeyId
	if parts := strings.SplitN(in.KeyId, ":", 6); len(parts) == 6 && parts[0] == "arn" {
		partition, region, account, keyID = parts[1], parts[3], parts[4], parts[5]
	}
	keyID = strings.TrimPrefix(keyID, "key/")
	if strings.HasPrefix(keyID, "alias/") {
		// An alias resolves to a key: give it a stable key ID of its own.
		sum := sha256.Sum256([]byte(in.KeyId))
		h := hex.EncodeToString(sum[:16])
		keyID = h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
	}
	arn := "arn:" + partition + ":kms:" + region + ":" + account + ":key/" + keyID
	c.json(map[string]any{"KeyMetadata": map[string]any{
		"AWSAccountId":          account,
		"KeyId":                 keyID,
		"Arn":                   arn,
		"CreationDate":          float64(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Unix()),
		"Enabled":               true,
		"Description":           "AWS managed key (emulator shim)",
		"KeyUsage":              "ENCRYPT_DECRYPT",
		"KeyState":              "Enabled",
		"Origin":                "AWS_KMS",
		"KeyManager":            "AWS",
		"KeySpec":               "SYMMETRIC_DEFAULT",
		"CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
		"EncryptionAlgorithms":  []string{"SYMMETRIC_DEFAULT"},
		"MultiRegion":           false,
	}})
}

// ECS.

type listInput struct {
	FamilyPrefix string `json:"familyPrefix,omitempty"`
	Status       string `json:"status,omitempty"`
	Sort         string `json:"sort,omitempty"`
	NextToken    string `json:"nextToken,omitempty"`
	MaxResults   int    `json:"maxResults,omitempty"`
}

// motoList asks moto for a whole unpaged list and decodes one string-list member of the answer.
func (c *call) motoList(in listInput, member string) ([]string, *http.Response, []byte, error) {
	body, _ := json.Marshal(listInput{FamilyPrefix: in.FamilyPrefix, Status: in.Status})
	resp, data, err := c.forward(body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil, resp, data, err
	}
	var out map[string][]string
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, resp, data, err
	}
	return out[member], resp, data, nil
}

func (s *Shim) listTaskDefinitions(c *call) {
	var in listInput
	if err := json.Unmarshal(c.body, &in); err != nil {
		c.fail(http.StatusBadRequest, "ClientException", "Invalid request body: "+err.Error())
		return
	}
	arns, resp, data, err := c.motoList(in, "taskDefinitionArns")
	if err != nil {
		http.Error(c.w, "emulator: "+err.Error(), http.StatusBadGateway)
		return
	}
	if resp.StatusCode != http.StatusOK {
		c.reply(resp, data)
		return
	}
	sort.SliceStable(arns, func(i, j int) bool {
		fi, ri := familyRevision(arns[i])
		fj, rj := familyRevision(arns[j])
		if fi != fj {
			return fi < fj
		}
		return ri < rj
	})
	if strings.EqualFold(in.Sort, "DESC") {
		for i, j := 0, len(arns)-1; i < j; i, j = i+1, j-1 {
			arns[i], arns[j] = arns[j], arns[i]
		}
	}
	s.page(c, in, arns, "taskDefinitionArns")
}

func (s *Shim) listFamilies(c *call) {
	var in listInput
	if err := json.Unmarshal(c.body, &in); err != nil {
		c.fail(http.StatusBadRequest, "ClientException", "Invalid request body: "+err.Error())
		return
	}
	status := strings.ToUpper(in.Status)
	in.Status = ""
	families, resp, data, err := c.motoList(in, "families")
	if err == nil && resp.StatusCode == http.StatusOK && (status == "ACTIVE" || status == "INACTIVE") {
		// moto ignores status: a family is ACTIVE when it has an ACTIVE revision.
		var arns []string
		target := c.r.Header.Get("X-Amz-Target")
		c.r.Header.Set("X-Amz-Target", strings.TrimSuffix(target, "ListTaskDefinitionFamilies")+"ListTaskDefinitions")
		arns, resp, data, err = c.motoList(listInput{Status: "ACTIVE"}, "taskDefinitionArns")
		c.r.Header.Set("X-Amz-Target", target)
		active := map[string]bool{}
		for _, a := range arns {
			f, _ := familyRevision(a)
			active[f] = true
		}
		var kept []string
		for _, f := range families {
			if active[f] == (status == "ACTIVE") {
				kept = append(kept, f)
			}
		}
		families = kept
	}
	if err != nil {
		http.Error(c.w, "emulator: "+err.Error(), http.StatusBadGateway)
		return
	}
	if resp.StatusCode != http.StatusOK {
		c.reply(resp, data)
		return
	}
	sort.Strings(families)
	s.page(c, in, families, "families")
}

var arnRevision = regexp.MustCompile(`task-definition/([^:]+):(\d+)$`)

func familyRevision(arn string) (string, int) {
	m := arnRevision.FindStringSubmatch(arn)
	if m == nil {
		return arn, 0
	}
	n, _ := strconv.Atoi(m[2])
	return m[1], n
}

// page answers one page of list, with a nextToken that encodes the offset of the next page.
func (s *Shim) page(c *call, in listInput, list []string, member string) {
	s.mu.Lock()
	size := s.pageSize
	s.mu.Unlock()
	if in.MaxResults > 0 && in.MaxResults < size {
		size = in.MaxResults
	}
	offset := 0
	if in.NextToken != "" {
		raw, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(raw), "shim-offset-"))
		if err != nil || err2 != nil || n < 0 || !strings.HasPrefix(string(raw), "shim-offset-") {
			c.fail(http.StatusBadRequest, "InvalidParameterException", "Invalid nextToken.")
			return
		}
		offset = min(n, len(list))
	}
	end := min(offset+size, len(list))
	out := map[string]any{member: append([]string{}, list[offset:end]...)}
	if end < len(list) {
		out["nextToken"] = base64.RawURLEncoding.EncodeToString([]byte("shim-offset-" + strconv.Itoa(end)))
	}
	c.json(out)
}

// Request identification.

var credentialScope = regexp.MustCompile(`Credential=[^/,]+/\d{8}/([^/,]+)/([^/,]+)/aws4_request`)

// signingScope reads region and signing service from a SigV4 Authorization header.
func signingScope(auth string) (service, region string) {
	m := credentialScope.FindStringSubmatch(auth)
	if m == nil {
		return "unknown", ""
	}
	return m[2], m[1]
}

// securityHubOps names the REST-JSON Security Hub calls the project makes.
var securityHubOps = map[string]string{
	"GET /accounts":                "DescribeHub",
	"POST /accounts":               "EnableSecurityHub",
	"DELETE /accounts":             "DisableSecurityHub",
	"POST /findings/import":        "BatchImportFindings",
	"POST /findings":               "GetFindings",
	"PATCH /findings/batchupdate":  "BatchUpdateFindings",
	"PATCH /findings":              "UpdateFindings",
	"POST /findingsv2/batchupdate": "BatchUpdateFindingsV2",
}

// operation names the API a request calls: from X-Amz-Target (JSON protocols), the Action parameter (query
// protocol), or the method and path (REST protocols; Security Hub's are named, others read "METHOD /path").
func operation(service string, r *http.Request, body []byte) string {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		return t[strings.LastIndex(t, ".")+1:]
	}
	if a := r.URL.Query().Get("Action"); a != "" {
		return a
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if v, err := url.ParseQuery(string(body)); err == nil && v.Get("Action") != "" {
			return v.Get("Action")
		}
	}
	key := r.Method + " " + strings.TrimSuffix(r.URL.Path, "/")
	if service == "securityhub" {
		if op, ok := securityHubOps[key]; ok {
			return op
		}
	}
	return key
}
