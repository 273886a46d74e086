// Package imagetest builds Image Files for tests with archive/tar: layers, configs, manifests and indexes, written
// as an OCI layout directory, an OCI layout in a tar, a Docker 25+ docker save archive (both) or an older one.
package imagetest

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
	"github.com/klauspost/compress/zstd"
)

// Entry is one member of a layer.
type Entry struct {
	Name string
	Mode int64
	Type byte // tar.TypeReg when zero
	Body string
	Link string
}

// File is a regular file.
func File(name string, mode int64, body string) Entry {
	return Entry{Name: name, Mode: mode, Body: body}
}

// Dir is a directory.
func Dir(name string) Entry { return Entry{Name: name, Mode: 0o755, Type: tar.TypeDir} }

// Symlink is a symbolic link.
func Symlink(name, target string) Entry {
	return Entry{Name: name, Type: tar.TypeSymlink, Link: target}
}

// Whiteout is a whiteout file (.wh.<name>, or .wh..wh..opq for an opaque directory).
func Whiteout(name string) Entry { return File(name, 0o644, "") }

// Layer is a layer's entries and whether it is gzip-compressed.
type Layer struct {
	Entries []Entry
	Gzip    bool
	// Zstd compresses the layer with zstd instead (BuildKit's compression=zstd).
	Zstd bool
}

// Bytes returns the layer as its blob: a tar, gzip-compressed when Gzip is set.
func (l Layer) Bytes(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range l.Entries {
		typ := e.Type
		if typ == 0 {
			typ = tar.TypeReg
		}
		h := &tar.Header{Name: e.Name, Mode: e.Mode, Typeflag: typ, Linkname: e.Link, Format: tar.FormatPAX}
		if typ == tar.TypeReg {
			h.Size = int64(len(e.Body))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if typ == tar.TypeReg {
			if _, err := tw.Write([]byte(e.Body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if l.Zstd {
		zw, err := zstd.NewWriter(nil)
		if err != nil {
			t.Fatal(err)
		}
		defer zw.Close()
		return zw.EncodeAll(buf.Bytes(), nil)
	}
	if !l.Gzip {
		return buf.Bytes()
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(buf.Bytes())
	zw.Close()
	return z.Bytes()
}

// Image is one platform's image to build.
type Image struct {
	Config      v1.Config
	History     []string
	Layers      []Layer
	Platform    *v1.Platform
	Annotations map[string]string
}

// Files is an image file being built: paths inside the layout or archive and their content.
type Files map[string][]byte

// Blob stores data as a blob and returns its digest.
func (f Files) Blob(data []byte) v1.Hash {
	sum := sha256.Sum256(data)
	h := v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
	f["blobs/sha256/"+h.Hex] = data
	return h
}

// JSON stores v encoded as a blob and returns the encoding and its digest.
func (f Files) JSON(t testing.TB, v any) ([]byte, v1.Hash) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data, f.Blob(data)
}

// Add writes the Image's blobs and returns its manifest's descriptor and its config's digest.
func (f Files) Add(t testing.TB, img Image) (v1.Descriptor, v1.Hash) {
	t.Helper()
	cfg := v1.ConfigFile{OS: "linux", Architecture: "amd64", Config: img.Config, RootFS: v1.RootFS{Type: "layers"}}
	if img.Platform != nil {
		cfg.OS, cfg.Architecture, cfg.Variant = img.Platform.OS, img.Platform.Architecture, img.Platform.Variant
	}
	for _, h := range img.History {
		cfg.History = append(cfg.History, v1.History{CreatedBy: h})
	}
	m := v1.Manifest{SchemaVersion: 2, MediaType: types.OCIManifestSchema1, Annotations: img.Annotations}
	for _, l := range img.Layers {
		data := l.Bytes(t)
		mt := types.OCIUncompressedLayer
		if l.Gzip {
			mt = types.OCILayer
		}
		if l.Zstd {
			mt = types.OCILayerZStd
		}
		m.Layers = append(m.Layers, v1.Descriptor{MediaType: mt, Size: int64(len(data)), Digest: f.Blob(data)})
	}
	cfgData, cfgHash := f.JSON(t, cfg)
	m.Config = v1.Descriptor{MediaType: types.OCIConfigJSON, Size: int64(len(cfgData)), Digest: cfgHash}
	mData, mHash := f.JSON(t, m)
	return v1.Descriptor{MediaType: types.OCIManifestSchema1, Size: int64(len(mData)), Digest: mHash, Platform: img.Platform}, cfgHash
}

// Index writes an index of the given manifests as a blob and returns its descriptor.
func (f Files) Index(t testing.TB, ds ...v1.Descriptor) v1.Descriptor {
	t.Helper()
	data, h := f.JSON(t, v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Manifests: ds})
	return v1.Descriptor{MediaType: types.OCIImageIndex, Size: int64(len(data)), Digest: h}
}

// Layout makes the Files an OCI layout whose index.json lists ds.
func (f Files) Layout(t testing.TB, ds ...v1.Descriptor) Files {
	t.Helper()
	f["oci-layout"] = []byte(`{"imageLayoutVersion":"1.0.0"}`)
	data, err := json.Marshal(v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Manifests: ds})
	if err != nil {
		t.Fatal(err)
	}
	f["index.json"] = data
	return f
}

// WriteDir writes the Files as a directory and returns its path.
func (f Files) WriteDir(t testing.TB) string {
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

// WriteTar writes the Files as a tar archive and returns its path.
func (f Files) WriteTar(t testing.TB) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "Image.tar")
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

// DockerManifest is docker save's manifest.json.
type DockerManifest struct {
	Config   string
	RepoTags []string
	Layers   []string
}

// LegacyDockerSave builds an archive as docker save wrote it before Docker 25: manifest.json, the config as
// <id>.json and each Layer as <id>/Layer.tar.
func LegacyDockerSave(t testing.TB, img Image, tags []string) Files {
	t.Helper()
	f := Files{}
	cfg := v1.ConfigFile{OS: "linux", Architecture: "amd64", Config: img.Config}
	for _, h := range img.History {
		cfg.History = append(cfg.History, v1.History{CreatedBy: h})
	}
	cfgData, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(cfgData)
	id := hex.EncodeToString(sum[:])
	f[id+".json"] = cfgData
	m := DockerManifest{Config: id + ".json", RepoTags: tags}
	for i, l := range img.Layers {
		name := hex.EncodeToString([]byte{byte(i)}) + "/Layer.tar"
		f[name] = l.Bytes(t)
		m.Layers = append(m.Layers, name)
	}
	data, _ := json.Marshal([]DockerManifest{m})
	f["manifest.json"] = data
	return f
}
