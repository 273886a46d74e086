package imagefile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// Blobs gives one repository's manifests and blobs by digest, as a registry serves them: manifests and indexes
// from one endpoint, configs and layers from the other. Whatever it returns must be verified against the digest
// (a registry client does that while reading).
type Blobs interface {
	Manifest(digest v1.Hash) ([]byte, error)
	Blob(digest v1.Hash) (io.ReadCloser, error)
}

// ReadBlobs reads the image, or every image of the index, that top describes from b, exactly as Read reads a
// file: one model.ImageContents per platform, attestations skipped, layers streamed once within the byte budget.
// name is the image's reference ("registry/repository:tag" or "@digest"), recorded as its tag. With
// opts.Platform set, an index's other platforms are not read.
func ReadBlobs(top v1.Descriptor, name string, b Blobs, opts Options) ([]*model.ImageContents, error) {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.Settings == nil {
		opts.Settings = rule.DefaultSettings()
	}
	if !top.MediaType.IsIndex() && !top.MediaType.IsImage() {
		return nil, fmt.Errorf("%s: media type %q is neither an image nor an index", name, top.MediaType)
	}
	top.Annotations = mergeAnnotations(top.Annotations, map[string]string{annotationContainerdRef: name})
	index, err := json.Marshal(v1.IndexManifest{SchemaVersion: 2, Manifests: []v1.Descriptor{top}})
	if err != nil {
		return nil, err
	}
	s := &blobStore{b: b, index: index, manifests: map[string]bool{top.Digest.String(): true}}
	r := &reader{s: s, opts: opts, source: name}
	return r.read()
}

// blobStore serves a registry's manifests and blobs under the names an OCI layout gives them, behind an index.json
// that lists the one image asked for. It tells manifests from blobs by what it has served: the top descriptor and
// every descriptor an index it served lists are manifests; the rest (configs, layers) are blobs.
type blobStore struct {
	b     Blobs
	index []byte

	mu        sync.Mutex
	manifests map[string]bool
}

func (s *blobStore) digestOf(name string) (v1.Hash, bool) {
	rest, ok := strings.CutPrefix(name, "blobs/")
	if !ok {
		return v1.Hash{}, false
	}
	h, err := v1.NewHash(strings.Replace(rest, "/", ":", 1))
	return h, err == nil
}

func (s *blobStore) isManifest(h v1.Hash) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.manifests[h.String()]
}

func (s *blobStore) open(name string) (io.ReadCloser, error) {
	if name == "index.json" {
		return io.NopCloser(bytes.NewReader(s.index)), nil
	}
	h, ok := s.digestOf(name)
	if !ok {
		return nil, fs.ErrNotExist
	}
	if !s.isManifest(h) {
		return s.b.Blob(h)
	}
	data, err := s.b.Manifest(h)
	if err != nil {
		return nil, err
	}
	var idx v1.IndexManifest
	if json.Unmarshal(data, &idx) == nil && len(idx.Manifests) > 0 {
		s.mu.Lock()
		for _, d := range idx.Manifests {
			s.manifests[d.Digest.String()] = true
		}
		s.mu.Unlock()
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

// has is true for the manifests an index lists: a registry holds every platform of an index it serves.
func (s *blobStore) has(name string) bool {
	if name == "index.json" {
		return true
	}
	h, ok := s.digestOf(name)
	return ok && s.isManifest(h)
}

func (s *blobStore) close() error { return nil }
