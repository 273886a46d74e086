package load

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

type repoJSON struct {
	ecrtypes.Repository
	CreatedAt flexTime `json:"CreatedAt"`
	// Bundle extensions: a repository object may carry its own policies and tags.
	LifecyclePolicyText *string `json:"lifecyclePolicyText"`
	PolicyText          *string `json:"policyText"`
	Tags                tagList `json:"tags"`
}

type policyJSON struct {
	RegistryID          string  `json:"registryId"`
	RepositoryName      string  `json:"repositoryName"`
	PolicyText          *string `json:"policyText"`
	LifecyclePolicyText *string `json:"lifecyclePolicyText"`
	LastEvaluatedAt     flexTime
}

// readRepositories reads describe-repositories output (or create-repository output), optionally extended into a
// bundle with "lifecyclePolicies", "repositoryPolicies" (lists of get-lifecycle-policy / get-repository-policy
// outputs), "tags" ({"repositoryName": [tags]}), "imageDetails" and "scanningConfiguration". A bundle key that is
// present makes absence meaningful: a repository missing from "lifecyclePolicies" has no lifecycle policy.
func (d *doc) readRepositories(top map[string]member, prefix string) error {
	var repos []repoJSON
	path := join(prefix, "repositories")
	if m, ok := top["repositories"]; ok {
		if err := d.decode(m.raw, m.offset, &repos); err != nil {
			return err
		}
	} else {
		m := top["repository"]
		var r repoJSON
		if err := d.decode(m.raw, m.offset, &r); err != nil {
			return err
		}
		repos = []repoJSON{r}
		path = join(prefix, "repository")
	}
	lifecycles, lcKnown, err := d.policyList(top, "lifecyclePolicies")
	if err != nil {
		return err
	}
	policies, polKnown, err := d.policyList(top, "repositoryPolicies")
	if err != nil {
		return err
	}
	var tags map[string]tagList
	if m, ok := top["tags"]; ok {
		if err := json.Unmarshal(m.raw, &tags); err != nil {
			return d.located(m.offset, fmt.Errorf("tags: want {\"repositoryName\": [{\"Key\": ..., \"Value\": ...}]}: %w", err))
		}
	}
	for i, rj := range repos {
		if err := validateRepo(&rj.Repository); err != nil {
			return fmt.Errorf("repositories[%d]: %w", i, err)
		}
		if aws.ToString(rj.RepositoryName) == "" {
			// Rules and findings name the repository; without a name it has no identity of its own.
			return fmt.Errorf("repositories[%d]: no repositoryName", i)
		}
		r := &model.Repository{Repo: rj.Repository, Described: true}
		r.Repo.CreatedAt = rj.CreatedAt.t
		r.Source, r.SourcePath = d.source, path
		if prefix != "" || len(repos) > 1 || top["repositories"].raw != nil {
			r.SourcePath = path + "/" + strconv.Itoa(i)
		}
		d.set.identify(&r.Ref, aws.ToString(r.Repo.RepositoryArn))
		if r.Account == "" {
			r.Account = aws.ToString(r.Repo.RegistryId)
		}
		name := r.Name()
		if rj.LifecyclePolicyText != nil {
			r.LifecyclePolicy, r.LifecycleKnown = *rj.LifecyclePolicyText, true
		} else if lcKnown {
			r.LifecyclePolicy, r.LifecycleKnown = lifecycles[name], true
		}
		if rj.PolicyText != nil {
			r.Policy, r.PolicyKnown = *rj.PolicyText, true
		} else if polKnown {
			r.Policy, r.PolicyKnown = policies[name], true
		}
		if rj.Tags != nil {
			r.Tags, r.TagsKnown = rj.Tags, true
		} else if tags != nil {
			r.Tags, r.TagsKnown = tags[name], true
		}
		d.set.Repos = append(d.set.Repos, r)
	}
	if m, ok := top["keys"]; ok {
		if err := d.readKeys(m, join(prefix, "keys")); err != nil {
			return err
		}
	}
	if m, ok := top["imagedetails"]; ok {
		if err := d.readImages(m, join(prefix, "imageDetails")); err != nil {
			return err
		}
	}
	if _, ok := top["scanningconfiguration"]; ok {
		if err := d.readRegistry(top); err != nil {
			return err
		}
	}
	return nil
}

func (d *doc) policyList(top map[string]member, key string) (map[string]string, bool, error) {
	m, ok := top[lower(key)]
	if !ok {
		return nil, false, nil
	}
	var list []policyJSON
	if err := d.decode(m.raw, m.offset, &list); err != nil {
		return nil, false, fmt.Errorf("%s: %w", key, err)
	}
	out := map[string]string{}
	for i, p := range list {
		if p.RepositoryName == "" {
			return nil, false, fmt.Errorf("%s[%d]: no repositoryName", key, i)
		}
		switch {
		case p.PolicyText != nil:
			out[p.RepositoryName] = *p.PolicyText
		case p.LifecyclePolicyText != nil:
			out[p.RepositoryName] = *p.LifecyclePolicyText
		}
	}
	return out, true, nil
}

// readPolicyDoc reads get-repository-policy or get-lifecycle-policy output (or set-repository-policy input).
func (d *doc) readPolicyDoc(top map[string]member) error {
	var p policyJSON
	for k, m := range top {
		switch k {
		case "registryid":
			_ = json.Unmarshal(m.raw, &p.RegistryID)
		case "repositoryname":
			_ = json.Unmarshal(m.raw, &p.RepositoryName)
		case "policytext":
			p.PolicyText = new(string)
			if err := json.Unmarshal(m.raw, p.PolicyText); err != nil {
				return d.located(m.offset, fmt.Errorf("policyText: %w", err))
			}
		case "lifecyclepolicytext":
			p.LifecyclePolicyText = new(string)
			if err := json.Unmarshal(m.raw, p.LifecyclePolicyText); err != nil {
				return d.located(m.offset, fmt.Errorf("lifecyclePolicyText: %w", err))
			}
		}
	}
	if p.RepositoryName == "" {
		return errors.New("repository policy document has no repositoryName")
	}
	a := attachment{registryID: p.RegistryID, repo: p.RepositoryName, source: d.source}
	if p.PolicyText != nil {
		a.text = *p.PolicyText
		d.set.policies = append(d.set.policies, a)
	}
	if p.LifecyclePolicyText != nil {
		a.text = *p.LifecyclePolicyText
		d.set.lifecycles = append(d.set.lifecycles, a)
	}
	return nil
}

type imageJSON struct {
	ecrtypes.ImageDetail
	ImagePushedAt            flexTime     `json:"ImagePushedAt"`
	LastRecordedPullTime     flexTime     `json:"LastRecordedPullTime"`
	LastActivatedAt          flexTime     `json:"LastActivatedAt"`
	LastArchivedAt           flexTime     `json:"LastArchivedAt"`
	ImageScanFindingsSummary *summaryJSON `json:"ImageScanFindingsSummary"`
}

type summaryJSON struct {
	ecrtypes.ImageScanFindingsSummary
	ImageScanCompletedAt         flexTime `json:"ImageScanCompletedAt"`
	VulnerabilitySourceUpdatedAt flexTime `json:"VulnerabilitySourceUpdatedAt"`
}

func (d *doc) readImages(m member, path string) error {
	var list []imageJSON
	if err := d.decode(m.raw, m.offset, &list); err != nil {
		return err
	}
	for i, ij := range list {
		det := ij.ImageDetail
		det.ImagePushedAt, det.LastRecordedPullTime = ij.ImagePushedAt.t, ij.LastRecordedPullTime.t
		det.LastActivatedAt, det.LastArchivedAt = ij.LastActivatedAt.t, ij.LastArchivedAt.t
		if s := ij.ImageScanFindingsSummary; s != nil {
			sum := s.ImageScanFindingsSummary
			sum.ImageScanCompletedAt, sum.VulnerabilitySourceUpdatedAt = s.ImageScanCompletedAt.t, s.VulnerabilitySourceUpdatedAt.t
			det.ImageScanFindingsSummary = &sum
		}
		if err := validateImage(&det); err != nil {
			return fmt.Errorf("imageDetails[%d]: %w", i, err)
		}
		if aws.ToString(det.ImageDigest) == "" {
			return fmt.Errorf("imageDetails[%d]: no imageDigest", i)
		}
		img := &model.Image{Detail: det}
		img.Source, img.SourcePath = d.source, path+"/"+strconv.Itoa(i)
		img.Account, img.Region = aws.ToString(det.RegistryId), d.set.opts.Region
		if img.Account == "" {
			img.Account = d.set.opts.Account
		}
		img.Partition = model.PartitionOf(img.Region)
		d.set.Images = append(d.set.Images, img)
	}
	return nil
}

// readScanFindings reads describe-image-scan-findings output, kept to name the top findings of an image.
func (d *doc) readScanFindings(top map[string]member) error {
	var out struct {
		ImageID struct {
			ImageDigest string
		} `json:"imageId"`
		ImageScanFindings struct {
			Findings []struct {
				Name     string
				Severity string
			}
			EnhancedFindings []struct {
				PackageVulnerabilityDetails struct {
					VulnerabilityID string `json:"vulnerabilityId"`
				}
				Severity string
			}
		}
	}
	for k, m := range top {
		var err error
		switch k {
		case "imageid":
			err = json.Unmarshal(m.raw, &out.ImageID)
		case "imagescanfindings":
			err = json.Unmarshal(m.raw, &out.ImageScanFindings)
		}
		if err != nil {
			return d.located(m.offset, err)
		}
	}
	if out.ImageID.ImageDigest == "" {
		return errors.New("describe-image-scan-findings output has no imageId.imageDigest")
	}
	var fs []model.ScanFinding
	for _, f := range out.ImageScanFindings.Findings {
		fs = append(fs, model.ScanFinding{Name: f.Name, Severity: f.Severity})
	}
	for _, f := range out.ImageScanFindings.EnhancedFindings {
		fs = append(fs, model.ScanFinding{Name: f.PackageVulnerabilityDetails.VulnerabilityID, Severity: f.Severity})
	}
	if d.set.findings == nil {
		d.set.findings = map[string][]model.ScanFinding{}
	}
	d.set.findings[out.ImageID.ImageDigest] = append(d.set.findings[out.ImageID.ImageDigest], fs...)
	return nil
}

func (d *doc) readRegistry(top map[string]member) error {
	var registryID string
	if m, ok := top["registryid"]; ok {
		if err := json.Unmarshal(m.raw, &registryID); err != nil {
			return d.located(m.offset, fmt.Errorf("registryId: %w", err))
		}
	}
	m := top["scanningconfiguration"]
	var sc ecrtypes.RegistryScanningConfiguration
	if err := d.decode(m.raw, m.offset, &sc); err != nil {
		return err
	}
	if err := validateRegistry(&sc); err != nil {
		return fmt.Errorf("scanningConfiguration: %w", err)
	}
	if sc.ScanType == "" {
		return errors.New("scanningConfiguration has no scanType")
	}
	g := &model.Registry{RegistryID: registryID, Scanning: sc}
	g.Source, g.SourcePath = d.source, "scanningConfiguration"
	g.Account, g.Region = registryID, d.set.opts.Region
	if g.Account == "" {
		g.Account = d.set.opts.Account
		g.RegistryID = g.Account
	}
	g.Partition = model.PartitionOf(g.Region)
	if g.Account != "" && g.Region != "" {
		g.ARN = model.RegistryARN(g.Partition, g.Region, g.Account)
	}
	d.set.Registries = append(d.set.Registries, g)
	return nil
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
