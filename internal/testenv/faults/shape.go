package faults

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

var credentialScope = regexp.MustCompile(`Credential=[^/,]+/\d{8}/[^/,]+/([^/,]+)/aws4_request`)

// restOperations names the REST-JSON calls of the services the functions use (the JSON and query protocols name
// their operation in the request).
var restOperations = map[string]string{
	"securityhub GET /accounts":                "DescribeHub",
	"securityhub POST /accounts":               "EnableSecurityHub",
	"securityhub DELETE /accounts":             "DisableSecurityHub",
	"securityhub POST /findings/import":        "BatchImportFindings",
	"securityhub POST /findings":               "GetFindings",
	"securityhub PATCH /findings/batchupdate":  "BatchUpdateFindings",
	"securityhub PATCH /findings":              "UpdateFindings",
	"securityhub POST /findingsv2/batchupdate": "BatchUpdateFindingsV2",
	"inspector2 POST /findings/list":           "ListFindings",
}

// Operation names the service (the SigV4 signing name, which is also the IAM prefix of the services the project
// calls) and the operation of a request: from X-Amz-Target (JSON protocols), the Action parameter (query protocol) or
// the method and path (REST protocols; "METHOD /path" when the path is not one the project calls).
func Operation(r *http.Request, body []byte) (service, op string) {
	service = "unknown"
	if m := credentialScope.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		service = m[1]
	}
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		return service, t[strings.LastIndex(t, ".")+1:]
	}
	if a := r.URL.Query().Get("Action"); a != "" {
		return service, a
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if v, err := url.ParseQuery(string(body)); err == nil && v.Get("Action") != "" {
			return service, v.Get("Action")
		}
	}
	key := r.Method + " " + strings.TrimSuffix(r.URL.Path, "/")
	if op, ok := restOperations[service+" "+key]; ok {
		return service, op
	}
	return service, key
}

// ReadOnly reports whether an operation only reads (so repeating it, or losing its answer, changes nothing).
func ReadOnly(op string) bool {
	for _, p := range []string{"Describe", "Get", "List", "BatchGet", "Lookup"} {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return op == "Query" || op == "Scan"
}

type shape struct {
	code   string
	status int
}

// throttles is each service's own answer to a request over its rate (the service's API reference): ECS, ECR, KMS
// and CloudTrail answer ThrottlingException with HTTP 400; DynamoDB ProvisionedThroughputExceededException (400);
// Security Hub LimitExceededException (429); Inspector ThrottlingException (429); STS Throttling (400). For SNS the
// API reference models ThrottledException (code "Throttled", 429), which the Go SDK's default retryer would not
// retry, while AWS's troubleshooting pages show callers receiving ThrottlingException "Rate exceeded": the proxy
// answers the latter (docs/reliability.md).
var throttles = map[string]shape{
	"dynamodb":    {"ProvisionedThroughputExceededException", http.StatusBadRequest},
	"securityhub": {"LimitExceededException", http.StatusTooManyRequests},
	"inspector2":  {"ThrottlingException", http.StatusTooManyRequests},
	"sts":         {"Throttling", http.StatusBadRequest},
}

// internalErrors is each service's error code for its own failure (HTTP 500).
var internalErrors = map[string]string{
	"ecs":         "ServerException",
	"ecr":         "ServerException",
	"dynamodb":    "InternalServerError",
	"securityhub": "InternalException",
	"sns":         "InternalError",
	"kms":         "KMSInternalException",
	"inspector2":  "InternalServerException",
}

func errorShape(service string, kind Kind) shape {
	switch kind {
	case Throttle:
		if s, ok := throttles[service]; ok {
			return s
		}
		return shape{"ThrottlingException", http.StatusBadRequest}
	case Unavailable:
		return shape{"ServiceUnavailable", http.StatusServiceUnavailable}
	}
	if c, ok := internalErrors[service]; ok {
		return shape{c, http.StatusInternalServerError}
	}
	return shape{"InternalFailure", http.StatusInternalServerError}
}

// writeError answers a fault in the request's protocol: JSON 1.0/1.1 (a __type member), query (an XML
// ErrorResponse) or REST-JSON (the X-Amzn-ErrorType header).
func writeError(w http.ResponseWriter, r *http.Request, service string, kind Kind) {
	s := errorShape(service, kind)
	msg := "Injected by the fault proxy: " + string(kind) + "."
	if kind == Throttle {
		msg = "Rate exceeded (injected by the fault proxy)."
	}
	var data []byte
	ct := r.Header.Get("Content-Type")
	switch {
	case r.Header.Get("X-Amz-Target") != "":
		typ := s.code
		if service == "dynamodb" {
			typ = "com.amazonaws.dynamodb.v20120810#" + s.code
		}
		data, _ = json.Marshal(map[string]string{"__type": typ, "message": msg})
	case strings.HasPrefix(ct, "application/x-www-form-urlencoded"):
		type errorBody struct {
			Type    string `xml:"Type"`
			Code    string `xml:"Code"`
			Message string `xml:"Message"`
		}
		type errorResponse struct {
			XMLName   xml.Name  `xml:"ErrorResponse"`
			Error     errorBody `xml:"Error"`
			RequestID string    `xml:"RequestId"`
		}
		typ := "Sender"
		if s.status >= 500 {
			typ = "Receiver"
		}
		data, _ = xml.Marshal(errorResponse{Error: errorBody{Type: typ, Code: s.code, Message: msg}, RequestID: "fault-proxy"})
		ct = "text/xml"
	default:
		data, _ = json.Marshal(map[string]string{"message": msg})
		ct = "application/json"
		w.Header().Set("X-Amzn-ErrorType", s.code)
	}
	if ct == "" {
		ct = "application/json"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(s.status)
	_, _ = w.Write(data)
}
