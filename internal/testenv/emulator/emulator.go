// Package emulator starts and stops the local AWS emulator (moto_server) for tests, benchmarks and the demo.
// The project's code reaches it through the real SDK v2 clients with an endpoint setting, the same path as in AWS.
package emulator

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Server is a running moto_server.
type Server struct {
	// URL is the emulator's base URL, e.g. http://127.0.0.1:41234.
	URL     string
	cmd     *exec.Cmd
	logPath string
	done    chan error
}

// ErrNotInstalled means moto_server is not on PATH.
var ErrNotInstalled = errors.New("moto_server not found on PATH: install it with pip install 'moto[server]'")

var listening = regexp.MustCompile(`Running on (http://127\.0\.0\.1:\d+)`)

// Start runs moto_server on a free loopback port, its output going to logPath (moto logs every request; a pipe
// nobody drains would fill and hang it). It returns once the emulator answers. env adds environment variables,
// e.g. MOTO_ACCOUNT_ID=111122223333 to make that the default account.
func Start(ctx context.Context, logPath string, env ...string) (*Server, error) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, ErrNotInstalled
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("create emulator log: %w", err)
	}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", "0")
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start moto_server: %w", err)
	}
	logf.Close()
	s := &Server{cmd: cmd, logPath: logPath, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for s.URL == "" {
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("moto_server did not report its port within 60s (log %s)", logPath)
		}
		select {
		case err := <-s.done:
			return nil, fmt.Errorf("moto_server exited early: %v (log %s: %s)", err, logPath, tail(logPath))
		case <-ctx.Done():
			s.Stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if m := listening.FindStringSubmatch(readHead(logPath)); m != nil {
			s.URL = m[1]
		}
	}
	for {
		resp, err := http.Get(s.URL + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return s, nil
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("moto_server at %s did not answer within 60s: %v", s.URL, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Reset clears all of the emulator's state.
func (s *Server) Reset() error {
	resp, err := http.Post(s.URL+"/moto-api/reset", "application/json", nil)
	if err != nil {
		return fmt.Errorf("reset emulator: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("reset emulator: HTTP %d", resp.StatusCode)
	}
	return nil
}

// Stop ends the emulator and its children.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	}
	s.cmd = nil
}

// Config returns an SDK configuration that sends every call to endpoint (the emulator, or a shim in front of it)
// with static test credentials.
func Config(endpoint, region string) aws.Config {
	return aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(endpoint),
	}
}

func readHead(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	var b strings.Builder
	sc := bufio.NewScanner(f)
	for i := 0; i < 20 && sc.Scan(); i++ {
		b.WriteString(sc.Text())
		b.WriteByte('\n')
	}
	return b.String()
}

func tail(path string) string {
	data, _ := os.ReadFile(path)
	if len(data) > 2000 {
		data = data[len(data)-2000:]
	}
	return string(data)
}
