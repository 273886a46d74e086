package source

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

// describeTasksBatch is the most tasks one DescribeTasks call takes (API reference, DescribeTasks: "A list of up to
// 100 task IDs or full ARN entries").
const describeTasksBatch = 100

// StandaloneRuns lists the tasks of a cluster that are meant to run (ListTasks, desired status RUNNING, 100 a page),
// describes them 100 at a time, and returns the revisions its standalone tasks run (model.StandaloneRuns), with how
// many tasks were described. Tasks are read by the sweep only: no event says when one starts or stops. A task that
// stopped between the listing and the describe (MISSING) runs nothing; any other failure is an error, since the
// reading would not be complete. ErrNotFound (wrapped) means the cluster is gone.
func (s *Source) StandaloneRuns(ctx context.Context, cluster string) ([]model.Run, int, error) {
	if s.Estate == nil {
		return nil, 0, fmt.Errorf("list the tasks of %s: no ECS client", cluster)
	}
	var arns []string
	p := ecs.NewListTasksPaginator(s.Estate, &ecs.ListTasksInput{Cluster: aws.String(cluster),
		DesiredStatus: ecstypes.DesiredStatusRunning, MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if errorCode(err) == "ClusterNotFoundException" {
			return nil, 0, fmt.Errorf("list the tasks of %s: %w (%s)", cluster, ErrNotFound, errorCode(err))
		}
		if err != nil {
			return nil, 0, fmt.Errorf("list the tasks of %s: %w", cluster, err)
		}
		arns = append(arns, page.TaskArns...)
	}
	var tasks []ecstypes.Task
	for start := 0; start < len(arns); start += describeTasksBatch {
		part := arns[start:min(start+describeTasksBatch, len(arns))]
		out, err := s.Estate.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(cluster), Tasks: part})
		if err != nil {
			return nil, 0, fmt.Errorf("describe %d tasks of %s: %w", len(part), cluster, err)
		}
		for _, f := range out.Failures {
			if aws.ToString(f.Reason) != "MISSING" {
				return nil, 0, fmt.Errorf("describe task %s of %s: ECS answered %s: %s", aws.ToString(f.Arn), cluster,
					aws.ToString(f.Reason), aws.ToString(f.Detail))
			}
		}
		tasks = append(tasks, out.Tasks...)
	}
	return model.StandaloneRuns(cluster, tasks), len(tasks), nil
}
