package taskdef

import (
	"fmt"
	"strconv"
	"strings"
)

// linuxUser is a container's user setting read the way the catalog defines root: absent or empty, "root", "0",
// or "root:<group>" / "0:<group>" run as root; a non-zero UID with group 0 ("1000:0") does not.
type linuxUser struct {
	value string
	set   bool // the task definition names a user; otherwise the image's USER applies
	root  bool
}

func parseLinuxUser(p *string) linuxUser {
	if p == nil {
		return linuxUser{root: true}
	}
	u := linuxUser{value: *p, set: strings.TrimSpace(*p) != ""}
	name, _, _ := strings.Cut(strings.TrimSpace(*p), ":")
	// An empty user part leaves the user to the image, like an absent user: judged root, as the catalog says.
	u.root = name == "" || name == "root" || isZeroUID(name)
	return u
}

// isZeroUID accepts "0" and its zero-padded spellings ("00"), which the runtime parses to UID 0.
func isZeroUID(s string) bool {
	n, err := strconv.ParseUint(s, 10, 32)
	return err == nil && n == 0
}

// describe says what the setting means, for a finding's detail.
func (u linuxUser) describe() string {
	switch {
	case !u.set && u.value == "":
		return "sets no user, so it runs as the image's USER: that may be non-root, but the task definition does not guarantee it"
	case !u.set:
		return fmt.Sprintf("sets a blank user (%q), so it runs as the image's USER: that may be non-root, but the task definition does not guarantee it", u.value)
	}
	name, group, hasGroup := strings.Cut(strings.TrimSpace(u.value), ":")
	switch {
	case u.root && name == "":
		return fmt.Sprintf("runs as user %q, which names only a group, so the image's USER applies and may be root", u.value)
	case u.root:
		return fmt.Sprintf("runs as user %q, which is root", u.value)
	}
	if hasGroup && (group == "0" || group == "root") {
		return fmt.Sprintf("runs as user %q: user %s is not root (only the group is %s)", u.value, name, group)
	}
	return fmt.Sprintf("runs as user %q, which is not root", u.value)
}
