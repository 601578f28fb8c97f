package loopback

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Build compiles the sandbox binary, as `make build` does, into a temporary folder; the
// returned function removes it.
func Build() (string, func(), error) {
	dir, err := os.MkdirTemp("", "sandbox-bench")
	if err != nil {
		return "", nil, err
	}
	bin := filepath.Join(dir, "sandbox")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/sandbox")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("building the binary: %w", err)
	}
	return bin, func() { os.RemoveAll(dir) }, nil
}

// Process is a sandbox binary serving on a loopback port of its own.
type Process struct {
	cmd   *exec.Cmd
	Addr  string        // host:port
	Ready time.Duration // from start to its first 200 on /healthz
}

// Launch starts bin serving on a free loopback port (with the extra serve flags) and
// waits until it answers /healthz.
func Launch(bin string, args ...string) (*Process, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", addr}, args...)...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &Process{cmd: cmd, Addr: addr}
	client := &http.Client{Timeout: time.Second}
	for time.Since(start) < 30*time.Second {
		if resp, err := client.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				p.Ready = time.Since(start)
				return p, nil
			}
		}
		time.Sleep(time.Millisecond)
	}
	p.Stop()
	return nil, fmt.Errorf("%s %v did not answer /healthz within 30s", bin, args)
}

// Stop kills the process and waits for it.
func (p *Process) Stop() {
	_ = p.cmd.Process.Kill()
	_ = p.cmd.Wait()
}

// RSS reads the process's resident set size from /proc.
func (p *Process) RSS() (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", p.cmd.Process.Pid)
}
