package asff

import (
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/redact"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// FieldRunningContext says what runs a task definition revision (its services and task sets, and whether any is
// reachable from the internet), or that nothing does; absent when that was not read.
const FieldRunningContext = "ecsaudit/RunningContext"

// The FindingProviderFields.Criticality of a task definition finding by what runs the revision: how much the
// resource matters, on Security Hub's 0 to 100 scale. Absent when the running context was not read. Security Hub
// keeps the top-level Criticality as first imported; the provider's value is the one it updates.
const (
	CriticalityNothingRuns = 0
	CriticalityPrivate     = 30
	CriticalityPublic      = 70
)

// maxResources is Security Hub's limit on a finding's Resources.
const maxResources = 32

// running returns the running context of a task definition finding, nil for any other finding or when it was not
// read.
func running(f *engine.Finding) *model.Running {
	if f.Subject.Type != rule.TypeTaskDefinition {
		return nil
	}
	td, ok := f.Subject.Resource.(*model.TaskDefinition)
	if !ok || td.Running.Exposure() == model.ExposureUnknown {
		return nil
	}
	return td.Running
}

// addRunning adds a task definition finding's running context: one AwsEcsService resource per service that runs
// the revision (within the Resources limit), the criticality of its exposure, and a ProductFields entry saying why.
func addRunning(out *types.AwsSecurityFinding, f *engine.Finding, id identity) {
	run := running(f)
	if run == nil {
		return
	}
	for _, svc := range run.Services() {
		if len(out.Resources) == maxResources {
			break
		}
		r := types.Resource{Type: str(rule.TypeService), Id: str(svc), Partition: types.Partition(id.partition), Region: str(id.region)}
		if a, ok := model.ParseARN(svc); ok {
			r.Partition, r.Region = types.Partition(a.Partition), str(a.Region)
		}
		out.Resources = append(out.Resources, r)
	}
	var c int32
	switch run.Exposure() {
	case model.ExposureNone:
		c = CriticalityNothingRuns
	case model.ExposurePrivate:
		c = CriticalityPrivate
	case model.ExposurePublic:
		c = CriticalityPublic
	}
	out.FindingProviderFields.Criticality = &c
	if len(out.ProductFields) < maxProductFields {
		out.ProductFields[FieldRunningContext] = truncate(redact.Text(run.Describe()), maxProductFieldValue)
	}
}
