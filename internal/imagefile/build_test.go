package imagefile

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// This file builds image files for the tests with archive/tar: layers, configs, manifests and indexes, written as an
// OCI layout directory, an OCI layout in a tar, a Docker 25+ docker save archive (both) or an older one.

// entry is one member of a layer.
type entry struct {
	name string
	mode int64
	typ  byte // tar.TypeReg when zero
	body string
	link string
}

func file(name string, mode int64, body string) entry {
	return entry{name: name, mode: mode, body: body}
}
func dir(name string) entry             { return entry{name: name, mode: 0o755, typ: tar.TypeDir} }
func symlink(name, target string) entry { return entry{name: name, typ: tar.TypeSymlink, link: target} }
func whiteout(name string) entry        { return file(name, 0o644, "") }

// layer is a layer's entries and whether it is gzip-compressed.
type layer struct {
	entries []entry
	gzip    bool
}

func (l layer) bytes(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range l.entries {
		typ := e.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		h := &tar.Header{Name: e.name, Mode: e.mode, Typeflag: typ, Linkname: e.link, Format: tar.FormatPAX}
		if typ == tar.TypeReg {
			h.Size = int64(len(e.body))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if typ == tar.TypeReg {
			if _, err := tw.Write([]byte(e.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if !l.gzip {
		return buf.Bytes()
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(buf.Bytes())
	zw.Close()
	return z.Bytes()
}

// image is one platform's image to build.
type image struct {
	config      v1.Config
	history     []string
	layers      []layer
	platform    *v1.Platform
	annotations map[string]string
}

// files is an image file being built: paths inside the layout or archive and their content.
type files map[string][]byte

func (f files) blob(data []byte) v1.Hash {
	sum := sha256.Sum256(data)
	h := v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
	f["blobs/sha256/"+h.Hex] = data
	return h
}

func (f files) json(t testing.TB, v any) ([]byte, v1.Hash) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data, f.blob(data)
}

// add writes the image's blobs and returns its manifest's descriptor and its config's digest.
func (f files) add(t testing.TB, img image) (v1.Descriptor, v1.Hash) {
	t.Helper()
	cfg := v1.ConfigFile{OS: "linux", Architecture: "amd64", Config: img.config, RootFS: v1.RootFS{Type: "layers"}}
	if img.platform != nil {
		cfg.OS, cfg.Architecture, cfg.Variant = img.platform.OS, img.platform.Architecture, img.platform.Variant
	}
	for _, h := range img.history {
		cfg.History = append(cfg.History, v1.History{CreatedBy: h})
	}
	m := v1.Manifest{SchemaVersion: 2, MediaType: types.OCIManifestSchema1, Annotations: img.annotations}
	for _, l := range img.layers {
		data := l.bytes(t)
		mt := types.OCIUncompressedLayer
		if l.gzip {
			mt = types.OCILayer
		}
		m.Layers = append(m.Layers, v1.Descriptor{MediaType: mt, Size: int64(len(data)), Digest: f.blob(data)})
	}
	cfgData, cfgHash := f.json(t, cfg)
	m.Config = v1.Descriptor{MediaType: types.OCIConfigJSON, Size: int64(len(cfgData)), Digest: cfgHash}
	mData, mHash := f.json(t, m)
	return v1.Descriptor{MediaType: types.OCIManifestSchema1, Size: int64(len(mData)), Digest: mHash, Platform: img.platform}, cfgHash
}

// index writes an index of the given manifests as a blob and returns its descriptor.
func (f files) index(t testing.TB, ds ...v1.Descriptor) v1.Descriptor {
	t.Helper()
	data, h := f.json(t, v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Manifests: ds})
	return v1.Descriptor{MediaType: types.OCIImageIndex, Size: int64(len(data)), Digest: h}
}

// layout makes the files an OCI layout whose index.json lists ds.
func (f files) layout(t testing.TB, ds ...v1.Descriptor) files {
	t.Helper()
	f["oci-layout"] = []byte(`{"imageLayoutVersion":"1.0.0"}`)
	data, err := json.Marshal(v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Manifests: ds})
	if err != nil {
		t.Fatal(err)
	}
	f["index.json"] = data
	return f
}

// writeDir writes the files as a directory and returns its path.
func (f files) writeDir(t testing.TB) string {
	t.Helper()
	root := t.TempDir()
	for name, data := range f {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// writeTar writes the files as a tar archive and returns its path.
func (f files) writeTar(t testing.TB) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "image.tar")
	out, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(out)
	names := make([]string, 0, len(f))
	for n := range f {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(f[n])), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(f[n])
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// dockerManifest is docker save's manifest.json.
type dockerManifest struct {
	Config   string
	RepoTags []string
	Layers   []string
}

// legacyDockerSave builds an archive as docker save wrote it before Docker 25: manifest.json, the config as
// <id>.json and each layer as <id>/layer.tar.
func legacyDockerSave(t testing.TB, img image, tags []string) files {
	t.Helper()
	f := files{}
	cfg := v1.ConfigFile{OS: "linux", Architecture: "amd64", Config: img.config}
	for _, h := range img.history {
		cfg.History = append(cfg.History, v1.History{CreatedBy: h})
	}
	cfgData, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(cfgData)
	id := hex.EncodeToString(sum[:])
	f[id+".json"] = cfgData
	m := dockerManifest{Config: id + ".json", RepoTags: tags}
	for i, l := range img.layers {
		name := hex.EncodeToString([]byte{byte(i)}) + "/layer.tar"
		f[name] = l.bytes(t)
		m.Layers = append(m.Layers, name)
	}
	data, _ := json.Marshal([]dockerManifest{m})
	f["manifest.json"] = data
	return f
}
