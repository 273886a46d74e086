// Package registry runs an OCI distribution registry in process, on loopback, that demands what ECR demands: HTTP
// Basic authentication with user AWS and a password ECR's GetAuthorizationToken issued (here: the emulator's shim).
// Anything else gets 401 with a Basic challenge, as ECR answers. The registry itself is go-containerregistry's.
package registry

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	ggcr "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Registry is a running test registry.
type Registry struct {
	// URL is its base URL ("http://127.0.0.1:port"); Host its host:port.
	URL, Host string
	srv       *httptest.Server
	// Refused counts requests answered 401; Served the others.
	Refused, Served atomic.Int64
	// BlobBytes counts the bytes of blobs (configs and layers) served.
	BlobBytes atomic.Int64
}

// Start starts a registry that accepts the credentials valid approves (the shim's RegistryTokenValid) and stops
// it when the test ends.
func Start(t testing.TB, valid func(user, password string) bool) *Registry {
	t.Helper()
	r := New(valid)
	t.Cleanup(r.Close)
	return r
}

// New starts a registry that accepts the credentials valid approves; Close stops it.
func New(valid func(user, password string) bool) *Registry {
	inner := ggcr.New(ggcr.Logger(log.New(io.Discard, "", 0)))
	r := &Registry{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		user, pass, ok := req.BasicAuth()
		if !ok || !valid(user, pass) {
			r.Refused.Add(1)
			w.Header().Set("WWW-Authenticate", `Basic realm="ecsaudit test registry"`)
			http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"not authorized"}]}`, http.StatusUnauthorized)
			return
		}
		r.Served.Add(1)
		if req.Method == http.MethodGet && strings.Contains(req.URL.Path, "/blobs/") {
			w = &countingWriter{ResponseWriter: w, n: &r.BlobBytes}
		}
		inner.ServeHTTP(w, req)
	}))
	r.URL = r.srv.URL
	r.Host = strings.TrimPrefix(r.srv.URL, "http://")
	return r
}

// Close stops the registry.
func (r *Registry) Close() { r.srv.Close() }

type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// File is one file of a test layer: a regular file with its mode, or a whiteout when Delete is set.
type File struct {
	Path    string
	Mode    int64
	Content string
	Delete  bool
}

// Image builds an image of the given layers (each a list of files, written as a gzip tar layer) with the config's
// user, for linux/amd64; a build error fails the test.
func Image(t testing.TB, user string, layers ...[]File) v1.Image {
	t.Helper()
	img, err := BuildImage(user, layers...)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// BuildImage is Image without a test: the same files give the same image, digest included.
func BuildImage(user string, layers ...[]File) (v1.Image, error) {
	img := empty.Image
	for i, files := range layers {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		for _, f := range files {
			p := f.Path
			content := f.Content
			if f.Delete {
				dir, base := "", p
				if k := strings.LastIndex(p, "/"); k >= 0 {
					dir, base = p[:k+1], p[k+1:]
				}
				p, content = dir+".wh."+base, ""
			}
			mode := f.Mode
			if mode == 0 {
				mode = 0o644
			}
			h := &tar.Header{Name: p, Mode: mode, Size: int64(len(content)), Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0)}
			if err := tw.WriteHeader(h); err != nil {
				return nil, fmt.Errorf("layer %d: %w", i, err)
			}
			if _, err := tw.Write([]byte(content)); err != nil {
				return nil, fmt.Errorf("layer %d: %w", i, err)
			}
		}
		if err := tw.Close(); err != nil {
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
		data := buf.Bytes()
		l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
		if err != nil {
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
		if img, err = mutate.AppendLayers(img, l); err != nil {
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture, cfg.Config.User = "linux", "amd64", user
	cfg.Created = v1.Time{Time: time.Unix(0, 0).UTC()}
	return mutate.ConfigFile(img, cfg)
}

// Push writes img to repository (a path such as "web") in the registry with user AWS and password, and returns its
// manifest digest and raw manifest: what a docker push to ECR gives, and what ECR's PutImage records. An error
// fails the test.
func (r *Registry) Push(t testing.TB, repository string, img v1.Image, password string) (digest string, manifest []byte) {
	t.Helper()
	digest, manifest, err := r.PushImage(context.Background(), repository, img, password)
	if err != nil {
		t.Fatal(err)
	}
	return digest, manifest
}

// PushImage is Push without a test.
func (r *Registry) PushImage(ctx context.Context, repository string, img v1.Image, password string) (digest string, manifest []byte, err error) {
	ref, err := name.ParseReference(r.Host + "/" + repository + ":latest")
	if err != nil {
		return "", nil, err
	}
	auth := authn.FromConfig(authn.AuthConfig{Username: "AWS", Password: password})
	if err := remote.Write(ref, img, remote.WithAuth(auth), remote.WithContext(ctx)); err != nil {
		return "", nil, fmt.Errorf("push %s: %w", ref, err)
	}
	d, err := img.Digest()
	if err != nil {
		return "", nil, err
	}
	m, err := img.RawManifest()
	if err != nil {
		return "", nil, err
	}
	return d.String(), m, nil
}
