package load

import (
	"github.com/aws/aws-sdk-go-v2/aws"

	"bytes"
	"encoding/json"
	"strings"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

// InspectedImage is what an image config given beside task definitions says: the references it is known by (its
// repository tags, and its repository digests or repository@manifest-digest) and its USER.
type InspectedImage struct {
	Refs     []string
	User     string
	Platform string
	Source   string
}

// dockerInspect is one element of docker image inspect's output: the fields this tool reads.
type dockerInspect struct {
	ID           string   `json:"Id"`
	RepoTags     []string `json:"RepoTags"`
	RepoDigests  []string `json:"RepoDigests"`
	Os           string   `json:"Os"`
	Architecture string   `json:"Architecture"`
	Config       *struct {
		User string `json:"User"`
	} `json:"Config"`
}

// ReadDockerInspect reads docker image inspect output, a JSON array of objects with Id, RepoTags, RepoDigests and
// Config. ok is false when data is not that shape (it is then some other input); an element without Config is
// skipped.
func ReadDockerInspect(source string, data []byte) (imgs []InspectedImage, ok bool) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '[' {
		return nil, false
	}
	var elems []map[string]json.RawMessage
	if json.Unmarshal(data, &elems) != nil || len(elems) == 0 {
		return nil, false
	}
	for _, e := range elems {
		_, hasID := e["Id"]
		_, hasConfig := e["Config"]
		_, hasTags := e["RepoTags"]
		if !hasID || !hasConfig || !hasTags {
			return nil, false
		}
	}
	var out []dockerInspect
	if json.Unmarshal(data, &out) != nil {
		return nil, false
	}
	for _, d := range out {
		if d.Config == nil {
			continue
		}
		refs := append(append([]string(nil), d.RepoTags...), d.RepoDigests...)
		platform := ""
		if d.Os != "" {
			platform = d.Os + "/" + d.Architecture
		}
		imgs = append(imgs, InspectedImage{Refs: refs, User: d.Config.User, Platform: platform, Source: source})
	}
	return imgs, true
}

// ImagesOf returns image files' images as inspected images: known by their tags and by repository@digest for each
// tagged repository.
func ImagesOf(contents []*model.ImageContents) []InspectedImage {
	var out []InspectedImage
	for _, c := range contents {
		refs := append([]string(nil), c.Tags...)
		for _, t := range c.Tags {
			r := model.ParseImageRef(t)
			refs = append(refs, r.Registry+"/"+r.Repository+"@"+c.Digest)
		}
		out = append(out, InspectedImage{Refs: refs, User: c.Config.User, Platform: c.Platform, Source: c.Source})
	}
	return out
}

// LinkImageUsers gives each task definition the USER of the images given beside it, for the containers whose
// image reference names one of them (by repository and tag, or by digest; Docker Hub's short names included).
// Where several platforms of an image match, the task's CPU architecture picks one.
func LinkImageUsers(tasks []*model.TaskDefinition, imgs []InspectedImage) {
	if len(imgs) == 0 {
		return
	}
	byRef := map[string][]InspectedImage{}
	for _, img := range imgs {
		for _, r := range img.Refs {
			k := refKey(r)
			byRef[k] = append(byRef[k], img)
		}
	}
	for _, t := range tasks {
		arch := "amd64"
		if t.Def.RuntimePlatform != nil && t.Def.RuntimePlatform.CpuArchitecture == "ARM64" {
			arch = "arm64"
		}
		for _, c := range t.Def.ContainerDefinitions {
			ref := aws.ToString(c.Image)
			cands := byRef[refKey(ref)]
			if len(cands) == 0 {
				continue
			}
			pick := cands[0]
			for _, cand := range cands {
				if strings.HasPrefix(cand.Platform, "linux/"+arch) {
					pick = cand
					break
				}
			}
			if t.ImageUsers == nil {
				t.ImageUsers = map[string]model.ImageUser{}
			}
			t.ImageUsers[ref] = model.ImageUser{User: pick.User, Source: pick.Source}
		}
	}
}

// refKey normalises an image reference for matching: registry/repository@digest when it has a digest, otherwise
// registry/repository:tag with "latest" for no tag.
func refKey(s string) string {
	r := model.ParseImageRef(s)
	if r.Digest != "" {
		return r.Registry + "/" + r.Repository + "@" + r.Digest
	}
	tag := r.Tag
	if tag == "" {
		tag = "latest"
	}
	return r.Registry + "/" + r.Repository + ":" + tag
}
