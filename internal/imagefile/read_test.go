package imagefile

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	it "github.com/ecsaudit/ecsaudit/internal/testenv/imagetest"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

// Planted secrets: no output may contain "PLANTED" (nor "Planted").
const (
	plantedKey   = "-----BEGIN RSA PRIVATE KEY-----\nMIIEPLANTEDKEYBODY\n-----END RSA PRIVATE KEY-----\n"
	plantedAWS   = "[default]\naws_access_key_id = AKIAPLANTED123456789\naws_secret_access_key = PLANTEDsecretValue0123\n"
	plantedNpmrc = "//registry.npmjs.org/:_authToken=PLANTED-npm-token-0123\n"
	plantedEnv   = "PORT=8080\nDB_PASSWORD=PlantedPw-9x7Qz\nLOG_LEVEL=debug\n"
)

// kitchenSink is one image with every case the filesystem rules meet, in gzip and plain layers.
func kitchenSink() it.Image {
	return it.Image{
		Config: v1.Config{User: "1000", Env: []string{"PATH=/usr/bin"}},
		Layers: []it.Layer{
			{Gzip: true, Entries: []it.Entry{
				it.Dir("bin/"), it.File("bin/sh", 0o755, "elf"), it.File("bin/busybox", 0o755, "elf"),
				it.Dir("usr/bin/"), it.File("usr/bin/passwd", 0o4755, "elf"), it.File("usr/bin/su", 0o4755, "elf"),
				it.File("usr/bin/wall", 0o2755, "elf"), it.File("usr/local/bin/curl", 0o755, "elf"),
				it.Dir("opt/app/"), it.File("opt/app/helper", 0o6755, "elf"),
				it.File("root/.ssh/id_rsa", 0o600, plantedKey),
				it.File("usr/lib/python3/site-packages/tests/key.pem", 0o644, plantedKey),
				it.File("etc/ssl/certs/ca.pem", 0o644, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
			}},
			{Entries: []it.Entry{
				// passwd loses its bit, the secret is deleted, the shell directory goes, /opt/app is made opaque.
				it.File("usr/bin/passwd", 0o755, "elf"),
				it.Whiteout("root/.ssh/.wh.id_rsa"),
				it.Whiteout(".wh.bin"),
				it.Whiteout("opt/app/.wh..wh..opq"), it.File("opt/app/run", 0o755, "elf"),
				it.File("home/app/.aws/credentials", 0o600, plantedAWS),
				it.File("home/app/.npmrc", 0o600, plantedNpmrc),
				it.File("srv/.env", 0o600, plantedEnv),
				it.File("srv/.env.example", 0o644, "DB_PASSWORD=${DB_PASSWORD}\n"),
			}},
			{Zstd: true, Entries: []it.Entry{
				// A shell brought back under a new name in a standard path, and a hard link to a setuid file.
				it.Symlink("usr/bin/sh", "/usr/bin/dash"), it.File("usr/bin/dash", 0o755, "elf"),
				{Name: "usr/bin/su2", Type: '1', Link: "usr/bin/su"},
			}},
		},
	}
}

func wantKitchenSink(img *model.ImageContents) *model.ImageContents {
	want := *img
	want.SetuidFiles = []model.FileMode{{Path: "/usr/bin/su", Mode: 0o4755}, {Path: "/usr/bin/su2", Mode: 0o4755}, {Path: "/usr/bin/wall", Mode: 0o2755}}
	want.Shells = []string{"/usr/bin/dash", "/usr/bin/sh", "/usr/local/bin/curl"}
	want.CredentialFiles = []model.CredentialFile{
		{Layer: 0, Path: "/root/.ssh/id_rsa", What: "a private key", Deleted: true},
		{Layer: 1, Path: "/home/app/.aws/credentials", What: "an AWS credentials file with a secret access key"},
		{Layer: 1, Path: "/home/app/.npmrc", What: "an npm registry token"},
		{Layer: 1, Path: "/srv/.env", What: "a .env file with credential values (DB_PASSWORD)"},
	}
	return &want
}

func TestReadLayoutAndArchives(t *testing.T) {
	build := func(t *testing.T) (it.Files, v1.Descriptor, v1.Hash) {
		f := it.Files{}
		d, cfg := f.Add(t, kitchenSink())
		d.Annotations = map[string]string{annotationContainerdRef: "registry.example.com/team/app:1.2", annotationRefName: "1.2"}
		return f.Layout(t, d), d, cfg
	}
	tests := []struct {
		name string
		path func(t *testing.T) (string, string)
	}{
		{"OCI layout directory", func(t *testing.T) (string, string) {
			f, d, _ := build(t)
			return f.WriteDir(t), d.Digest.String()
		}},
		{"OCI layout in a tar", func(t *testing.T) (string, string) {
			f, d, _ := build(t)
			return f.WriteTar(t), d.Digest.String()
		}},
		{"docker save, Docker 25+", func(t *testing.T) (string, string) {
			f, d, cfg := build(t)
			m := []it.DockerManifest{{Config: "blobs/sha256/" + cfg.Hex, RepoTags: []string{"registry.example.com/team/app:latest"}}}
			f["manifest.json"], _ = json.Marshal(m)
			return f.WriteTar(t), d.Digest.String()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, digest := tt.path(t)
			imgs, err := Read(p, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(imgs) != 1 {
				t.Fatalf("got %d images, want 1", len(imgs))
			}
			img := imgs[0]
			if img.Digest != digest || img.Platform != "linux/amd64" || img.Config.User != "1000" || img.Source != p {
				t.Errorf("digest %s platform %s user %q source %s", img.Digest, img.Platform, img.Config.User, img.Source)
			}
			if img.Layers != 3 || img.LayersRead != 3 || img.Incomplete != "" || img.BytesRead == 0 {
				t.Errorf("layers %d read %d incomplete %q bytes %d", img.Layers, img.LayersRead, img.Incomplete, img.BytesRead)
			}
			if !strings.HasPrefix(img.Tags[0], "registry.example.com/team/app:") || img.Repository() != "registry.example.com/team/app" {
				t.Errorf("tags %v", img.Tags)
			}
			want := wantKitchenSink(img)
			if !reflect.DeepEqual(img.SetuidFiles, want.SetuidFiles) {
				t.Errorf("setuid %v, want %v", img.SetuidFiles, want.SetuidFiles)
			}
			if !reflect.DeepEqual(img.Shells, want.Shells) {
				t.Errorf("shells %v, want %v", img.Shells, want.Shells)
			}
			if !reflect.DeepEqual(img.CredentialFiles, want.CredentialFiles) {
				t.Errorf("credential files %+v, want %+v", img.CredentialFiles, want.CredentialFiles)
			}
			noPlanted(t, img)
		})
	}
}

func noPlanted(t *testing.T, v any) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if s := strings.ToUpper(string(data)); strings.Contains(s, "PLANTED") {
		t.Errorf("a planted secret reached the output: %s", data)
	}
}

func TestReadMultiPlatform(t *testing.T) {
	f := it.Files{}
	amd, amdCfg := f.Add(t, it.Image{Config: v1.Config{User: "app"}, Platform: &v1.Platform{OS: "linux", Architecture: "amd64"},
		Layers: []it.Layer{{Entries: []it.Entry{it.File("bin/sh", 0o755, "elf")}}}})
	arm, _ := f.Add(t, it.Image{Platform: &v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"},
		Layers: []it.Layer{{Gzip: true, Entries: []it.Entry{it.File("usr/bin/passwd", 0o4755, "elf")}}}})
	att, _ := f.Add(t, it.Image{Platform: &v1.Platform{OS: "unknown", Architecture: "unknown"},
		Layers: []it.Layer{{Entries: []it.Entry{it.File("sbom.json", 0o644, "{}")}}}})
	att.Annotations = map[string]string{annotationRefType: "attestation-manifest", "vnd.docker.reference.digest": amd.Digest.String()}
	nested := f.Index(t, amd, arm, att)
	nested.Annotations = map[string]string{annotationContainerdRef: "docker.io/library/app:2", annotationRefName: "2"}
	f.Layout(t, nested)
	// docker save of a multi-platform image lists only the platform pulled in manifest.json.
	f["manifest.json"], _ = json.Marshal([]it.DockerManifest{{Config: "blobs/sha256/" + amdCfg.Hex, RepoTags: []string{"app:2"}}})
	// A platform the index lists but the archive does not hold (docker save of an image pulled for one platform).
	absent, _ := (it.Files{}).Add(t, it.Image{Platform: &v1.Platform{OS: "linux", Architecture: "s390x"}})
	nested = f.Index(t, amd, arm, att, absent)
	nested.Annotations = map[string]string{annotationContainerdRef: "docker.io/library/app:2", annotationRefName: "2"}
	f.Layout(t, nested)
	imgs, err := Read(f.WriteTar(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, img := range imgs {
		got = append(got, img.Platform+" "+img.Digest+" "+strings.Join(img.Tags, ","))
	}
	want := []string{
		"linux/amd64 " + amd.Digest.String() + " app:2,docker.io/library/app:2",
		"linux/arm64/v8 " + arm.Digest.String() + " docker.io/library/app:2",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("images:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(imgs[0].Shells) != 1 || len(imgs[1].SetuidFiles) != 1 || len(imgs[0].SetuidFiles) != 0 {
		t.Errorf("per-platform facts mixed up: %+v / %+v", imgs[0], imgs[1])
	}
}

func TestReadLegacyDockerSave(t *testing.T) {
	img := kitchenSink()
	img.Config.Env = append(img.Config.Env, "API_TOKEN=PLANTED-token-value")
	img.History = []string{"/bin/sh -c #(nop) ADD file:abc in /", "RUN curl -u admin:PLANTEDpw https://example.com/x"}
	p := it.LegacyDockerSave(t, img, []string{"app:legacy"}).WriteTar(t)
	imgs, err := Read(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(imgs) != 1 || !strings.HasPrefix(imgs[0].Digest, "sha256:") || imgs[0].Tags[0] != "app:legacy" {
		t.Fatalf("got %+v", imgs)
	}
	got := imgs[0]
	want := wantKitchenSink(got)
	if !reflect.DeepEqual(got.SetuidFiles, want.SetuidFiles) || !reflect.DeepEqual(got.Shells, want.Shells) ||
		!reflect.DeepEqual(got.CredentialFiles, want.CredentialFiles) {
		t.Errorf("facts differ from the OCI layout's: %+v", got)
	}
	if len(got.Config.History) != 2 || len(got.Config.Env) != 2 {
		t.Errorf("config %+v", got.Config)
	}
}

func TestReadBudget(t *testing.T) {
	f := it.Files{}
	big := strings.Repeat("x", 64<<10)
	d, _ := f.Add(t, it.Image{Layers: []it.Layer{
		{Entries: []it.Entry{it.File("data/a", 0o644, big)}},
		{Entries: []it.Entry{it.File("usr/bin/passwd", 0o4755, "elf")}},
	}})
	p := f.Layout(t, d).WriteDir(t)
	imgs, err := Read(p, Options{MaxBytes: 32 << 10})
	if err != nil {
		t.Fatal(err)
	}
	img := imgs[0]
	if img.Incomplete == "" || img.LayersRead != 0 || img.BytesRead != 32<<10 || len(img.SetuidFiles) != 0 {
		t.Errorf("incomplete %q, layers read %d, bytes %d, setuid %v", img.Incomplete, img.LayersRead, img.BytesRead, img.SetuidFiles)
	}
	imgs, err = Read(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if imgs[0].Incomplete != "" || imgs[0].LayersRead != 2 || len(imgs[0].SetuidFiles) != 1 {
		t.Errorf("without a budget: %+v", imgs[0])
	}
}

func TestReadErrors(t *testing.T) {
	f := it.Files{"index.json": []byte(`{"manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:` +
		strings.Repeat("0", 64) + `"}]}`)}
	if _, err := Read(f.WriteTar(t), Options{}); err == nil || !strings.Contains(err.Error(), "manifest sha256:000") {
		t.Errorf("missing manifest blob: %v", err)
	}
	if _, err := Read(it.Files{"x.txt": []byte("hi")}.WriteTar(t), Options{}); err == nil {
		t.Error("a tar without index.json or manifest.json read without error")
	}
	if _, err := Read(it.Files{"index.json": []byte(`{`)}.WriteDir(t), Options{}); err == nil || !strings.Contains(err.Error(), "decode index.json") {
		t.Errorf("broken index.json: %v", err)
	}
	// A layer that is not a tar leaves the image incomplete rather than failing the file.
	g := it.Files{}
	d, _ := g.Add(t, it.Image{Layers: []it.Layer{{Entries: []it.Entry{it.File("a", 0o644, "a")}}}})
	g["blobs/sha256/"+mustManifest(t, g, d).Layers[0].Digest.Hex] = []byte("not a tar at all, not even close......")
	imgs, err := Read(g.Layout(t, d).WriteDir(t), Options{})
	if err != nil || imgs[0].Incomplete == "" {
		t.Errorf("bad layer: %v, %+v", err, imgs)
	}
}

func mustManifest(t *testing.T, f it.Files, d v1.Descriptor) *v1.Manifest {
	t.Helper()
	var m v1.Manifest
	if err := json.Unmarshal(f["blobs/sha256/"+d.Digest.Hex], &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

func TestSniff(t *testing.T) {
	f := it.Files{}
	d, _ := f.Add(t, it.Image{Layers: []it.Layer{{Entries: []it.Entry{it.File("a", 0o644, "a")}}}})
	f.Layout(t, d)
	if dir := f.WriteDir(t); !IsLayoutDir(dir) {
		t.Error("layout directory not recognised")
	}
	if !IsArchive(f.WriteTar(t)) {
		t.Error("layout tar not recognised")
	}
	if IsArchive(it.Files{"a.json": []byte("{}")}.WriteTar(t)) {
		t.Error("a tar of JSON files taken for an image archive")
	}
	if IsLayoutDir(t.TempDir()) {
		t.Error("an empty directory taken for a layout")
	}
}
