package cli

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/ecsaudit/ecsaudit/internal/imagefile"
	"github.com/ecsaudit/ecsaudit/internal/load"
	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// imageInputs holds what a scan read besides load's JSON shapes: images from image files, and image configs from
// docker image inspect output.
type imageInputs struct {
	maxBytes  int64
	settings  *rule.Settings
	contents  []*model.ImageContents
	inspected []load.InspectedImage
}

// isImageFile reports whether a file found while walking a directory is an image archive: a .tar (any case) whose
// members say so. Other tar files are skipped, as other non-JSON files are.
func isImageFile(p string, d fs.DirEntry) bool {
	return !d.IsDir() && strings.EqualFold(filepath.Ext(p), ".tar") && imagefile.IsArchive(p)
}

// isImageInput reports whether a path is read as an image: an OCI layout directory, or an image archive.
func isImageInput(p string, dir bool) bool {
	if dir {
		return imagefile.IsLayoutDir(p)
	}
	// A .json file is never an archive: spare the JSON inputs a look at their first bytes as a tar header.
	return !strings.EqualFold(filepath.Ext(p), ".json") && imagefile.IsArchive(p)
}

// readImage reads the images of one image file or layout directory.
func (in *imageInputs) readImage(p string) error {
	imgs, err := imagefile.Read(p, imagefile.Options{MaxBytes: in.maxBytes, Settings: in.settings})
	if err != nil {
		return fmt.Errorf("%s: %v", p, unwrapPathErr(err))
	}
	in.contents = append(in.contents, imgs...)
	return nil
}

// addInspect keeps docker image inspect output; ok is false when data is some other input.
func (in *imageInputs) addInspect(p string, data []byte) bool {
	imgs, ok := load.ReadDockerInspect(p, data)
	if ok {
		in.inspected = append(in.inspected, imgs...)
	}
	return ok
}

// link gives the task definitions their images' users, and returns the image resources.
func (in *imageInputs) link(tasks []*model.TaskDefinition) []model.Resource {
	load.LinkImageUsers(tasks, append(load.ImagesOf(in.contents), in.inspected...))
	out := make([]model.Resource, 0, len(in.contents))
	for _, c := range in.contents {
		out = append(out, c)
	}
	return out
}
