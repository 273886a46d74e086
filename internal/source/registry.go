package source

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/ecsaudit/ecsaudit/internal/imagefile"
	"github.com/ecsaudit/ecsaudit/internal/model"
)

// ECRAuthAPI is the ECR call that opens a registry to the OCI distribution API.
type ECRAuthAPI interface {
	GetAuthorizationToken(context.Context, *ecr.GetAuthorizationTokenInput, ...func(*ecr.Options)) (*ecr.GetAuthorizationTokenOutput, error)
}

// Registry reads image contents from ECR through the OCI distribution API (manifest, config and layers), signed in
// with the token GetAuthorizationToken issues for the function's own credentials. An image in another account's
// registry is read with the same token, which that repository's policy must allow.
type Registry struct {
	// Auth issues the registry token.
	Auth ECRAuthAPI
	// Endpoint, when set ("http://127.0.0.1:5000"), is where every registry is reached instead of its own host: a
	// registry on loopback in tests, or a pull-through proxy.
	Endpoint string
	// Transport carries the registry's HTTP requests; nil means http.DefaultTransport.
	Transport http.RoundTripper

	mu      sync.Mutex
	token   authn.AuthConfig
	expires time.Time
}

// Why an image could not be read from its registry.
var (
	// ErrImageDenied means the registry refused to serve the image to these credentials.
	ErrImageDenied = errors.New("the registry denied access to the image")
	// ErrImageMissing means the registry does not hold the manifest or a blob ECR listed (deleted since).
	ErrImageMissing = errors.New("the registry does not hold the image")
)

// tokenMargin is how long before its expiry a cached token is replaced (ECR tokens last 12 hours).
const tokenMargin = 5 * time.Minute

// Authorization implements authn.Authenticator.
func (r *Registry) Authorization() (*authn.AuthConfig, error) {
	return r.AuthorizationContext(context.Background())
}

// AuthorizationContext implements authn.ContextAuthenticator: the user and password the ECR token decodes to,
// cached until shortly before it expires.
func (r *Registry) AuthorizationContext(ctx context.Context) (*authn.AuthConfig, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.token.Password != "" && time.Now().Before(r.expires.Add(-tokenMargin)) {
		c := r.token
		return &c, nil
	}
	out, err := r.Auth.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		return nil, fmt.Errorf("ecr get authorization token: %w", err)
	}
	if len(out.AuthorizationData) == 0 {
		return nil, errors.New("ecr get authorization token: no authorization data in the answer")
	}
	d := out.AuthorizationData[0]
	raw, err := base64.StdEncoding.DecodeString(aws.ToString(d.AuthorizationToken))
	if err != nil {
		return nil, fmt.Errorf("ecr authorization token: not base64: %w", err)
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok || pass == "" {
		return nil, errors.New("ecr authorization token: not user:password")
	}
	r.token = authn.AuthConfig{Username: user, Password: pass}
	r.expires = aws.ToTime(d.ExpiresAt)
	c := r.token
	return &c, nil
}

// reference returns the reference of repository@digest, at the endpoint when one is set.
func (r *Registry) reference(repositoryURI, digest string) (name.Digest, error) {
	ref := repositoryURI + "@" + digest
	var opts []name.Option
	if r.Endpoint != "" {
		u, err := url.Parse(r.Endpoint)
		if err != nil || u.Host == "" {
			return name.Digest{}, fmt.Errorf("registry endpoint %q: not a URL with a host", r.Endpoint)
		}
		_, path, ok := strings.Cut(repositoryURI, "/")
		if !ok {
			return name.Digest{}, fmt.Errorf("repository URI %q has no repository path", repositoryURI)
		}
		ref = u.Host + "/" + path + "@" + digest
		if u.Scheme == "http" {
			opts = append(opts, name.Insecure)
		}
	}
	d, err := name.NewDigest(ref, opts...)
	if err != nil {
		return name.Digest{}, fmt.Errorf("image reference %q: %w", ref, err)
	}
	return d, nil
}

func (r *Registry) options(ctx context.Context) []remote.Option {
	t := r.Transport
	if t == nil {
		t = http.DefaultTransport
	}
	return []remote.Option{remote.WithAuth(r), remote.WithContext(ctx), remote.WithTransport(t), remote.WithUserAgent("ecsaudit")}
}

// ImageContents reads the image repositoryURI@digest ("<account>.dkr.ecr.<region>.amazonaws.com/<name>",
// "sha256:..."): one result per platform, or only the platform given ("linux/arm64"), each read within
// opts.MaxBytes. Each result is tagged repositoryURI@digest, whatever endpoint served it. A registry that refuses the credentials gives ErrImageDenied; one that does not hold it, ErrImageMissing.
func (r *Registry) ImageContents(ctx context.Context, repositoryURI, digest, platform string, opts imagefile.Options) ([]*model.ImageContents, error) {
	ref, err := r.reference(repositoryURI, digest)
	if err != nil {
		return nil, err
	}
	ro := r.options(ctx)
	desc, err := remote.Get(ref, ro...)
	if err != nil {
		return nil, registryError(repositoryURI, digest, "get manifest", err)
	}
	opts.Platform = platform
	b := remoteBlobs{repo: ref.Context(), opts: ro}
	imgs, err := imagefile.ReadBlobs(desc.Descriptor, repositoryURI+"@"+digest, b, opts)
	if err != nil {
		return nil, registryError(repositoryURI, digest, "read", err)
	}
	for _, img := range imgs {
		img.Source = "ecr:" + repositoryURI + "@" + digest
	}
	return imgs, nil
}

func registryError(repositoryURI, digest, what string, err error) error {
	var te *transport.Error
	if errors.As(err, &te) && (te.StatusCode == http.StatusUnauthorized || te.StatusCode == http.StatusForbidden) {
		return fmt.Errorf("%s %s@%s: %w (HTTP %d)", what, repositoryURI, digest, ErrImageDenied, te.StatusCode)
	}
	if errors.As(err, &te) && te.StatusCode == http.StatusNotFound {
		return fmt.Errorf("%s %s@%s: %w (HTTP 404)", what, repositoryURI, digest, ErrImageMissing)
	}
	return fmt.Errorf("%s %s@%s: %w", what, repositoryURI, digest, err)
}

// remoteBlobs serves one repository's manifests and blobs from its registry; the library verifies each against its
// digest while it is read.
type remoteBlobs struct {
	repo name.Repository
	opts []remote.Option
}

func (b remoteBlobs) Manifest(h v1.Hash) ([]byte, error) {
	desc, err := remote.Get(b.repo.Digest(h.String()), b.opts...)
	if err != nil {
		return nil, err
	}
	return desc.Manifest, nil
}

func (b remoteBlobs) Blob(h v1.Hash) (io.ReadCloser, error) {
	l, err := remote.Layer(b.repo.Digest(h.String()), b.opts...)
	if err != nil {
		return nil, err
	}
	return l.Compressed()
}
