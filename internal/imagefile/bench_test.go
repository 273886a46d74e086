package imagefile

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// BenchmarkImageRead reads OCI layouts with 10 MB and 100 MB of incompressible plain tar layers (and 1 GB with
// ECSAUDIT_BENCH_LARGE=1, as make bench-image sets), built in a temporary directory, and reports bytes read per
// image and the peak heap in use while reading.
func BenchmarkImageRead(b *testing.B) {
	sizes := []int64{10 << 20, 100 << 20}
	if os.Getenv("ECSAUDIT_BENCH_LARGE") != "" {
		sizes = append(sizes, 1<<30)
	}
	for _, size := range sizes {
		b.Run(fmt.Sprintf("%dMB", size>>20), func(b *testing.B) {
			dir := buildLargeLayout(b, size)
			b.SetBytes(size)
			runtime.GC()
			var peak atomic.Uint64
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { // sample the heap in use while the image is read
				defer wg.Done()
				var ms runtime.MemStats
				t := time.NewTicker(2 * time.Millisecond)
				defer t.Stop()
				for {
					runtime.ReadMemStats(&ms)
					if ms.HeapInuse > peak.Load() {
						peak.Store(ms.HeapInuse)
					}
					select {
					case <-stop:
						return
					case <-t.C:
					}
				}
			}()
			b.ResetTimer()
			var read int64
			for range b.N {
				imgs, err := Read(dir, Options{})
				if err != nil {
					b.Fatal(err)
				}
				if imgs[0].Incomplete != "" || len(imgs[0].SetuidFiles) != 1 {
					b.Fatalf("read %+v", imgs[0])
				}
				read = imgs[0].BytesRead
			}
			b.StopTimer()
			close(stop)
			wg.Wait()
			b.ReportMetric(float64(read), "bytes-read/op")
			b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
		})
	}
}

// buildLargeLayout writes an OCI layout whose layers (up to four, plain tar) hold size bytes of random data in
// 1 MiB files, and a setuid binary; each blob is hashed as it is written, never held in memory.
func buildLargeLayout(b *testing.B, size int64) string {
	b.Helper()
	dir := b.TempDir()
	blobs := filepath.Join(dir, "blobs", "sha256")
	if err := os.MkdirAll(blobs, 0o755); err != nil {
		b.Fatal(err)
	}
	rng := rand.NewChaCha8([32]byte{1})
	layers := 4
	if size < 64<<20 {
		layers = 1
	}
	var m v1.Manifest
	m.SchemaVersion, m.MediaType = 2, types.OCIManifestSchema1
	for l := range layers {
		tmp := filepath.Join(dir, fmt.Sprintf("layer%d", l))
		f, err := os.Create(tmp)
		if err != nil {
			b.Fatal(err)
		}
		h := sha256.New()
		cw := &countWriter{w: io.MultiWriter(f, h)}
		tw := tar.NewWriter(cw)
		per := size / int64(layers)
		const fileSize = 1 << 20
		for i := int64(0); i*fileSize < per; i++ {
			n := min(fileSize, per-i*fileSize)
			if err := tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("data/%d/%d.bin", l, i), Mode: 0o644, Size: n}); err != nil {
				b.Fatal(err)
			}
			if _, err := io.CopyN(tw, rng, n); err != nil {
				b.Fatal(err)
			}
		}
		if l == 0 {
			tw.WriteHeader(&tar.Header{Name: "usr/bin/su", Mode: 0o4755, Size: 3})
			tw.Write([]byte("elf"))
		}
		if err := tw.Close(); err != nil {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
		d := v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}
		if err := os.Rename(tmp, filepath.Join(blobs, d.Hex)); err != nil {
			b.Fatal(err)
		}
		m.Layers = append(m.Layers, v1.Descriptor{MediaType: types.OCIUncompressedLayer, Size: cw.n, Digest: d})
	}
	put := func(v any) v1.Descriptor {
		data, err := json.Marshal(v)
		if err != nil {
			b.Fatal(err)
		}
		h := sha256.Sum256(data)
		d := v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h[:])}
		if err := os.WriteFile(filepath.Join(blobs, d.Hex), data, 0o644); err != nil {
			b.Fatal(err)
		}
		return v1.Descriptor{Size: int64(len(data)), Digest: d}
	}
	cfg := put(v1.ConfigFile{OS: "linux", Architecture: "amd64", Config: v1.Config{User: "1000"}})
	cfg.MediaType = types.OCIConfigJSON
	m.Config = cfg
	md := put(m)
	md.MediaType = types.OCIManifestSchema1
	idx, _ := json.Marshal(v1.IndexManifest{SchemaVersion: 2, Manifests: []v1.Descriptor{md}})
	os.WriteFile(filepath.Join(dir, "index.json"), idx, 0o644)
	os.WriteFile(filepath.Join(dir, "oci-layout"), []byte(`{"imageLayoutVersion":"1.0.0"}`), 0o644)
	return dir
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
