package load

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// keyJSON is `aws kms describe-key` output: what decides whether a repository's key, named only by its ARN or ID,
// is AWS managed or customer managed. Only the members that identify the key and its manager are read (the output's
// dates are written differently by the AWS CLI's versions).
type keyJSON struct {
	KeyMetadata *keyMeta
}

type keyMeta struct {
	KeyId, Arn string
	KeyManager kmstypes.KeyManagerType
}

// readKey reads one describe-key output (its KeyMetadata member m).
func (d *doc) readKey(m member, path string) error {
	var meta keyMeta
	if err := d.decode(m.raw, m.offset, &meta); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return d.addKey(&meta, path)
}

// readKeys reads the describe-repositories bundle's "keys": a list of describe-key outputs.
func (d *doc) readKeys(m member, path string) error {
	var list []keyJSON
	if err := d.decode(m.raw, m.offset, &list); err != nil {
		return fmt.Errorf("%s: want a list of `aws kms describe-key` outputs: %w", path, err)
	}
	for i, k := range list {
		if k.KeyMetadata == nil {
			return fmt.Errorf("%s/%d: no KeyMetadata (want `aws kms describe-key` output)", path, i)
		}
		if err := d.addKey(k.KeyMetadata, fmt.Sprintf("%s/%d", path, i)); err != nil {
			return err
		}
	}
	return nil
}

func (d *doc) addKey(meta *keyMeta, path string) error {
	switch meta.KeyManager {
	case kmstypes.KeyManagerTypeAws, kmstypes.KeyManagerTypeCustomer:
	case "":
		return fmt.Errorf("%s: KeyMetadata has no KeyManager", path)
	default:
		return fmt.Errorf("%s: KeyMetadata.KeyManager: unknown value %q (want AWS or CUSTOMER)", path, meta.KeyManager)
	}
	if meta.KeyId == "" && meta.Arn == "" {
		return fmt.Errorf("%s: KeyMetadata has neither KeyId nor Arn", path)
	}
	d.set.keys = append(d.set.keys, meta)
	return nil
}

// linkKeys tells each repository encrypted with a KMS key what the key's describe-key output, when the input gave it,
// says of its manager. A key is matched by its ARN or its ID (a repository may name either).
func (s *Set) linkKeys() {
	if len(s.keys) == 0 {
		return
	}
	for _, r := range s.Repos {
		ec := r.Repo.EncryptionConfiguration
		if ec == nil || aws.ToString(ec.KmsKey) == "" || r.KeyManager != "" {
			continue
		}
		name := aws.ToString(ec.KmsKey)
		for _, k := range s.keys {
			if keyNames(k, name) {
				r.KeyManager = string(k.KeyManager)
				break
			}
		}
	}
}

func keyNames(k *keyMeta, name string) bool {
	id, arn := k.KeyId, k.Arn
	switch {
	case name == arn && arn != "", name == id && id != "":
		return true
	case id != "" && strings.HasPrefix(name, "arn:") && strings.HasSuffix(name, ":key/"+id):
		return true
	}
	return false
}
