package emulator

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"sync"
	"time"
)

// tokenLife is how long an ECR authorization token is valid (API reference, GetAuthorizationToken: "The
// authorization token is valid for 12 hours").
const tokenLife = 12 * time.Hour

// registryTokens are the ECR registry passwords the shim has issued, with their expiry.
type registryTokens struct {
	mu      sync.Mutex
	expires map[string]time.Time
}

// getAuthorizationToken answers ECR GetAuthorizationToken itself: moto issues one fixed password per account that
// expired in 2015, so a registry could not tell a token ECR issued from a guessed one. The shim issues a random
// password for user AWS, valid 12 hours, with the proxy endpoint of the caller's registry, and remembers it for
// RegistryTokenValid.
func (s *Shim) getAuthorizationToken(c *call) {
	account, err := c.callerAccount()
	if err != nil {
		c.fail(500, "ServerException", err.Error())
		return
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		c.fail(500, "ServerException", err.Error())
		return
	}
	password := hex.EncodeToString(b)
	expires := time.Now().Add(tokenLife)
	s.tokens.mu.Lock()
	if s.tokens.expires == nil {
		s.tokens.expires = map[string]time.Time{}
	}
	s.tokens.expires[password] = expires
	s.tokens.mu.Unlock()
	c.json(map[string]any{"authorizationData": []map[string]any{{
		"authorizationToken": base64.StdEncoding.EncodeToString([]byte("AWS:" + password)),
		"expiresAt":          float64(expires.Unix()),
		"proxyEndpoint":      "https://" + account + ".dkr.ecr." + c.region + ".amazonaws.com",
	}}})
}

// RegistryTokenValid reports whether user and password are what a registry accepts from an ECR token: user AWS
// and a password the shim issued that has not expired.
func (s *Shim) RegistryTokenValid(user, password string) bool {
	if user != "AWS" {
		return false
	}
	s.tokens.mu.Lock()
	defer s.tokens.mu.Unlock()
	exp, ok := s.tokens.expires[password]
	return ok && time.Now().Before(exp)
}
