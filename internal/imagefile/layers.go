package imagefile

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/klauspost/compress/zstd"

	"github.com/ecsaudit/ecsaudit/internal/model"
)

// errBudget stops reading an image whose layers exceed the byte budget.
var errBudget = errors.New("over the byte budget")

// budget counts the uncompressed bytes read from an image's layers and stops at its limit.
type budget struct {
	r    io.Reader
	left *int64
	read *int64
}

func (b budget) Read(p []byte) (int, error) {
	if *b.left <= 0 {
		return 0, errBudget
	}
	if int64(len(p)) > *b.left {
		p = p[:*b.left]
	}
	n, err := b.r.Read(p)
	*b.left -= int64(n)
	*b.read += int64(n)
	return n, err
}

// readLayers streams the layers in order, each once, and fills in the filesystem facts. It never fails: what it
// could not read it records in img.Incomplete.
func (r *reader) readLayers(img *model.ImageContents, layers []layerRef) {
	img.Layers = len(layers)
	left := r.opts.MaxBytes
	fsys := newFinalFS()
	for i, l := range layers {
		err := r.readLayer(i, l, fsys, budget{left: &left, read: &img.BytesRead})
		if errors.Is(err, errBudget) {
			img.Incomplete = fmt.Sprintf("the byte budget of %d bytes ran out in layer %d of %d", r.opts.MaxBytes, i+1, len(layers))
			break
		}
		if err != nil {
			img.Incomplete = fmt.Sprintf("layer %d of %d could not be read: %v", i+1, len(layers), err)
			break
		}
		img.LayersRead++
	}
	fsys.facts(img)
}

func (r *reader) readLayer(i int, l layerRef, fsys *finalFS, b budget) error {
	f, err := r.s.open(l.name)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	magic, _ := br.Peek(4)
	var plain io.Reader = br
	switch {
	case len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		plain = zr
	case bytes.Equal(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return fmt.Errorf("zstd: %w", err)
		}
		defer zr.Close()
		plain = zr
	}
	b.r = plain
	tr := tar.NewReader(b)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if err := fsys.add(i, h, tr, r); err != nil {
			return err
		}
	}
	// The rest of the layer (tar padding, a gzip trailer) counts too: a layer is read to its end.
	_, err = io.Copy(io.Discard, b)
	return err
}

// finalFS follows the paths the rules care about through the layers: setuid and setgid files, shells and network
// tools, credential files. Each map holds a path and the layer that last wrote it; a whiteout, an opaque directory
// or a later entry at the same path (or a parent turned into a file) removes it.
type finalFS struct {
	setuid map[string]fileAt
	shells map[string]fileAt
	creds  map[string]fileAt // the index of the credential file in found
	found  []model.CredentialFile
}

type fileAt struct {
	layer int
	mode  int64
	index int
}

func newFinalFS() *finalFS {
	return &finalFS{setuid: map[string]fileAt{}, shells: map[string]fileAt{}, creds: map[string]fileAt{}}
}

// remove drops p, and everything under it when under is set, from every map, for entries written by layers before
// the given one.
func (fsys *finalFS) remove(p string, under bool, before int) {
	for i, m := range []map[string]fileAt{fsys.setuid, fsys.shells, fsys.creds} {
		for k, v := range m {
			if v.layer >= before {
				continue
			}
			if k == p || (under && strings.HasPrefix(k, p+"/")) || p == "" {
				if i == 2 { // a credential file: still in its layer, gone from the final filesystem
					fsys.found[v.index].Deleted = true
				}
				delete(m, k)
			}
		}
	}
}

const (
	whiteoutPrefix = ".wh."
	opaqueMarker   = ".wh..wh..opq"
	modeSetuid     = 0o4000
	modeSetgid     = 0o2000
)

func (fsys *finalFS) add(layer int, h *tar.Header, content io.Reader, r *reader) error {
	name := cleanMember(h.Name)
	if name == "" {
		return nil
	}
	dir, base := path.Split(name)
	dir = strings.TrimSuffix(dir, "/")
	switch {
	case base == opaqueMarker:
		// The directory's content from lower layers is hidden; this layer's own entries stay.
		if dir == "" {
			fsys.remove("", true, layer)
		} else {
			fsys.remove(dir, true, layer)
		}
		return nil
	case strings.HasPrefix(base, whiteoutPrefix):
		fsys.remove(path.Join(dir, strings.TrimPrefix(base, whiteoutPrefix)), true, layer)
		return nil
	}
	// A new entry replaces what lower layers (or earlier in this layer) had at the path; a non-directory also
	// replaces a directory's whole content.
	fsys.remove(name, h.Typeflag != tar.TypeDir, layer+1)
	switch h.Typeflag {
	case tar.TypeReg: // the tar reader reports the old TypeRegA as TypeReg
		if h.Mode&(modeSetuid|modeSetgid) != 0 {
			fsys.setuid[name] = fileAt{layer: layer, mode: h.Mode}
		}
	case tar.TypeLink:
		if f, ok := fsys.setuid[cleanMember(h.Linkname)]; ok {
			fsys.setuid[name] = fileAt{layer: layer, mode: f.mode}
		}
	}
	if isShellPath(name) && (h.Typeflag == tar.TypeReg || h.Typeflag == tar.TypeSymlink || h.Typeflag == tar.TypeLink) {
		fsys.shells[name] = fileAt{layer: layer}
	}
	if h.Typeflag == tar.TypeReg {
		if what := judgeCredentialFile(name, h.Size, content, r.opts.Settings); what != "" {
			fsys.found = append(fsys.found, model.CredentialFile{Layer: layer, Path: "/" + name, What: what})
			fsys.creds[name] = fileAt{layer: layer, index: len(fsys.found) - 1}
		}
	}
	return nil
}

// facts writes what the final filesystem holds into img, in path order.
func (fsys *finalFS) facts(img *model.ImageContents) {
	for p, f := range fsys.setuid {
		img.SetuidFiles = append(img.SetuidFiles, model.FileMode{Path: "/" + p, Mode: f.mode & 0o7777})
	}
	sort.Slice(img.SetuidFiles, func(i, j int) bool { return img.SetuidFiles[i].Path < img.SetuidFiles[j].Path })
	for p := range fsys.shells {
		img.Shells = append(img.Shells, "/"+p)
	}
	sort.Strings(img.Shells)
	img.CredentialFiles = fsys.found
}

// shellNames are the interactive shells and network tools image.shell-present looks for.
var shellNames = map[string]bool{
	"sh": true, "bash": true, "ash": true, "dash": true, "busybox": true, "nc": true, "curl": true, "wget": true,
}

// shellDirs are the standard paths a shell or tool is looked up in.
var shellDirs = map[string]bool{
	"bin": true, "sbin": true, "usr/bin": true, "usr/sbin": true, "usr/local/bin": true, "usr/local/sbin": true,
}

func isShellPath(name string) bool {
	dir, base := path.Split(name)
	return shellNames[base] && shellDirs[strings.TrimSuffix(dir, "/")]
}

// FormatMode prints permission bits as ls does for the setuid and setgid bits ("4755").
func FormatMode(mode int64) string { return strconv.FormatInt(mode&0o7777, 8) }
