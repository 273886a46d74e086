package imagefile

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// store gives the files of an image layout or archive by their slash path inside it ("index.json",
// "blobs/sha256/<hex>", "<id>/layer.tar"). A directory is one store; a tar archive is another, read in place: its
// members are found once by their headers, then each is read from its own offset, never copied out.
type store interface {
	// open returns the named file; fs.ErrNotExist when there is none.
	open(name string) (io.ReadCloser, error)
	// has reports whether the named file exists.
	has(name string) bool
	close() error
}

// dirStore is an OCI image layout directory.
type dirStore struct{ root string }

func (d dirStore) open(name string) (io.ReadCloser, error) {
	if !fs.ValidPath(name) {
		return nil, fmt.Errorf("%q: not a path inside the layout", name)
	}
	return os.Open(filepath.Join(d.root, filepath.FromSlash(name)))
}

func (d dirStore) has(name string) bool {
	if !fs.ValidPath(name) {
		return false
	}
	st, err := os.Stat(filepath.Join(d.root, filepath.FromSlash(name)))
	return err == nil && st.Mode().IsRegular()
}

func (dirStore) close() error { return nil }

// member is where one regular file of a tar archive lies in it, or the member a symbolic link points to.
type member struct {
	offset, size int64
	link         string
}

// tarStore is a tar archive (a docker save archive, or an OCI layout packed in a tar) read in place.
type tarStore struct {
	f       *os.File
	members map[string]member
}

// maxMembers bounds the members an archive may have: a docker save archive holds a few per layer.
const maxMembers = 1 << 20

// openTar indexes the members of the tar archive at p. The tar reader skips each member's content with a seek, so
// indexing reads the headers only.
func openTar(p string) (*tarStore, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	s := &tarStore{f: f, members: map[string]member{}}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("read tar archive: %w", err)
		}
		if len(s.members) >= maxMembers {
			f.Close()
			return nil, fmt.Errorf("read tar archive: more than %d members", maxMembers)
		}
		name := cleanMember(h.Name)
		switch h.Typeflag {
		case tar.TypeReg:
			// tar.Reader reads headers without buffering ahead, so the file offset is where the content starts.
			off, err := f.Seek(0, io.SeekCurrent)
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("read tar archive: %w", err)
			}
			s.members[name] = member{offset: off, size: h.Size}
		case tar.TypeSymlink, tar.TypeLink:
			target := h.Linkname
			if h.Typeflag == tar.TypeSymlink && !strings.HasPrefix(target, "/") {
				target = path.Join(path.Dir(name), target)
			}
			s.members[name] = member{link: cleanMember(target)}
		}
	}
	if len(s.members) == 0 {
		f.Close()
		return nil, errors.New("read tar archive: no files in it")
	}
	return s, nil
}

func cleanMember(name string) string {
	return strings.TrimPrefix(path.Clean("/"+name), "/")
}

func (s *tarStore) lookup(name string) (member, bool) {
	name = cleanMember(name)
	for range 8 { // links to links, a few deep
		m, ok := s.members[name]
		if !ok || m.link == "" {
			return m, ok
		}
		name = m.link
	}
	return member{}, false
}

func (s *tarStore) open(name string) (io.ReadCloser, error) {
	m, ok := s.lookup(name)
	if !ok {
		return nil, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
	}
	return io.NopCloser(io.NewSectionReader(s.f, m.offset, m.size)), nil
}

func (s *tarStore) has(name string) bool {
	_, ok := s.lookup(name)
	return ok
}

func (s *tarStore) close() error { return s.f.Close() }

// IsLayoutDir reports whether dir is an OCI image layout: it has an oci-layout file and an index.json.
func IsLayoutDir(dir string) bool {
	d := dirStore{root: dir}
	return d.has("oci-layout") && d.has("index.json")
}

// IsArchive reports whether the file at p is a tar archive of images: one whose first members include a docker
// save manifest.json, or an OCI layout's oci-layout or index.json. It reads tar headers only, and stops at the
// first header that is not one.
func IsArchive(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for range 64 {
		h, err := tr.Next()
		if err != nil {
			return false
		}
		switch cleanMember(h.Name) {
		case "manifest.json", "index.json", "oci-layout":
			return true
		}
	}
	// An archive lists its blobs first in some writers: look the whole index up.
	s, err := openTar(p)
	if err != nil {
		return false
	}
	defer s.close()
	return s.has("manifest.json") || s.has("index.json")
}
