// Package awstest gives tests one shared AWS emulator: started once per test binary on a free loopback port,
// reset between tests, stopped when the binary exits.
package awstest

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ecsaudit/ecsaudit/internal/testenv/emulator"
)

var (
	once     sync.Once
	server   *emulator.Server
	dir      string
	startErr error
)

// Emulator returns the package's moto_server, reset to an empty state. A test that needs it fails (never skips)
// when it cannot start. Call Stop from TestMain after m.Run.
func Emulator(t testing.TB) *emulator.Server {
	t.Helper()
	once.Do(func() {
		dir, startErr = os.MkdirTemp("", "ecsaudit-moto-")
		if startErr != nil {
			return
		}
		server, startErr = emulator.Start(context.Background(), filepath.Join(dir, "moto.log"))
	})
	if startErr != nil {
		t.Fatalf("AWS emulator: %v", startErr)
	}
	if err := server.Reset(); err != nil {
		t.Fatalf("%v", err)
	}
	return server
}

// Config returns an SDK configuration aimed at endpoint (the emulator's URL or a shim's).
func Config(endpoint, region string) aws.Config { return emulator.Config(endpoint, region) }

// Stop stops the emulator if it was started; call it from TestMain.
func Stop() {
	if server != nil {
		server.Stop()
	}
	if dir != "" {
		os.RemoveAll(dir)
	}
}
