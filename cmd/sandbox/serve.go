package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/partnersandbox/sandbox/internal/app"
	"github.com/partnersandbox/sandbox/internal/config"
)

func init() {
	commands["serve"] = command{"serve the sandbox (the default command)", serveUsage, serve}
}

// listen is what serve needs besides the sandbox's configuration.
type listen struct {
	addr, config    string
	level           logLevel
	tlsCert, tlsKey string
	// drain is how long calls in flight may finish on SIGTERM or SIGINT (--drain-timeout).
	drain  time.Duration
	limits serverLimits
}

// defaultDrain is --drain-timeout's default.
const defaultDrain = 10 * time.Second

// serveFlags is every flag of serve: the listener's here, the sandbox's from app.Config.
func serveFlags(cfg *app.Config, l *listen) *flag.FlagSet {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.StringVar(&l.addr, "addr", "127.0.0.1:8080", "address to listen on; port 0 picks a free port")
	fs.StringVar(&l.config, "config", "", "read flags from this YAML file: keys are flag names, e.g. seed: 7 (lists for repeatable flags)")
	l.level = logLevel(slog.LevelInfo)
	fs.Var(&l.level, "log-level", "debug, info, warn or error")
	fs.StringVar(&l.tlsCert, "tls-cert", "", "serve HTTPS with this PEM certificate (chain); needs --tls-key")
	fs.StringVar(&l.tlsKey, "tls-key", "", "the PEM private key of --tls-cert")
	fs.DurationVar(&l.drain, "drain-timeout", defaultDrain, "on SIGTERM or SIGINT, how long calls in flight may finish; the state is persisted (--persist) whether they did or not. X-Sandbox-Delay and timeout-fault waits end at once, bodies still arriving after 1s are cut")
	l.limits.flags(fs)
	cfg.Flags(fs)
	return fs
}

func serveUsage(w io.Writer) {
	cfg := app.DefaultConfig()
	fs := serveFlags(&cfg, &listen{})
	fmt.Fprintf(w, `usage: sandbox [serve] [flags]

Serves the DCMS, DMT and profile APIs and the admin API on one address. Every flag can also
come from the environment (%sFLAG_NAME, shown below) or from the --config YAML file.
Precedence: flag, then environment, then file, then default.

`, config.EnvPrefix)
	config.PrintFlags(w, fs)
}

// parseServe reads serve's flags from args, the environment and the config file.
func parseServe(args []string) (app.Config, listen, error) {
	cfg := app.DefaultConfig()
	var l listen
	fs := serveFlags(&cfg, &l)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := config.Parse(fs, args, config.Options{FileFlag: "config", Sections: cfg.Sections()})
	var source *config.SourceError
	switch {
	case errors.Is(err, flag.ErrHelp):
		serveUsage(os.Stdout)
		return cfg, l, err
	case errors.As(err, &source):
		return cfg, l, &badConfig{err}
	case err != nil:
		return cfg, l, &usageError{cmd: "serve", msg: err.Error()}
	}
	return cfg, l, nil
}

func serve(args []string) error {
	cfg, l, err := parseServe(args)
	if err != nil {
		return err
	}
	tlsConfig, err := loadTLS(l.tlsCert, l.tlsKey)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.Level(l.level)}))
	cfg.Log = log
	sb, err := app.New(cfg)
	if err != nil {
		return err
	}
	defer sb.Close()
	ln, err := net.Listen("tcp", l.addr)
	if err != nil {
		return err
	}
	scheme := "http"
	if tlsConfig != nil {
		ln, scheme = tls.NewListener(ln, tlsConfig), "https"
	}
	if msg := openWarning(ln.Addr(), cfg.Hosted); msg != "" {
		log.Warn(msg, "addr", ln.Addr().String())
	}
	srv := l.limits.server(sb.Handler, tlsConfig)
	open := track(srv)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	// The listening line is what scripts and the end-to-end test wait for.
	log.Info("sandbox listening", "addr", ln.Addr().String(), "url", scheme+"://"+ln.Addr().String())

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	return shutdown(log, srv, sb, open, l.drain)
}

// openWarning is the warning of a local-mode sandbox listening beyond this machine ("" if
// it listens on loopback, or is hosted): its admin API has no credentials.
func openWarning(addr net.Addr, hosted bool) string {
	tcp, ok := addr.(*net.TCPAddr)
	if hosted || !ok || tcp.IP.IsLoopback() {
		return ""
	}
	return "listening beyond loopback without --hosted: the admin API (/__sandbox/*) is open to anyone who can reach " +
		"this address, with no credentials (they can read every tenant's data, reset it and steer it); " +
		"listen on 127.0.0.1, or start with --hosted for a shared deployment"
}

// loadTLS is the TLS configuration of --tls-cert and --tls-key (nil without them).
func loadTLS(certFile, keyFile string) (*tls.Config, error) {
	if (certFile == "") != (keyFile == "") {
		return nil, &usageError{cmd: "serve", msg: "--tls-cert and --tls-key go together"}
	}
	if certFile == "" {
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("--tls-cert %s / --tls-key %s: %w", certFile, keyFile, err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// bodyGrace is how long a shutdown lets a request body still arriving take before its read
// is cut (a client sending a byte a second would otherwise hold the whole drain).
const bodyGrace = time.Second

// shutdown ends the steering waits, lets in-flight calls finish for up to drain, then
// writes the --persist file whether they did or not: every change in the store is atomic,
// so the file holds each change committed by then, whole.
func shutdown(log *slog.Logger, srv *http.Server, sb *app.App, open *conns, drain time.Duration) error {
	log.Info("shutting down", "drain-timeout", drain.String())
	sb.StopWaits()
	ctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	cut := time.AfterFunc(min(bodyGrace, drain/2), open.cutReads)
	defer cut.Stop()
	if err := srv.Shutdown(ctx); err != nil {
		log.Warn("calls still in flight after --drain-timeout: closing their connections", "drain-timeout", drain.String(), "err", err.Error())
		_ = srv.Close()
	}
	if err := sb.Persist(context.Background()); err != nil {
		return fmt.Errorf("writing --persist file: %w", err)
	}
	log.Info("stopped")
	return nil
}

// conns are a server's open connections, so that a shutdown can cut the reads of request
// bodies still arriving.
type conns struct {
	mu  sync.Mutex
	set map[net.Conn]struct{}
}

// track follows srv's connections (once per connection, not per call).
func track(srv *http.Server) *conns {
	c := &conns{set: map[net.Conn]struct{}{}}
	srv.ConnContext = func(ctx context.Context, nc net.Conn) context.Context {
		c.mu.Lock()
		c.set[nc] = struct{}{}
		c.mu.Unlock()
		return ctx
	}
	srv.ConnState = func(nc net.Conn, s http.ConnState) {
		if s == http.StateClosed || s == http.StateHijacked {
			c.mu.Lock()
			delete(c.set, nc)
			c.mu.Unlock()
		}
	}
	return c
}

// cutReads ends every read in progress: a body still arriving fails, and its call
// answers the API's documented error; idle connections are being closed by then anyway.
func (c *conns) cutReads() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for nc := range c.set {
		_ = nc.SetReadDeadline(time.Now())
	}
}

// logLevel is --log-level: one of four names, and a bad one names them.
type logLevel slog.Level

var levels = []string{"debug", "info", "warn", "error"}

func (l *logLevel) String() string { return strings.ToLower(slog.Level(*l).String()) }

func (l *logLevel) Set(s string) error {
	for _, name := range levels {
		if strings.EqualFold(s, name) {
			var lvl slog.Level
			_ = lvl.UnmarshalText([]byte(name))
			*l = logLevel(lvl)
			return nil
		}
	}
	return fmt.Errorf("want debug, info, warn or error")
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
