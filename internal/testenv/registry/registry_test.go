package registry

import (
	"net/http"
	"testing"
)

// The demo's sample push event names the digest of an image built here: the same files must give the same digest.
func TestBuildImageIsDeterministic(t *testing.T) {
	files := []File{{Path: "usr/bin/su", Mode: 0o4755, Content: "x"}}
	a, b := Image(t, "", files), Image(t, "", files)
	da, _ := a.Digest()
	db, _ := b.Digest()
	if da != db {
		t.Fatalf("digests differ: %s and %s", da, db)
	}
}

func TestRegistryRefusesWithoutAnIssuedToken(t *testing.T) {
	r := Start(t, func(user, pass string) bool { return user == "AWS" && pass == "issued" })
	for _, c := range []struct {
		user, pass string
		want       int
	}{{"", "", 401}, {"AWS", "guessed", 401}, {"admin", "issued", 401}, {"AWS", "issued", 200}} {
		req, _ := http.NewRequest(http.MethodGet, r.URL+"/v2/", nil)
		if c.user != "" {
			req.SetBasicAuth(c.user, c.pass)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s:%s: HTTP %d, want %d", c.user, c.pass, resp.StatusCode, c.want)
		}
		if c.want == 401 && resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s:%s: 401 without a challenge", c.user, c.pass)
		}
	}
}
