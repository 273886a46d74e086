package source

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
)

// CloudTrailAPI is the part of the CloudTrail API the sweep calls.
type CloudTrailAPI interface {
	DescribeTrails(context.Context, *cloudtrail.DescribeTrailsInput, ...func(*cloudtrail.Options)) (*cloudtrail.DescribeTrailsOutput, error)
	GetTrailStatus(context.Context, *cloudtrail.GetTrailStatusInput, ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error)
}

// TrailLogging reports whether some trail that covers this region is logging management events. Without one, the
// API-call events the auditors react to are never delivered: only the sweep audits the account.
func TrailLogging(ctx context.Context, ct CloudTrailAPI) (bool, error) {
	out, err := ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(true)})
	if err != nil {
		return false, fmt.Errorf("describe trails: %w", err)
	}
	for _, t := range out.TrailList {
		st, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: t.TrailARN})
		if err != nil {
			return false, fmt.Errorf("get status of trail %s: %w", aws.ToString(t.Name), err)
		}
		if aws.ToBool(st.IsLogging) {
			return true, nil
		}
	}
	return false, nil
}
