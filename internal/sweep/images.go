package sweep

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/source"
)

// imageRef is a container image reference that names a private ECR image.
type imageRef struct {
	region, registry, repo string
	// digest or tag: a reference without either means the tag latest.
	digest, tag string
}

func parseRef(ref string) (imageRef, bool) {
	ir := model.ParseImageRef(ref)
	account, region, ok := ir.ECR()
	if !ok {
		return imageRef{}, false
	}
	r := imageRef{region: region, registry: account, repo: ir.Repository, digest: ir.Digest, tag: ir.Tag}
	if r.digest == "" && r.tag == "" {
		r.tag = "latest"
	}
	return r, true
}

func (r imageRef) repoKey() string { return r.region + "|" + r.registry + "|" + r.repo }

func (r imageRef) id() ecrtypes.ImageIdentifier {
	if r.digest != "" {
		return ecrtypes.ImageIdentifier{ImageDigest: aws.String(r.digest)}
	}
	return ecrtypes.ImageIdentifier{ImageTag: aws.String(r.tag)}
}

func (r imageRef) idKey() string {
	if r.digest != "" {
		return r.repoKey() + "|@" + r.digest
	}
	return r.repoKey() + "|:" + r.tag
}

// listing is one repository's images, read with paged DescribeImages calls.
type listing struct {
	byDigest map[string]ecrtypes.ImageDetail
	byTag    map[string]string
	newest   string
	err      error
	// ready is closed once the listing is read: concurrent readers of one repository wait for the first.
	ready chan struct{}
}

// images resolves image references and builds images for one account and region, reading each repository of the
// account's own registry once per invocation as a listing (pages of 1000 images, which also yields its newest image
// and resolves tags locally), and images of other registries or regions by identifier in batches of 100. An image
// whose DescribeImages answer lacks the scan summary costs one DescribeImageScanFindings call, once per invocation.
// It is safe for concurrent use.
type images struct {
	src              *source.Source
	account, region  string
	workers          int
	mu               sync.Mutex
	repos            map[string]*listing
	foreign          map[string]*ecrtypes.ImageDetail
	foreignErr       map[string]error
	built            map[string]*builtImage
	scanCalls, lists int
}

type builtImage struct {
	img *model.Image
	err error
}

func newImages(src *source.Source, account, region string, workers int) *images {
	return &images{src: src, account: account, region: region, workers: max(workers, 1),
		repos: map[string]*listing{}, foreign: map[string]*ecrtypes.ImageDetail{}, foreignErr: map[string]error{},
		built: map[string]*builtImage{}}
}

func (c *images) own(r imageRef) bool { return r.registry == c.account && r.region == c.region }

// prefetch reads what the references need and the cache does not hold yet: own repositories are listed (several at
// once), foreign images are described by identifier, 100 to a call per repository.
func (c *images) prefetch(ctx context.Context, refs []string) {
	var lists []imageRef
	foreign := map[string][]imageRef{}
	seenRepo, seenID := map[string]bool{}, map[string]bool{}
	c.mu.Lock()
	for _, ref := range refs {
		r, ok := parseRef(ref)
		if !ok {
			continue
		}
		if c.own(r) {
			if _, done := c.repos[r.repoKey()]; !done && !seenRepo[r.repoKey()] {
				seenRepo[r.repoKey()] = true
				lists = append(lists, r)
			}
			continue
		}
		k := r.idKey()
		if _, done := c.foreign[k]; done || c.foreignErr[k] != nil || seenID[k] {
			continue
		}
		seenID[k] = true
		foreign[r.repoKey()] = append(foreign[r.repoKey()], r)
	}
	c.mu.Unlock()
	parallel(ctx, c.workers, len(lists), func(i int) { c.list(ctx, lists[i]) })
	keys := make([]string, 0, len(foreign))
	for k := range foreign {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parallel(ctx, c.workers, len(keys), func(i int) { c.describeForeign(ctx, foreign[keys[i]]) })
}

// listRepositories lists the given repositories of the own registry (for their newest images).
func (c *images) listRepositories(ctx context.Context, repos []ecrtypes.Repository) {
	var todo []imageRef
	c.mu.Lock()
	for _, repo := range repos {
		r := imageRef{region: c.region, registry: c.account, repo: aws.ToString(repo.RepositoryName)}
		if repo.RegistryId != nil {
			r.registry = *repo.RegistryId
		}
		if _, done := c.repos[r.repoKey()]; !done {
			todo = append(todo, r)
		}
	}
	c.mu.Unlock()
	parallel(ctx, c.workers, len(todo), func(i int) { c.list(ctx, todo[i]) })
}

func (c *images) list(ctx context.Context, r imageRef) *listing {
	c.mu.Lock()
	l, ok := c.repos[r.repoKey()]
	if !ok {
		l = &listing{byDigest: map[string]ecrtypes.ImageDetail{}, byTag: map[string]string{}, ready: make(chan struct{})}
		c.repos[r.repoKey()] = l
		c.lists++
	}
	c.mu.Unlock()
	if ok {
		<-l.ready
		return l
	}
	defer close(l.ready)
	details, err := c.src.ListImages(ctx, r.region, r.registry, r.repo)
	l.err = err
	var newest *ecrtypes.ImageDetail
	for i := range details {
		d := details[i]
		digest := aws.ToString(d.ImageDigest)
		if digest == "" {
			continue
		}
		// Keep what the rules and the findings read; the manifest media types are not needed.
		d.ImageManifestMediaType, d.ArtifactMediaType = nil, nil
		l.byDigest[digest] = d
		for _, tag := range d.ImageTags {
			l.byTag[tag] = digest
		}
		if newest == nil || newer(&details[i], newest) {
			newest = &details[i]
		}
	}
	if newest != nil {
		l.newest = aws.ToString(newest.ImageDigest)
	}
	return l
}

// newer orders images as source.NewestImage does: pushed later, ties broken by the larger digest.
func newer(a, b *ecrtypes.ImageDetail) bool {
	ta, tb := aws.ToTime(a.ImagePushedAt), aws.ToTime(b.ImagePushedAt)
	if !ta.Equal(tb) {
		return ta.After(tb)
	}
	return aws.ToString(a.ImageDigest) > aws.ToString(b.ImageDigest)
}

func (c *images) describeForeign(ctx context.Context, refs []imageRef) {
	r0 := refs[0]
	ids := make([]ecrtypes.ImageIdentifier, len(refs))
	for i, r := range refs {
		ids[i] = r.id()
	}
	found, _, err := c.src.ImagesByID(ctx, r0.region, r0.registry, r0.repo, ids)
	c.mu.Lock()
	defer c.mu.Unlock()
	byDigest, byTag := map[string]*ecrtypes.ImageDetail{}, map[string]*ecrtypes.ImageDetail{}
	for i := range found {
		d := &found[i]
		byDigest[aws.ToString(d.ImageDigest)] = d
		for _, t := range d.ImageTags {
			byTag[t] = d
		}
	}
	for _, r := range refs {
		d := byDigest[r.digest]
		if r.digest == "" {
			d = byTag[r.tag]
		}
		switch {
		case d != nil:
			c.foreign[r.idKey()] = d
		case err != nil:
			c.foreignErr[r.idKey()] = err
		default:
			c.foreignErr[r.idKey()] = fmt.Errorf("describe image %s in registry %s: %w", r.repo+":"+r.tag+r.digest, r.registry, source.ErrNotFound)
		}
	}
}

// detail returns the image detail a reference resolves to.
func (c *images) detail(ctx context.Context, r imageRef) (*ecrtypes.ImageDetail, error) {
	if c.own(r) {
		l := c.list(ctx, r)
		if l.err != nil {
			return nil, l.err
		}
		digest := r.digest
		if digest == "" {
			digest = l.byTag[r.tag]
		}
		d, ok := l.byDigest[digest]
		if !ok {
			return nil, fmt.Errorf("describe image %s in registry %s: %w", r.repo+":"+r.tag+r.digest, r.registry, source.ErrNotFound)
		}
		return &d, nil
	}
	c.mu.Lock()
	d, err := c.foreign[r.idKey()], c.foreignErr[r.idKey()]
	c.mu.Unlock()
	if d == nil && err == nil {
		c.describeForeign(ctx, []imageRef{r})
		c.mu.Lock()
		d, err = c.foreign[r.idKey()], c.foreignErr[r.idKey()]
		c.mu.Unlock()
	}
	return d, err
}

// image returns the image a reference resolves to, with its scan.
func (c *images) image(ctx context.Context, r imageRef) (*model.Image, error) {
	d, err := c.detail(ctx, r)
	if err != nil {
		return nil, err
	}
	return c.build(ctx, r.region, d)
}

func (c *images) build(ctx context.Context, region string, d *ecrtypes.ImageDetail) (*model.Image, error) {
	key := region + "|" + aws.ToString(d.RegistryId) + "|" + aws.ToString(d.RepositoryName) + "|" + aws.ToString(d.ImageDigest)
	c.mu.Lock()
	b, ok := c.built[key]
	c.mu.Unlock()
	if ok {
		return b.img, b.err
	}
	if d.ImageScanFindingsSummary == nil {
		c.mu.Lock()
		c.scanCalls++
		c.mu.Unlock()
	}
	img, err := c.src.ImageFromDetail(ctx, region, *d)
	c.mu.Lock()
	c.built[key] = &builtImage{img: img, err: err}
	c.mu.Unlock()
	return img, err
}

// newest returns the newest image of an own repository, nil for an empty one.
func (c *images) newest(ctx context.Context, repo ecrtypes.Repository) (*model.Image, error) {
	r := imageRef{region: c.region, registry: c.account, repo: aws.ToString(repo.RepositoryName)}
	if repo.RegistryId != nil {
		r.registry = *repo.RegistryId
	}
	l := c.list(ctx, r)
	if l.err != nil {
		return nil, l.err
	}
	if l.newest == "" {
		return nil, nil
	}
	d := l.byDigest[l.newest]
	return c.build(ctx, c.region, &d)
}

// lookups resolves a revision's image references as source.ResolveImages does: only private ECR references are
// looked up, and a lookup that fails is kept with its error (image rules then say NOT_AVAILABLE). It returns the
// digests resolved, sorted, and whether a lookup failed for a reason other than the image not existing (then the
// results say nothing reliable about the image).
func (c *images) lookups(ctx context.Context, refs []string) (map[string]model.ImageLookup, []string, bool) {
	var out map[string]model.ImageLookup
	var digests []string
	transient := false
	for _, ref := range refs {
		if _, done := out[ref]; done {
			continue
		}
		r, ok := parseRef(ref)
		if !ok {
			continue
		}
		if out == nil {
			out = map[string]model.ImageLookup{}
		}
		img, err := c.image(ctx, r)
		if err != nil {
			if !errors.Is(err, source.ErrNotFound) {
				transient = true
			}
			out[ref] = model.ImageLookup{Err: err.Error()}
			continue
		}
		out[ref] = model.ImageLookup{Image: img}
		digests = append(digests, aws.ToString(img.Detail.ImageDigest))
	}
	return out, uniq(digests), transient
}

func uniq(xs []string) []string {
	sort.Strings(xs)
	out := xs[:0]
	for i, x := range xs {
		if x != "" && (i == 0 || x != xs[i-1]) {
			out = append(out, x)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// parallel runs f(0..n-1) on up to workers goroutines and waits for them; it stops handing out work when ctx ends.
func parallel(ctx context.Context, workers, n int, f func(i int)) {
	if n == 0 {
		return
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(max(workers, 1), n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}
