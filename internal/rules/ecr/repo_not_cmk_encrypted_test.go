package ecr

import (
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/load"
	"github.com/ecsaudit/ecsaudit/internal/rule"
	"github.com/ecsaudit/ecsaudit/internal/testenv/ruletest"
)

const (
	cmkARN   = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	cmkID    = "1234abcd-12ab-34cd-56ef-1234567890ab"
	otherARN = "arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321"
)

func TestRepoNotCMKEncrypted(t *testing.T) {
	enc := func(typ, key string) string {
		s := `"encryptionConfiguration":{"encryptionType":"` + typ + `"`
		if key != "" {
			s += `,"kmsKey":"` + key + `"`
		}
		return s + "},"
	}
	allow := func(keys ...string) func(*rule.Settings) {
		return func(s *rule.Settings) { s.AllowedKMSKeys = keys }
	}
	runCases(t, RepoNotCMKEncrypted, []testCase{
		{name: "AES256", docs: docs(repoDoc(enc("AES256", ""), "")), want: rule.Failed,
			path: "encryptionConfiguration/encryptionType"},
		{name: "absent means the AES256 default", docs: docs(repoDoc("", "")), want: rule.Failed, detail: "AES256"},
		{name: "KMS without a key uses aws/ecr", docs: docs(repoDoc(enc("KMS", ""), "")), want: rule.Failed,
			detail: "aws/ecr"},
		{name: "KMS_DSSE without a key", docs: docs(repoDoc(enc("KMS_DSSE", ""), "")), want: rule.Failed},
		{name: "AWS managed alias", docs: docs(repoDoc(enc("KMS", "alias/aws/ecr"), "")), want: rule.Failed},
		{name: "AWS managed alias ARN", docs: docs(repoDoc(enc("KMS", "arn:aws:kms:us-east-1:111122223333:alias/aws/ecr"), "")),
			want: rule.Failed},
		{name: "explicit key, manager not checked", docs: docs(repoDoc(enc("KMS", cmkARN), "")), want: rule.Passed,
			detail: "key manager was not checked"},
		{name: "allowed by ARN", docs: docs(repoDoc(enc("KMS", cmkARN), "")), settings: allow(cmkARN), want: rule.Passed},
		{name: "allowed by key ID", docs: docs(repoDoc(enc("KMS", cmkARN), "")), settings: allow(cmkID), want: rule.Passed},
		{name: "allowed by alias", docs: docs(repoDoc(enc("KMS", "alias/images"), "")), settings: allow("alias/images"),
			want: rule.Passed},
		{name: "not in the allowed list", docs: docs(repoDoc(enc("KMS", cmkARN), "")), settings: allow(otherARN),
			want: rule.Failed, detail: "allowedKmsKeys"},
		{name: "same key ID in another account is not the allowed key", docs: docs(repoDoc(enc("KMS", cmkARN), "")),
			settings: allow("arn:aws:kms:us-east-1:444455556666:key/" + cmkID), want: rule.Failed},
		{name: "only a policy given", docs: docs(policyOnly), want: rule.NotAvailable},
	})
}

// TestRepoNotCMKEncryptedKeyManager covers what kms:DescribeKey adds, which no file input carries.
func TestRepoNotCMKEncryptedKeyManager(t *testing.T) {
	s := load.NewSet(load.Options{Strict: true, Region: "us-east-1"})
	doc := repoDoc(`"encryptionConfiguration":{"encryptionType":"KMS","kmsKey":"`+cmkARN+`"},`, "")
	if err := s.Add("repo.json", []byte(doc)); err != nil {
		t.Fatal(err)
	}
	s.Link()
	tests := []struct {
		manager string
		allowed []string
		want    rule.Status
	}{
		{"AWS", nil, rule.Failed},
		{"CUSTOMER", nil, rule.Passed},
		{"CUSTOMER", []string{otherARN}, rule.Failed},
		{"CUSTOMER", []string{cmkARN}, rule.Passed},
	}
	for _, tt := range tests {
		r := *s.Repos[0]
		r.KeyManager = tt.manager
		settings := rule.DefaultSettings()
		settings.AllowedKMSKeys = tt.allowed
		got := RepoNotCMKEncrypted.Check(&r, &rule.Env{Settings: settings, Now: ruletest.Now})
		if len(got) != 1 || got[0].Status != tt.want {
			t.Errorf("KeyManager %s, allowed %v: got %v, want %s", tt.manager, tt.allowed, got, tt.want)
		}
	}
}
