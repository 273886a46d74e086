package taskdef

import (
	"fmt"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// imageUser judges a container that sets no user by the USER of its image's config, given beside the task
// definition (an image file, or docker image inspect output): what the container really runs as.
func imageUser(container string, img model.ImageUser, path string) rule.Result {
	u := parseLinuxUser(&img.User)
	if !u.set {
		return fail(fmt.Sprintf("container %q sets no user, and its image (read from %s) sets no USER either, so it runs as root",
			container, img.Source), path)
	}
	if u.root {
		return fail(fmt.Sprintf("container %q sets no user, so it runs as its image's USER %q (read from %s), which is root",
			container, img.User, img.Source), path)
	}
	return pass(fmt.Sprintf("container %q sets no user, so it runs as its image's USER %q (read from %s), which is not root",
		container, img.User, img.Source))
}
