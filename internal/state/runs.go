package state

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

// Runs is the running index: which services, task sets and standalone tasks run which task definition revision, and
// whether they are reachable from the internet, so that a revision's findings carry its running context
// (model.Running) without listing every service. Items:
//
//   - runner: pk "RUNNER#<service or task set ARN>", or "RUNNER#<cluster ARN>#standalone" for the standalone tasks
//     of a cluster, sk "STATE": the revisions it runs (revisions), those it runs reachable from the internet
//     (public), and observedAt, when it was read. A runner's record is replaced only by a later
//     observation, so an older event delivered late changes nothing; a deleted runner keeps a record with no
//     revisions (and an expiry), so that an older observation cannot bring it back.
//   - use: pk "RUNS#<task definition ARN>", sk "RUNNER#<runner key>": one per revision a runner runs, with the
//     runner's service, task set and cluster ARNs, standalone, public, internetFacing, and observedAt. A use the runner no longer has is kept as
//     a tombstone (gone, with an expiry) written at the runner's observation time, so a late write of an older
//     observation cannot restore it. All uses of a revision come from one Query.
//   - completeness: pk "RUNS-COMPLETE#<account>#<region>", sk "STATE": when every service, task set and standalone
//     task of the account and region was last recorded (by a sweep). Until then, a revision without a use may still
//     be run by a runner never recorded, and nothing is concluded from its absence.
//
// Only ARNs, booleans and times are stored: no name, tag or configuration text.
type Runs struct {
	DB    DB
	Table string

	// complete remembers the accounts and regions found complete ("<account>#<region>"): completeness is never
	// withdrawn, so one Runs (a sweep's) reads it once per account and region.
	complete sync.Map
}

const (
	runnerPrefix   = "RUNNER#"
	runsPrefix     = "RUNS#"
	completePrefix = "RUNS-COMPLETE#"
	// runsTTL is how long a deleted runner's record and a use's tombstone are kept: longer than any delivery delay.
	runsTTL = 30 * 24 * time.Hour
)

// olderOrNone is the condition of every write of the index: only over an item of an older observation, or none.
const olderOrNone = "attribute_not_exists(#o) OR #o < :o"

// RecordRunner records what a service or task set runs as read at at (model.RunsOf), replacing what it ran before.
// It is the one call for every path that reads a service or task set: its event, or a sweep's listing. It returns
// the revisions whose running context changed (they ran or run under it, or its exposure for them changed), sorted,
// to be audited again; none when a later observation of the runner was already recorded.
func (x *Runs) RecordRunner(ctx context.Context, r model.Resource, at time.Time) ([]string, error) {
	return x.Record(ctx, r.ID(), model.RunsOf(r), at)
}

// ForgetRunner records that a service or task set was deleted (or found gone) at at: it runs nothing from then on.
// It returns the revisions it ran, to be audited again.
func (x *Runs) ForgetRunner(ctx context.Context, runnerARN string, at time.Time) ([]string, error) {
	return x.Record(ctx, runnerARN, nil, at)
}

// standaloneSuffix ends the runner key of a cluster's standalone tasks.
const standaloneSuffix = "#standalone"

// RecordStandalone records the revisions the standalone tasks of a cluster run (model.StandaloneRuns), as listed at
// at, replacing what they ran before: the cluster's standalone tasks are one runner. A sweep calls it for each
// cluster whose tasks it listed in full. It returns the revisions whose running context changed.
func (x *Runs) RecordStandalone(ctx context.Context, clusterARN string, runs []model.Run, at time.Time) ([]string, error) {
	return x.Record(ctx, clusterARN+standaloneSuffix, runs, at)
}

// ForgetStandalone records that a cluster is gone, and its standalone tasks with it.
func (x *Runs) ForgetStandalone(ctx context.Context, clusterARN string, at time.Time) ([]string, error) {
	return x.Record(ctx, clusterARN+standaloneSuffix, nil, at)
}

// Record replaces what the runner runnerARN runs with runs, as read at at. See RecordRunner.
func (x *Runs) Record(ctx context.Context, runnerARN string, runs []model.Run, at time.Time) ([]string, error) {
	if runnerARN == "" {
		return nil, errors.New("record running context: a runner without ARN")
	}
	observed := str(FormatTime(at))
	var revs, public []string
	for _, r := range runs {
		revs = append(revs, r.TaskDefinition)
		if r.Runner.Exposed() {
			public = append(public, r.TaskDefinition)
		}
	}
	revs, public = uniq(revs), uniq(public)
	item := map[string]types.AttributeValue{PartitionKey: str(runnerPrefix + runnerARN), SortKey: str(findingSortKey), "observedAt": observed}
	if len(revs) > 0 {
		item["revisions"] = &types.AttributeValueMemberSS{Value: revs}
	} else {
		item[TTLAttribute] = num(at.Add(runsTTL).Unix())
	}
	if len(public) > 0 {
		item["public"] = &types.AttributeValueMemberSS{Value: public}
	}
	out, err := x.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &x.Table, Item: item, ReturnValues: types.ReturnValueAllOld,
		ConditionExpression:       aws.String(olderOrNone),
		ExpressionAttributeNames:  map[string]string{"#o": "observedAt"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":o": observed},
	})
	var later *types.ConditionalCheckFailedException
	if errors.As(err, &later) {
		return nil, nil // a later observation of this runner is recorded already
	}
	if err != nil {
		return nil, fmt.Errorf("record what %s runs: %w", runnerARN, err)
	}
	oldRevs, oldPublic := stringSet(out.Attributes, "revisions"), stringSet(out.Attributes, "public")
	now := map[string]bool{}
	for _, r := range runs {
		now[r.TaskDefinition] = true
		if err := x.putUse(ctx, runnerARN, r, false, at); err != nil {
			return nil, err
		}
	}
	for _, rev := range oldRevs {
		if !now[rev] {
			if err := x.putUse(ctx, runnerARN, model.Run{TaskDefinition: rev}, true, at); err != nil {
				return nil, err
			}
		}
	}
	return changedRevisions(oldRevs, oldPublic, revs, public), nil
}

// putUse writes one use of a revision by a runner, or its tombstone, over an older observation only.
func (x *Runs) putUse(ctx context.Context, runnerARN string, r model.Run, gone bool, at time.Time) error {
	observed := str(FormatTime(at))
	item := map[string]types.AttributeValue{
		PartitionKey: str(runsPrefix + r.TaskDefinition), SortKey: str(runnerPrefix + runnerARN),
		"observedAt": observed, "public": &types.AttributeValueMemberBOOL{Value: r.Runner.Public},
	}
	if r.Runner.InternetFacing {
		item["internetFacing"] = &types.AttributeValueMemberBOOL{Value: true}
	}
	if r.Runner.Standalone {
		item["standalone"] = &types.AttributeValueMemberBOOL{Value: true}
	}
	if gone {
		item["gone"] = &types.AttributeValueMemberBOOL{Value: true}
		item[TTLAttribute] = num(at.Add(runsTTL).Unix())
	}
	for k, v := range map[string]string{"service": r.Runner.Service, "taskSet": r.Runner.TaskSet, "cluster": r.Runner.Cluster} {
		if v != "" {
			item[k] = str(v)
		}
	}
	_, err := x.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &x.Table, Item: item,
		ConditionExpression:       aws.String(olderOrNone),
		ExpressionAttributeNames:  map[string]string{"#o": "observedAt"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":o": observed},
	})
	var later *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &later) {
		return fmt.Errorf("record that %s runs %s: %w", runnerARN, r.TaskDefinition, err)
	}
	return nil
}

// Runners returns the services, task sets and clusters' standalone tasks that run a revision (one Query), sorted.
func (x *Runs) Runners(ctx context.Context, taskDefARN string) ([]model.Runner, error) {
	p := dynamodb.NewQueryPaginator(x.DB, &dynamodb.QueryInput{
		TableName:                 &x.Table,
		ConsistentRead:            aws.Bool(true),
		KeyConditionExpression:    aws.String("pk = :pk AND begins_with(sk, :sk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(runsPrefix + taskDefARN), ":sk": str(runnerPrefix)},
	})
	var out []model.Runner
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query what runs %s: %w", taskDefARN, err)
		}
		for _, it := range page.Items {
			if boolAttr(it, "gone") {
				continue
			}
			r := model.Runner{Service: stringAttr(it, "service"), TaskSet: stringAttr(it, "taskSet"),
				Cluster: stringAttr(it, "cluster"), Standalone: boolAttr(it, "standalone"), Public: boolAttr(it, "public"),
				InternetFacing: boolAttr(it, "internetFacing")}
			if r.Service == "" && r.TaskSet == "" && !r.Standalone {
				r.Service = strings.TrimPrefix(stringAttr(it, SortKey), runnerPrefix)
			}
			out = append(out, r)
		}
	}
	model.SortRunners(out)
	return out, nil
}

// Context returns a revision's running context: its runners, complete when every service, task set and standalone
// task of its account and region has been recorded (MarkComplete).
func (x *Runs) Context(ctx context.Context, taskDefARN, account, region string) (*model.Running, error) {
	runners, err := x.Runners(ctx, taskDefARN)
	if err != nil {
		return nil, err
	}
	complete, err := x.Complete(ctx, account, region)
	if err != nil {
		return nil, err
	}
	return &model.Running{Runners: runners, Complete: complete}, nil
}

func completeKey(account, region string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{PartitionKey: str(completePrefix + account + "#" + region), SortKey: str(findingSortKey)}
}

// MarkComplete records that every service, task set and standalone task of an account and region was recorded, as
// listed at at (a sweep calls it after recording every listing in full): from then on a revision without runners
// runs nowhere.
func (x *Runs) MarkComplete(ctx context.Context, account, region string, at time.Time) error {
	_, err := x.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &x.Table, Key: completeKey(account, region),
		UpdateExpression:          aws.String("SET #o = :o"),
		ConditionExpression:       aws.String(olderOrNone),
		ExpressionAttributeNames:  map[string]string{"#o": "observedAt"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":o": str(FormatTime(at))},
	})
	var later *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &later) {
		return fmt.Errorf("mark the running index of %s %s complete: %w", account, region, err)
	}
	return nil
}

// Complete reports whether every runner of an account and region was recorded (MarkComplete).
func (x *Runs) Complete(ctx context.Context, account, region string) (bool, error) {
	if account == "" || region == "" {
		return false, nil
	}
	if _, ok := x.complete.Load(account + "#" + region); ok {
		return true, nil
	}
	out, err := x.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &x.Table, ConsistentRead: aws.Bool(true), Key: completeKey(account, region)})
	if err != nil {
		return false, fmt.Errorf("read whether the running index of %s %s is complete: %w", account, region, err)
	}
	done := stringAttr(out.Item, "observedAt") != ""
	if done {
		x.complete.Store(account+"#"+region, true)
	}
	return done, nil
}

// changedRevisions returns the revisions that gained or lost the runner, or whose exposure under it changed.
func changedRevisions(oldRevs, oldPublic, revs, public []string) []string {
	in := func(xs []string) map[string]bool {
		m := map[string]bool{}
		for _, x := range xs {
			m[x] = true
		}
		return m
	}
	o, op, n, np := in(oldRevs), in(oldPublic), in(revs), in(public)
	var out []string
	for _, rev := range uniq(append(append([]string(nil), oldRevs...), revs...)) {
		if o[rev] != n[rev] || op[rev] != np[rev] {
			out = append(out, rev)
		}
	}
	sort.Strings(out)
	return out
}
