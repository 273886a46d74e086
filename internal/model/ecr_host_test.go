package model

import (
	"regexp"
	"strings"
	"testing"
)

// ecrHostPattern is the definition ECR() implements by hand; the tests hold the two to the same answers.
var ecrHostPattern = regexp.MustCompile(`^(\d{12})\.dkr[.-]ecr(?:-fips)?\.([a-z0-9-]+)\.(?:amazonaws\.com(?:\.cn)?|on\.aws)$`)

func checkECRHost(t *testing.T, host string) {
	t.Helper()
	account, region, ok := ImageRef{Registry: host}.ECR()
	m := ecrHostPattern.FindStringSubmatch(host)
	if ok != (m != nil) || (m != nil && (account != m[1] || region != m[2])) {
		t.Fatalf("ECR(%q) = %q, %q, %v; the expression says %q", host, account, region, ok, m)
	}
}

func TestECRHostMatchesPattern(t *testing.T) {
	hosts := []string{
		"111122223333.dkr.ecr.eu-west-1.amazonaws.com", "111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn",
		"111122223333.dkr-ecr.us-east-1.on.aws", "111122223333.dkr.ecr-fips.us-gov-west-1.amazonaws.com",
		"111122223333.dkr.ecr.us-east-1.on.aws", "111122223333.dkr-ecr-fips.us-east-1.amazonaws.com",
		"111122223333.dkr.ecr.us-east-1.amazonaws.com.evil.io", "1111222233334.dkr.ecr.us-east-1.amazonaws.com",
		"11112222333.dkr.ecr.us-east-1.amazonaws.com", "111122223333.dkr.ecr..amazonaws.com",
		"111122223333.dkr.ecr.US-EAST-1.amazonaws.com", "111122223333.dkr.ecr.us_east_1.amazonaws.com",
		"111122223333.dkr.ecr-fipsx.us-east-1.amazonaws.com", "111122223333.dkr.ecr.fips.us-east-1.amazonaws.com",
		"111122223333.dkr.ecr.us-east-1.amazonaws.co", "111122223333.dkr.ecr.us-east-1.", "111122223333.dkr.ecr.",
		"111122223333.dkrxecr.us-east-1.amazonaws.com", "111122223333.dkr.ecr.us-east-1amazonaws.com", "",
		"docker.io", "public.ecr.aws", "a11122223333.dkr.ecr.us-east-1.amazonaws.com", "111122223333.dkr.ecr-fips.",
	}
	for _, h := range hosts {
		checkECRHost(t, h)
	}
}

func FuzzECRHost(f *testing.F) {
	for _, h := range []string{"111122223333.dkr.ecr.eu-west-1.amazonaws.com", "111122223333.dkr-ecr.us-east-1.on.aws",
		"111122223333.dkr.ecr-fips.us-gov-west-1.amazonaws.com.cn", "docker.io"} {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, host string) {
		checkECRHost(t, host)
	})
}

func TestParseARN(t *testing.T) {
	for _, s := range []string{
		"arn:aws:ecs:us-east-1:111122223333:task-definition/web:3", "arn:aws-cn:ecr:cn-north-1:1:repository/a/b",
		"arn:aws:iam::111122223333:role/x", "arn:aws:s3:::bucket", "arn::ecs:r:a:x", "arn:aws::r:a:x", "arn:aws:ecs:r:a",
		"arx:aws:ecs:r:a:x", "", "arn", "arn:aws:ecs:r:a:", "arn:aws:ecs:r:a:b:c:d",
	} {
		a, ok := ParseARN(s)
		parts := strings.SplitN(s, ":", 6)
		wantOK := len(parts) == 6 && parts[0] == "arn" && parts[1] != "" && parts[2] != ""
		if ok != wantOK || (ok && (a != ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]})) {
			t.Errorf("ParseARN(%q) = %+v, %v", s, a, ok)
		}
	}
}
