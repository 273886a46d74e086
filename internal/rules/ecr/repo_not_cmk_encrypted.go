package ecr

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// RepoNotCMKEncrypted fails a repository that is not encrypted with a customer managed KMS key.
var RepoNotCMKEncrypted = registerRepo(&RepoRule{
	Meta: rule.Meta{
		ID:    "repo.not-cmk-encrypted",
		Title: "Repository is not encrypted with a customer managed KMS key",
		Description: "With AES256 or the AWS managed key aws/ecr, the key policy, rotation, audit and revocation of " +
			"the key that protects the images are not under your control: you cannot cut off access to the image " +
			"layers by disabling the key or restrict who may decrypt them.",
		Remediation: "Encryption cannot be changed after a repository is created. Create a new repository with a " +
			"customer managed key, `aws ecr create-repository --repository-name NAME --encryption-configuration " +
			"encryptionType=KMS,kmsKey=KEY_ARN`, copy the images into it and point the task definitions at it.",
		RemediationURL:    "https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html",
		Severity:          rule.Medium,
		Profile:           rule.Restricted,
		SecurityControlID: "ECR.5",
		Related:           []string{"AWS Config ecr-repository-cmk-encryption-enabled", "Prowler ecr_repository_encrypted_with_cmk"},
		References: []string{
			"https://docs.aws.amazon.com/securityhub/latest/userguide/ecr-controls.html#ecr-5",
			"https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html",
		},
	},
	Check: func(r *model.Repository, env *rule.Env) []rule.Result {
		if !r.Described {
			return notDescribed(r)
		}
		ec := r.Repo.EncryptionConfiguration
		if ec == nil || ec.EncryptionType == "" {
			return fail("encryptionConfiguration is absent; ECR's default is AES256 (Amazon S3-managed keys), "+
				"not a customer managed KMS key", "encryptionConfiguration")
		}
		const typePath, keyPath = "encryptionConfiguration/encryptionType", "encryptionConfiguration/kmsKey"
		switch ec.EncryptionType {
		case ecrtypes.EncryptionTypeAes256:
			return fail("encryptionType is AES256: images are encrypted with Amazon S3-managed keys, "+
				"not a customer managed KMS key", typePath)
		case ecrtypes.EncryptionTypeKms, ecrtypes.EncryptionTypeKmsDsse:
		default:
			return notAvailable(fmt.Sprintf("encryptionConfiguration.encryptionType has the unknown value %q", ec.EncryptionType))
		}
		key := aws.ToString(ec.KmsKey)
		if key == "" {
			return fail(fmt.Sprintf("encryptionType is %s with no kmsKey: ECR then uses the AWS managed key aws/ecr",
				ec.EncryptionType), keyPath)
		}
		var checked bool
		switch r.KeyManager {
		case "AWS":
			return fail(fmt.Sprintf("kmsKey %s is an AWS managed key (kms:DescribeKey reports KeyManager AWS)", key), keyPath)
		case "CUSTOMER":
			checked = true
		default:
			if awsManagedAlias(key) {
				return fail(fmt.Sprintf("kmsKey %s is an AWS managed key alias", key), keyPath)
			}
		}
		if allowed := env.Settings.AllowedKMSKeys; len(allowed) > 0 && !keyAllowed(key, allowed) {
			return fail(fmt.Sprintf("kmsKey %s is not in the allowed key list (allowedKmsKeys: %s)",
				key, strings.Join(allowed, ", ")), keyPath)
		}
		if checked {
			return pass(fmt.Sprintf("encryptionType %s with customer managed key %s", ec.EncryptionType, key))
		}
		return pass(fmt.Sprintf("encryptionType %s with key %s; the key manager was not checked (no kms:DescribeKey "+
			"result in the input: give `aws kms describe-key` output beside it), so an AWS managed key named by its key ARN "+
			"would pass", ec.EncryptionType, key))
	},
})

// awsManagedAlias reports whether a key reference is an alias of an AWS managed key (alias/aws/ecr, or any
// alias/aws/... name, which only AWS can create), written as a bare alias or an alias ARN.
func awsManagedAlias(key string) bool {
	if a, ok := model.ParseARN(key); ok {
		key = a.Resource
	}
	return strings.HasPrefix(key, "alias/aws/")
}

// keyAllowed reports whether a key reference matches an entry of the allowed list. Two ARNs must be equal;
// otherwise the key ID ("key/<id>" in an ARN) or alias name ("alias/<name>") is compared, so the list may name a
// key by ARN, ID or alias. An alias in the list matches only a repository that names its key by that alias:
// offline, the alias cannot be resolved to a key.
func keyAllowed(key string, allowed []string) bool {
	kFull, kShort := keyForms(key)
	for _, a := range allowed {
		aFull, aShort := keyForms(a)
		if kFull != "" && aFull != "" {
			if kFull == aFull {
				return true
			}
			continue
		}
		if kShort == aShort {
			return true
		}
	}
	return false
}

// keyForms splits a key reference into its ARN (empty when it is not one) and its short form: the key ID or
// "alias/<name>".
func keyForms(ref string) (full, short string) {
	if a, ok := model.ParseARN(ref); ok && a.Service == "kms" {
		return ref, strings.TrimPrefix(a.Resource, "key/")
	}
	return "", ref
}
