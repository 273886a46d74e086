// Package imagefile reads container images from the files a CI build produces — a docker save archive, an OCI image
// layout directory, an OCI layout packed in a tar — into model.ImageContents: the config, and what the layers and the
// final filesystem hold that the image-contents rules judge. Layers are streamed once, never unpacked to disk, within
// a byte budget per image. The formats' types come from go-containerregistry; walking an archive in place is ours,
// as a packed OCI layout needs random access to its members and the library's layout reader wants a directory.
package imagefile

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// DefaultMaxBytes is the byte budget of one image when none is given: 4 GiB of uncompressed layers.
const DefaultMaxBytes = 4 << 30

// Options control reading.
type Options struct {
	// MaxBytes is the budget of uncompressed layer bytes read per image; 0 means DefaultMaxBytes. An image over it is
	// read in part and says so (ImageContents.Incomplete).
	MaxBytes int64
	// Settings hold the credential key names the .env detector uses; nil means rule.DefaultSettings().
	Settings *rule.Settings
	// Platform, when set ("linux/amd64", "linux/arm64/v8"), is the only platform of an index that is read: the one
	// a task definition runs. Images without a platform in their index descriptor are read whatever it is.
	Platform string
}

// ErrNoPlatform means an index lists no image for the platform asked for.
var ErrNoPlatform = errors.New("no image for the platform")

// Annotations the reader understands.
const (
	annotationRefName       = "org.opencontainers.image.ref.name"
	annotationContainerdRef = "io.containerd.image.name"
	annotationRefType       = "vnd.docker.reference.type"
)

// maxJSON bounds an index, manifest or config read whole into memory.
const maxJSON = 16 << 20

// maxIndexDepth bounds nested indexes.
const maxIndexDepth = 4

// Read reads every image of the image file or OCI layout directory at p, one per platform; attestation manifests
// are skipped. An error means nothing could be audited (not an image file, a broken index); a layer that cannot
// be read leaves its image incomplete instead.
func Read(p string, opts Options) ([]*model.ImageContents, error) {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.Settings == nil {
		opts.Settings = rule.DefaultSettings()
	}
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	var s store
	if st.IsDir() {
		s = dirStore{root: p}
	} else {
		ts, err := openTar(p)
		if err != nil {
			return nil, err
		}
		s = ts
	}
	defer s.close()
	r := &reader{s: s, opts: opts, source: p}
	imgs, err := r.read()
	if err != nil {
		return nil, err
	}
	for _, img := range imgs {
		img.Source = p
	}
	return imgs, nil
}

type reader struct {
	s      store
	opts   Options
	source string
	// repoTags are docker save's manifest.json RepoTags by config digest.
	repoTags map[string][]string
}

func (r *reader) read() ([]*model.ImageContents, error) {
	var legacy tarball.Manifest
	if r.s.has("manifest.json") {
		if err := r.readJSON("manifest.json", &legacy); err != nil {
			return nil, err
		}
		r.repoTags = map[string][]string{}
		for _, d := range legacy {
			cfg := strings.TrimPrefix(d.Config, "blobs/sha256/")
			cfg = strings.TrimSuffix(cfg, ".json")
			r.repoTags[cfg] = append(r.repoTags[cfg], d.RepoTags...)
		}
	}
	// index.json decides what the file holds: a multi-platform docker save lists only some platforms in
	// manifest.json.
	if r.s.has("index.json") {
		var idx v1.IndexManifest
		if err := r.readJSON("index.json", &idx); err != nil {
			return nil, err
		}
		var out []*model.ImageContents
		if err := r.walkIndex(&idx, nil, 0, &out); err != nil {
			return nil, err
		}
		if len(out) == 0 && r.opts.Platform != "" {
			return nil, fmt.Errorf("index.json: %w %s", ErrNoPlatform, r.opts.Platform)
		}
		if len(out) == 0 {
			return nil, errors.New("index.json: no image manifest in it that the file holds")
		}
		return out, nil
	}
	if legacy == nil {
		return nil, errors.New("neither index.json nor manifest.json: not an image archive or layout")
	}
	var out []*model.ImageContents
	for i, d := range legacy {
		img, err := r.readLegacy(d)
		if err != nil {
			return nil, fmt.Errorf("manifest.json entry %d: %w", i, err)
		}
		out = append(out, img)
	}
	if len(out) == 0 {
		return nil, errors.New("manifest.json: no image in it")
	}
	return out, nil
}

func (r *reader) readJSON(name string, v any) error {
	f, err := r.s.open(name)
	if err != nil {
		return fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxJSON+1))
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > maxJSON {
		return fmt.Errorf("read %s: over %d bytes", name, maxJSON)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode %s: %w", name, err)
	}
	return nil
}

func blobName(h v1.Hash) string { return "blobs/" + h.Algorithm + "/" + h.Hex }

// walkIndex reads the images an index lists, descending into nested indexes. tags are the names the enclosing
// descriptors gave.
func (r *reader) walkIndex(idx *v1.IndexManifest, tags []string, depth int, out *[]*model.ImageContents) error {
	if depth > maxIndexDepth {
		return fmt.Errorf("indexes nested more than %d deep", maxIndexDepth)
	}
	for _, d := range idx.Manifests {
		if d.Annotations[annotationRefType] == "attestation-manifest" {
			continue
		}
		if d.Platform != nil && d.Platform.OS == "unknown" {
			continue // buildkit's attestations without the annotation
		}
		if d.Platform != nil && !d.MediaType.IsIndex() && !platformMatches(d.Platform, r.opts.Platform) {
			continue
		}
		t := append(append([]string(nil), tags...), descriptorTags(d)...)
		switch {
		case d.MediaType.IsIndex():
			var child v1.IndexManifest
			if err := r.readJSON(blobName(d.Digest), &child); err != nil {
				return err
			}
			if err := r.walkIndex(&child, t, depth+1, out); err != nil {
				return err
			}
		case d.MediaType.IsImage() || d.MediaType == "":
			if depth > 0 && !r.s.has(blobName(d.Digest)) {
				// docker save writes the whole index of a multi-platform image but only the platforms it has
				// pulled: one it does not hold is not in the file to audit.
				continue
			}
			img, err := r.readManifest(d, t)
			if err != nil {
				return fmt.Errorf("manifest %s: %w", d.Digest, err)
			}
			if img != nil {
				*out = append(*out, img)
			}
		}
	}
	return nil
}

// descriptorTags returns the image names an index descriptor records: containerd's full name, or the OCI ref name
// when it is a full reference rather than a bare tag.
func descriptorTags(d v1.Descriptor) []string {
	if n := d.Annotations[annotationContainerdRef]; n != "" {
		return []string{n}
	}
	if n := d.Annotations[annotationRefName]; strings.ContainsAny(n, "/:") {
		return []string{n}
	}
	return nil
}

func (r *reader) readManifest(d v1.Descriptor, tags []string) (*model.ImageContents, error) {
	var m v1.Manifest
	if err := r.readJSON(blobName(d.Digest), &m); err != nil {
		return nil, err
	}
	if m.Config.MediaType != "" && !m.Config.MediaType.IsConfig() {
		return nil, nil // an artifact (a signature, an SBOM), not an image
	}
	var cfg v1.ConfigFile
	if err := r.readJSON(blobName(m.Config.Digest), &cfg); err != nil {
		return nil, err
	}
	img := &model.ImageContents{Digest: d.Digest.String()}
	img.Annotations = mergeAnnotations(d.Annotations, m.Annotations)
	img.Tags = uniqueSorted(append(tags, r.repoTags[m.Config.Digest.Hex]...))
	img.Platform = platformName(d.Platform, &cfg)
	setConfig(img, &cfg)
	layers := make([]layerRef, 0, len(m.Layers))
	for _, l := range m.Layers {
		layers = append(layers, layerRef{name: blobName(l.Digest), mediaType: l.MediaType})
	}
	r.readLayers(img, layers)
	return img, nil
}

// readLegacy reads an image of a docker save archive written before Docker 25, which has no manifest digest: the
// image is identified by its config digest, the image ID docker prints.
func (r *reader) readLegacy(d tarball.Descriptor) (*model.ImageContents, error) {
	f, err := r.s.open(d.Config)
	if err != nil {
		return nil, fmt.Errorf("open config %s: %w", d.Config, err)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxJSON+1))
	f.Close()
	if err != nil || len(data) > maxJSON {
		return nil, fmt.Errorf("read config %s: %v", d.Config, errOr(err, "too large"))
	}
	var cfg v1.ConfigFile
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("decode config %s: %w", d.Config, err)
	}
	sum := sha256.Sum256(data)
	img := &model.ImageContents{Digest: "sha256:" + hex.EncodeToString(sum[:])}
	img.Tags = uniqueSorted(d.RepoTags)
	img.Platform = platformName(nil, &cfg)
	setConfig(img, &cfg)
	layers := make([]layerRef, 0, len(d.Layers))
	for _, l := range d.Layers {
		layers = append(layers, layerRef{name: l})
	}
	r.readLayers(img, layers)
	return img, nil
}

func errOr(err error, s string) any {
	if err != nil {
		return err
	}
	return s
}

func setConfig(img *model.ImageContents, cfg *v1.ConfigFile) {
	img.Config = model.ImageConfig{User: cfg.Config.User, Env: cfg.Config.Env, Labels: cfg.Config.Labels}
	for _, h := range cfg.History {
		img.Config.History = append(img.Config.History, h.CreatedBy)
	}
}

// platformMatches reports whether p is the platform want names ("os/arch[/variant]"); an empty want matches all.
// A variant is compared only when want names one.
func platformMatches(p *v1.Platform, want string) bool {
	if want == "" {
		return true
	}
	parts := strings.SplitN(want, "/", 3)
	if len(parts) < 2 || !strings.EqualFold(p.OS, parts[0]) || !strings.EqualFold(p.Architecture, parts[1]) {
		return false
	}
	return len(parts) < 3 || strings.EqualFold(p.Variant, parts[2])
}

func platformName(p *v1.Platform, cfg *v1.ConfigFile) string {
	os, arch, variant := cfg.OS, cfg.Architecture, cfg.Variant
	if p != nil && p.OS != "" {
		os, arch, variant = p.OS, p.Architecture, p.Variant
	}
	if os == "" && arch == "" {
		return ""
	}
	s := os + "/" + arch
	if variant != "" {
		s += "/" + variant
	}
	return s
}

func mergeAnnotations(ms ...map[string]string) map[string]string {
	var out map[string]string
	for _, m := range ms {
		for k, v := range m {
			if out == nil {
				out = map[string]string{}
			}
			out[k] = v
		}
	}
	return out
}

func uniqueSorted(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	sort.Strings(s)
	out := s[:1]
	for _, v := range s[1:] {
		if v != out[len(out)-1] {
			out = append(out, v)
		}
	}
	return out
}

// layerRef names one layer in the store.
type layerRef struct {
	name      string
	mediaType types.MediaType
}
