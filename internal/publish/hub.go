package publish

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/smithy-go"

	"github.com/ecsaudit/ecsaudit/internal/asff"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/state"
)

// Limits of BatchImportFindings.
const (
	maxBatchFindings = 100
	// maxBatchBytes stays under the 6 MB request limit with room for the request's own framing.
	maxBatchBytes = 6_000_000
)

// errHubNotEnabled means DescribeHub said Security Hub is not enabled in the account and region. Nothing
// else is called: enabling Security Hub, not retrying, is the fix.
var errHubNotEnabled = errors.New("security hub is not enabled in this account and region: enable it, then run again")

// errFindingTooLarge means a finding was over Security Hub's 240 KB limit even without its resource details.
var errFindingTooLarge = errors.New("finding larger than security hub accepts")

// errImportFailed means Security Hub kept refusing some findings after every retry.
var errImportFailed = errors.New("security hub did not accept findings")

// checkHub calls DescribeHub once per Publisher.
func (p *Publisher) checkHub(ctx context.Context) error {
	if p.checked {
		return p.hubErr
	}
	if err := p.pace.Wait(ctx); err != nil {
		return err
	}
	_, err := p.hub.DescribeHub(ctx, &securityhub.DescribeHubInput{})
	var denied *types.InvalidAccessException
	switch {
	case errors.As(err, &denied):
		p.checked, p.hubErr = true, fmt.Errorf("%w (DescribeHub: %s)", errHubNotEnabled, denied.ErrorMessage())
	case err != nil:
		return fmt.Errorf("describe security hub: %w", err)
	default:
		p.checked = true
	}
	return p.hubErr
}

// send imports the items in batches, applies workflow changes, stores the accepted state and fills the outcome.
func (p *Publisher) send(ctx context.Context, items []*item, out *Outcome) error {
	var errs []error
	var imports, workflowOnly []*item
	for _, it := range items {
		if it.finding == nil {
			workflowOnly = append(workflowOnly, it)
			continue
		}
		if err := fitSize(it.finding); err != nil {
			out.Failed = append(out.Failed, it.rec.FindingID)
			errs = append(errs, err)
			continue
		}
		if err := p.reserveCreated(ctx, it); err != nil {
			out.Failed = append(out.Failed, it.rec.FindingID)
			errs = append(errs, err)
			continue
		}
		imports = append(imports, it)
	}
	var refused []refusal
	all := batches(imports)
	for n, batch := range all {
		accepted, failed, err := p.importBatch(ctx, batch)
		refused = append(refused, failed...)
		wfErr, putErr := p.finish(ctx, accepted, out)
		errs = append(errs, wfErr)
		if err != nil || putErr != nil {
			// Stop: the call itself failed or the state cannot be written; what was not stored is sent again next time.
			settled := map[string]bool{}
			for _, it := range accepted {
				settled[it.rec.FindingID] = putErr == nil
			}
			for _, r := range failed {
				settled[r.id] = true
			}
			for _, b := range all[n:] {
				for _, it := range b {
					if !settled[it.rec.FindingID] {
						out.Failed = append(out.Failed, it.rec.FindingID)
					}
				}
			}
			out.Failed = append(out.Failed, refusedIDs(refused)...)
			return errors.Join(append(errs, err, putErr)...)
		}
	}
	wfErr, putErr := p.finish(ctx, workflowOnly, out)
	errs = append(errs, wfErr, putErr)
	if len(refused) > 0 {
		out.Failed = append(out.Failed, refusedIDs(refused)...)
		var named []string
		for _, r := range refused {
			named = append(named, r.id+" ("+r.code+")")
		}
		errs = append(errs, fmt.Errorf("%w: %s", errImportFailed, nameIDs(named)))
	}
	return errors.Join(errs...)
}

// reserveCreated gives an item that creates its finding the creation time stored for its Id, reserving its own
// when none is: a creation Security Hub accepted whose record was never written keeps its CreatedAt and
// FirstObservedAt on the next try.
func (p *Publisher) reserveCreated(ctx context.Context, it *item) error {
	if it.prior != nil && !it.prior.CreatedAt.IsZero() {
		return nil
	}
	created, err := p.store.ReserveCreated(ctx, it.rec.FindingID, it.rec.CreatedAt)
	if err != nil {
		return err
	}
	if !created.Equal(it.rec.CreatedAt) {
		it.rec.CreatedAt, it.rec.FirstObservedAt = created, created
		it.finding.CreatedAt = aws.String(state.FormatTime(created))
		it.finding.FirstObservedAt = aws.String(state.FormatTime(created))
	}
	return nil
}

// reassert repairs Security Hub after imports whose record write was refused because a later observation was
// stored meanwhile: the import may have replaced an older finding in Security Hub that the later observation left
// unchanged (it sends nothing then). The stored result is imported again with its observation time as UpdatedAt,
// so Security Hub holds what the state holds; Security Hub ignores it if it holds something newer still.
func (p *Publisher) reassert(ctx context.Context, superseded []*item) error {
	if len(superseded) == 0 {
		return nil
	}
	ids := make([]string, len(superseded))
	for i, it := range superseded {
		ids[i] = it.rec.FindingID
	}
	recs, err := p.store.Get(ctx, ids)
	if err != nil {
		return fmt.Errorf("re-read findings superseded while being imported: %w", err)
	}
	now := p.opts.Now()
	var again []*item
	for _, it := range superseded {
		r := recs[it.rec.FindingID]
		if r == nil || !r.ObservedAt.After(it.rec.ObservedAt) {
			continue
		}
		var res model.Resource
		if it.result != nil {
			res = it.result.Subject.Resource
		}
		fix, err := p.build(p.restore(r, res, "A later evaluation found this result; an earlier one was published after it."), r, r.RecordState, now, r.ObservedAt)
		if err != nil {
			return err
		}
		fix.finding.CreatedAt, fix.finding.FirstObservedAt = it.finding.CreatedAt, it.finding.FirstObservedAt
		if err := fitSize(fix.finding); err != nil {
			return err
		}
		again = append(again, fix)
	}
	var errs []error
	for _, batch := range batches(again) {
		accepted, refused, err := p.importBatch(ctx, batch)
		errs = append(errs, err)
		if len(refused) > 0 {
			errs = append(errs, fmt.Errorf("%w: re-import of %s", errImportFailed, strings.Join(refusedIDs(refused), ", ")))
		}
		for _, it := range accepted {
			errs = append(errs, p.store.Reasserted(ctx, it.rec.FindingID, it.rec.ObservedAt, now, it.rec.Fingerprint))
		}
	}
	return errors.Join(errs...)
}

// refusal is a finding Security Hub still refused after the last attempt.
type refusal struct{ id, code string }

func refusedIDs(refused []refusal) []string {
	out := make([]string, len(refused))
	for i, r := range refused {
		out[i] = r.id
	}
	return out
}

// finish applies the workflow changes of accepted items, stores their state and counts them. wfErr reports
// workflow changes Security Hub did not make (retried next time, the state keeps the old status); putErr a state
// write that failed (nothing counted).
func (p *Publisher) finish(ctx context.Context, accepted []*item, out *Outcome) (wfErr, putErr error) {
	if len(accepted) == 0 {
		return nil, nil
	}
	wfErr = p.updateWorkflows(ctx, accepted)
	recs := make([]*state.Record, 0, len(accepted))
	for _, it := range accepted {
		recs = append(recs, it.rec)
	}
	staleIDs, err := p.store.Put(ctx, recs)
	if err != nil {
		return wfErr, err
	}
	newer := map[string]bool{}
	for _, id := range staleIDs {
		newer[id] = true
	}
	out.Stale += len(staleIDs)
	var superseded []*item
	for _, it := range accepted {
		if newer[it.rec.FindingID] && it.finding != nil {
			superseded = append(superseded, it)
		}
	}
	if err := p.reassert(ctx, superseded); err != nil {
		wfErr = errors.Join(wfErr, err)
	}
	for _, it := range accepted {
		if newer[it.rec.FindingID] {
			// A later observation was stored meanwhile (and Security Hub holds its later UpdatedAt): not counted.
			continue
		}
		switch it.kind {
		case kindCreated:
			out.Created++
		case kindUpdated:
			out.Updated++
		case kindResolved:
			out.Resolved++
		case kindArchived:
			out.Archived++
		case kindReopened:
			out.Reopened++
		}
		if it.result != nil && it.result.Status == rule.Failed && it.rec.Open() && !it.rec.Notified &&
			it.rec.Workflow != state.WorkflowSuppressed {
			out.Notify = append(out.Notify, *it.result)
		}
	}
	return wfErr, nil
}

// updateWorkflows calls BatchUpdateFindings for the items that need a workflow change, at most 100 findings per call,
// and records the new status in each accepted item's record.
func (p *Publisher) updateWorkflows(ctx context.Context, items []*item) error {
	byStatus := map[string][]*item{}
	var order []string
	for _, it := range items {
		if it.workflow == "" {
			continue
		}
		if byStatus[it.workflow] == nil {
			order = append(order, it.workflow)
		}
		byStatus[it.workflow] = append(byStatus[it.workflow], it)
	}
	var errs []error
	for _, status := range order {
		list := byStatus[status]
		for start := 0; start < len(list); start += maxBatchFindings {
			chunk := list[start:min(start+maxBatchFindings, len(list))]
			byKey := map[string]*item{}
			var ids []types.AwsSecurityFindingIdentifier
			for _, it := range chunk {
				arn := p.productARN(it)
				byKey[arn+"\x00"+it.rec.FindingID] = it
				ids = append(ids, types.AwsSecurityFindingIdentifier{Id: aws.String(it.rec.FindingID), ProductArn: aws.String(arn)})
			}
			if err := p.pace.Wait(ctx); err != nil {
				return err
			}
			resp, err := p.hub.BatchUpdateFindings(ctx, &securityhub.BatchUpdateFindingsInput{
				FindingIdentifiers: ids,
				Workflow:           &types.WorkflowUpdate{Status: types.WorkflowStatus(status)},
			})
			if err != nil {
				errs = append(errs, fmt.Errorf("set workflow %s on %d findings: %w", status, len(chunk), err))
				continue
			}
			var unprocessed []string
			for _, u := range resp.UnprocessedFindings {
				if u.FindingIdentifier != nil {
					unprocessed = append(unprocessed, aws.ToString(u.FindingIdentifier.Id)+" ("+aws.ToString(u.ErrorCode)+")")
					delete(byKey, aws.ToString(u.FindingIdentifier.ProductArn)+"\x00"+aws.ToString(u.FindingIdentifier.Id))
				}
			}
			for _, it := range byKey {
				it.rec.Workflow = status
			}
			if len(unprocessed) > 0 {
				errs = append(errs, fmt.Errorf("set workflow %s: not processed: %s", status, nameIDs(unprocessed)))
			}
		}
	}
	return errors.Join(errs...)
}

func (p *Publisher) productARN(it *item) string {
	if it.finding != nil {
		return aws.ToString(it.finding.ProductArn)
	}
	account, region := it.rec.Account, it.rec.Region
	if p.opts.Account != "" {
		account = p.opts.Account
	}
	if p.opts.Region != "" {
		region = p.opts.Region
	}
	return asff.ProductARN(p.opts.Partition, region, account)
}

// fitSize keeps a finding under Security Hub's size limit by dropping resource details, or says it cannot.
func fitSize(f *types.AwsSecurityFinding) error {
	if asff.Size(*f) <= asff.MaxFindingSize {
		return nil
	}
	for i := range f.Resources {
		f.Resources[i].Details = nil
	}
	if n := asff.Size(*f); n > asff.MaxFindingSize {
		return fmt.Errorf("%w: %s is %d bytes (limit %d)", errFindingTooLarge, aws.ToString(f.Id), n, asff.MaxFindingSize)
	}
	return nil
}

// batches splits imports into BatchImportFindings calls of at most 100 findings and maxBatchBytes.
func batches(items []*item) [][]*item {
	var out [][]*item
	var cur []*item
	size := 0
	for _, it := range items {
		n := asff.Size(*it.finding) + 1
		if len(cur) == maxBatchFindings || (len(cur) > 0 && size+n > maxBatchBytes) {
			out = append(out, cur)
			cur, size = nil, 0
		}
		cur = append(cur, it)
		size += n
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// importBatch imports one batch, retrying only the FailedFindings entries. It returns the accepted items and the
// Ids still refused after the last attempt; an error means the call itself failed and nothing is known accepted.
func (p *Publisher) importBatch(ctx context.Context, batch []*item) (accepted []*item, refused []refusal, err error) {
	pending := batch
	for attempt := 1; ; attempt++ {
		if err := p.pace.Wait(ctx); err != nil {
			return accepted, refused, err
		}
		fs := make([]types.AwsSecurityFinding, len(pending))
		for i, it := range pending {
			fs[i] = *it.finding
		}
		resp, err := p.hub.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: fs})
		if code := wholeCallRefusal(err); code != "" {
			// Security Hub refuses the whole call for one finding it will not take (another account's product ARN
			// or account, a size limit): split it so the others still go in, and name the ones refused alone.
			if len(pending) == 1 {
				return accepted, append(refused, refusal{pending[0].rec.FindingID, code}), nil
			}
			half := len(pending) / 2
			for _, part := range [][]*item{pending[:half], pending[half:]} {
				a, r, err := p.importBatch(ctx, part)
				accepted, refused = append(accepted, a...), append(refused, r...)
				if err != nil {
					return accepted, refused, err
				}
			}
			return accepted, refused, nil
		}
		if err != nil {
			return accepted, refused, fmt.Errorf("import %d findings: %w", len(fs), err)
		}
		failed := map[string]string{}
		for _, ff := range resp.FailedFindings {
			failed[aws.ToString(ff.Id)] = aws.ToString(ff.ErrorCode)
		}
		var retry []*item
		for _, it := range pending {
			code, bad := failed[it.rec.FindingID]
			switch {
			case !bad:
				accepted = append(accepted, it)
			case retryable(code) && attempt < p.opts.MaxAttempts:
				retry = append(retry, it)
			default:
				refused = append(refused, refusal{it.rec.FindingID, code})
			}
		}
		if len(retry) == 0 {
			return accepted, refused, nil
		}
		if err := p.opts.Sleep(ctx, p.backoff(attempt)); err != nil {
			for _, it := range retry {
				refused = append(refused, refusal{it.rec.FindingID, "not retried: " + err.Error()})
			}
			return accepted, refused, nil
		}
		pending = retry
	}
}

// wholeCallRefusal returns the error code when Security Hub refused a whole BatchImportFindings call for what it
// carries (AccessDeniedException, InvalidInputException), empty for success or any other error.
func wholeCallRefusal(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		switch code := api.ErrorCode(); code {
		case "AccessDeniedException", "InvalidInputException":
			return code
		}
	}
	return ""
}

// retryable tells a transient per-finding failure from a finding Security Hub will never accept as sent.
func retryable(code string) bool {
	switch code {
	case "InvalidInput", "InvalidInputException", "AccessDenied", "AccessDeniedException", "InvalidAccessException":
		return false
	}
	return true
}

func (p *Publisher) backoff(attempt int) time.Duration {
	d := p.opts.Backoff << (attempt - 1)
	if d > 20*time.Second || d <= 0 {
		d = 20 * time.Second
	}
	return d
}

// nameIDs lists Ids for an error message, the first 20 of them.
func nameIDs(ids []string) string {
	sorted := append([]string(nil), ids...)
	sort.Strings(sorted)
	if len(sorted) <= 20 {
		return strings.Join(sorted, ", ")
	}
	return strings.Join(sorted[:20], ", ") + fmt.Sprintf(" and %d more", len(sorted)-20)
}
