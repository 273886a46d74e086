package fnconfig

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// DefaultImageMaxBytes is IMAGE_MAX_BYTES's default: 1 GiB of uncompressed layers per image. The reader streams
// layers and never writes them to /tmp; its heap stays near 3 MB whatever the image's size (make bench-image), so
// the budget bounds the time an image takes (1 GiB took 0.23–0.73 s of CPU in the benchmark, plus the download),
// not the memory.
const DefaultImageMaxBytes = 1 << 30

// Contents configures reading image contents from ECR.
type Contents struct {
	// On is IMAGE_CONTENTS (default false; the template sets it for the auditors): pushed images, and the images a
	// revision runs, are read from their registry and judged by the image-contents rules.
	On bool
	// MaxBytes is IMAGE_MAX_BYTES (default DefaultImageMaxBytes, from 1 MiB to 16 GiB).
	MaxBytes int64
	// Endpoint is ECR_REGISTRY_ENDPOINT: an http(s) URL every registry is reached at instead of its own host.
	Endpoint string
	// PerSweep is IMAGE_CONTENTS_PER_SWEEP (default 20, from 0 to 1000): how many images one sweep invocation
	// reads whose contents no event read.
	PerSweep int
}

// ContentsFromEnv reads the image-contents configuration. A bad value is an error naming the variable.
func ContentsFromEnv(getenv func(string) string) (*Contents, error) {
	c := &Contents{MaxBytes: DefaultImageMaxBytes, PerSweep: 20}
	var errs []error
	if v := strings.TrimSpace(getenv("IMAGE_CONTENTS")); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("environment variable IMAGE_CONTENTS: want true or false, got %q", v))
		}
		c.On = b
	}
	if v := strings.TrimSpace(getenv("IMAGE_MAX_BYTES")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1<<20 || n > 16<<30 {
			errs = append(errs, fmt.Errorf("environment variable IMAGE_MAX_BYTES: want bytes from 1048576 to 17179869184, got %q", v))
		} else {
			c.MaxBytes = n
		}
	}
	if v := strings.TrimSpace(getenv("IMAGE_CONTENTS_PER_SWEEP")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1000 {
			errs = append(errs, fmt.Errorf("environment variable IMAGE_CONTENTS_PER_SWEEP: want a count from 0 to 1000, got %q", v))
		} else {
			c.PerSweep = n
		}
	}
	if v := strings.TrimSpace(getenv("ECR_REGISTRY_ENDPOINT")); v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("environment variable ECR_REGISTRY_ENDPOINT: want an http or https URL, got %q", v))
		} else {
			c.Endpoint = v
		}
	}
	return c, errors.Join(errs...)
}
