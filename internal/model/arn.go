package model

import (
	"strconv"
	"strings"
)

// ARN is a parsed Amazon Resource Name.
type ARN struct {
	Partition, Service, Region, Account, Resource string
}

// ParseARN splits an ARN; ok is false when s is not one.
func ParseARN(s string) (a ARN, ok bool) {
	// arn:partition:service:region:account:resource, the resource keeping any further colons; cut rather than split
	// so that the five fields cost no allocation (every task definition's identity goes through here).
	var parts [5]string
	rest := s
	for i := range parts {
		if parts[i], rest, ok = strings.Cut(rest, ":"); !ok {
			return ARN{}, false
		}
	}
	if parts[0] != "arn" || parts[1] == "" || parts[2] == "" {
		return ARN{}, false
	}
	return ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: rest}, true
}

// PartitionOf returns the partition of a region name.
func PartitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	}
	return "aws"
}

// FamilyRevision splits a task definition ARN, family:revision or family into the family and the revision (0 when
// none is named, or when what follows the last colon is not a revision number).
func FamilyRevision(arn string) (family string, revision int) {
	s := arn[strings.LastIndex(arn, "/")+1:]
	i := strings.LastIndex(s, ":")
	if i < 0 {
		return s, 0
	}
	n, err := strconv.Atoi(s[i+1:])
	if err != nil || n < 0 || strings.ContainsAny(s[i+1:], "+-") {
		return s, 0
	}
	return s[:i], n
}
