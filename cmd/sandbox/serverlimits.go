package main

import (
	"crypto/tls"
	"flag"
	"net/http"
	"time"

	"github.com/partnersandbox/sandbox/scenarios"
)

// serverLimits are the HTTP server's timeouts and header limit (serve's flags): a slow or
// idle connection is closed, never held. The write timeout starts once a request's header
// has been read, so it leaves room for reading the body (--read-timeout) and for the
// longest X-Sandbox-Delay and the `timeout` fault's wait (scenarios.MaxDelay each).
type serverLimits struct {
	readHeader, read, write, idle time.Duration
	maxHeaderBytes                int
}

// defaultServerLimits are serve's documented defaults.
var defaultServerLimits = serverLimits{
	readHeader:     10 * time.Second,
	read:           30 * time.Second,
	write:          30*time.Second + 2*scenarios.MaxDelay + 30*time.Second, // 3m: read, delay, timeout fault, answer
	idle:           30 * time.Second,
	maxHeaderBytes: 64 << 10,
}

func (s *serverLimits) flags(fs *flag.FlagSet) {
	*s = defaultServerLimits
	fs.DurationVar(&s.readHeader, "read-header-timeout", s.readHeader, "close a connection whose request header has not arrived in full within this time")
	fs.DurationVar(&s.read, "read-timeout", s.read, "close a connection whose whole request (header and body) has not arrived within this time")
	fs.DurationVar(&s.write, "write-timeout", s.write, "drop a request not answered within this time of its header (keep it above --read-timeout + 2m: the longest X-Sandbox-Delay and the timeout fault wait 1m each)")
	fs.DurationVar(&s.idle, "idle-timeout", s.idle, "close a keep-alive connection idle for this long")
	fs.IntVar(&s.maxHeaderBytes, "max-header-bytes", s.maxHeaderBytes, "the most bytes of a request's header (431 beyond)")
}

// server is the HTTP server of h with these limits.
func (s serverLimits) server(h http.Handler, tlsConfig *tls.Config) *http.Server {
	return &http.Server{
		Handler:           h,
		TLSConfig:         tlsConfig,
		ReadHeaderTimeout: s.readHeader,
		ReadTimeout:       s.read,
		WriteTimeout:      s.write,
		IdleTimeout:       s.idle,
		MaxHeaderBytes:    s.maxHeaderBytes,
	}
}
