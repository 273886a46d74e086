package imagefile

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	it "github.com/ecsaudit/ecsaudit/internal/testenv/imagetest"
)

// FuzzReadLayer reads an image whose one layer, config or index.json is arbitrary bytes: never a panic, and a bad
// layer leaves the image incomplete rather than failing the file.
func FuzzReadLayer(f *testing.F) {
	f.Add([]byte{}, byte(0))
	f.Add(it.Layer{Entries: []it.Entry{it.File("usr/bin/su", 0o4755, "x"), it.Whiteout("usr/.wh..wh..opq")}}.Bytes(f), byte(0))
	f.Add(it.Layer{Gzip: true, Entries: []it.Entry{it.Symlink("bin/sh", "../../../etc"), it.File("a/.env", 0o644, "TOKEN=abc")}}.Bytes(f), byte(0))
	f.Add([]byte(`{"config":{"User":0}}`), byte(1))
	f.Add([]byte(`{"manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"sha256:00"}]}`), byte(2))
	f.Fuzz(readWithBadPart)
}

// readWithBadPart reads an image whose layer, config or index.json (by where) is data.
func readWithBadPart(t *testing.T, data []byte, where byte) {
	files := it.Files{}
	d, cfg := files.Add(t, it.Image{Layers: []it.Layer{{Entries: []it.Entry{it.File("a", 0o644, "a")}}}})
	files.Layout(t, d)
	var m v1.Manifest
	if err := json.Unmarshal(files["blobs/sha256/"+d.Digest.Hex], &m); err != nil {
		t.Fatal(err)
	}
	switch where % 3 {
	case 0:
		files["blobs/sha256/"+m.Layers[0].Digest.Hex] = data
	case 1:
		files["blobs/sha256/"+cfg.Hex] = data
	case 2:
		files["index.json"] = data
	}
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	imgs, err := Read(dir, Options{MaxBytes: 1 << 20})
	if where%3 == 0 && (err != nil || len(imgs) != 1) {
		t.Fatalf("a bad layer failed the file: %v", err)
	}
}
