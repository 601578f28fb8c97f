// Package redistest starts a real redis-server for tests: on a free loopback port, in a
// temporary directory, with append-only persistence, never as a system service. Without
// redis-server on the PATH the test is skipped with one line, unless SANDBOX_TEST_REDIS is
// "required" (as in CI), where it fails.
package redistest

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// RequiredEnv makes a missing redis-server a failure instead of a skip.
const RequiredEnv = "SANDBOX_TEST_REDIS"

// Server is a redis-server process of a test.
type Server struct {
	Addr string // 127.0.0.1:PORT
	dir  string
	bin  string
	port int

	mu  sync.Mutex
	cmd *exec.Cmd
}

// URL is the --store value of database db.
func (s *Server) URL(db int) string { return fmt.Sprintf("redis://%s/%d", s.Addr, db) }

// Available says why Redis tests cannot run ("" if they can).
func Available() string {
	if _, err := exec.LookPath("redis-server"); err != nil {
		return "redis-server is not installed (apt-get install redis-server): Redis tests skipped"
	}
	return ""
}

// Require skips (or, under SANDBOX_TEST_REDIS=required, fails) t without redis-server.
func Require(t testing.TB) {
	t.Helper()
	if why := Available(); why != "" {
		if os.Getenv(RequiredEnv) == "required" {
			t.Fatalf("%s, and %s=required", why, RequiredEnv)
		}
		t.Skip(why)
	}
}

// Start starts a redis-server for the test, stopped at cleanup.
func Start(t testing.TB) *Server {
	t.Helper()
	Require(t)
	s, err := StartDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// StartDir starts a redis-server keeping its files in dir (for TestMain; Stop it).
func StartDir(dir string) (*Server, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Server{Addr: "127.0.0.1:" + strconv.Itoa(port), dir: dir, bin: bin, port: port}
	return s, s.Restart()
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func (s *Server) args() []string {
	return []string{"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1", "--dir", s.dir,
		"--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--daemonize", "no",
		"--protected-mode", "yes", "--logfile", filepath.Join(s.dir, "redis.log")}
}

// Restart starts the server again on the same port and files (after Stop or Kill).
func (s *Server) Restart() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cmd := exec.Command(s.bin, s.args()...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	s.cmd = cmd
	return s.wait(cmd)
}

// keepAlive holds the pipes whose end stops the servers of StartForProcess.
var keepAlive []io.WriteCloser

// StartForProcess starts a redis-server that lives as long as the test process, however
// that ends: a shell waits for the end of a pipe the process holds open, then stops the
// server and removes its directory. It has no Stop.
func StartForProcess() (*Server, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "sandbox-test-redis")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Server{Addr: "127.0.0.1:" + strconv.Itoa(port), dir: dir, bin: bin, port: port}
	const script = `"$0" "$@" & pid=$!; cat >/dev/null; kill $pid; wait $pid; rm -rf "$REDIS_DIR"`
	cmd := exec.Command("sh", append([]string{"-c", script, bin}, s.args()...)...)
	cmd.Env = append(os.Environ(), "REDIS_DIR="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	keepAlive = append(keepAlive, stdin)
	return s, s.wait(cmd)
}

// wait waits until the server answers PING.
func (s *Server) wait(cmd *exec.Cmd) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.Addr, 100*time.Millisecond)
		if err == nil {
			ok := ping(c)
			c.Close()
			if ok {
				return nil
			}
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
			return fmt.Errorf("redis-server on %s did not start: %s", s.Addr, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ping sends PING and expects +PONG (the server answers LOADING while it replays its AOF).
func ping(c net.Conn) bool {
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	buf := make([]byte, 64)
	n, err := c.Read(buf)
	return err == nil && string(buf[:n]) == "+PONG\r\n"
}

// Stop stops the server (SIGTERM: it finishes writing its files) and waits for it.
func (s *Server) Stop() { s.signal(syscall.SIGTERM) }

// Kill kills the server at once (SIGKILL), as a crash would.
func (s *Server) Kill() { s.signal(syscall.SIGKILL) }

func (s *Server) signal(sig syscall.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(sig)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
	s.cmd = nil
}
