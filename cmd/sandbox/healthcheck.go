package main

import (
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/partnersandbox/sandbox/internal/config"
)

func init() {
	commands["healthcheck"] = command{"exit 0 if the sandbox at --url is ready (GET /readyz answers 200), else 1: a container HEALTHCHECK",
		func(w io.Writer) {
			printFlags(w, "usage: sandbox healthcheck [--url URL] [--timeout 3s]\n\n"+
				"Exits 0 if GET /readyz answers 200, else 1 with the reason. The default --url is the sandbox\n"+
				"this environment configures: "+config.EnvName("addr")+" (0.0.0.0 and :: mean loopback), https when\n"+
				config.EnvName("tls-cert")+" is set (its certificate is not verified then: it is this host's own).",
				healthcheckFlags(new(healthcheckOpts)))
		},
		func(args []string) error { return healthcheck(args, os.Stdout) }}
}

type healthcheckOpts struct {
	url      string
	timeout  time.Duration
	insecure bool
}

func healthcheckFlags(o *healthcheckOpts) *flag.FlagSet {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.StringVar(&o.url, "url", "", "base URL of the sandbox (default: from "+config.EnvName("addr")+" and "+config.EnvName("tls-cert")+")")
	fs.DurationVar(&o.timeout, "timeout", 3*time.Second, "how long to wait for the answer")
	fs.BoolVar(&o.insecure, "insecure", false, "do not verify the server's TLS certificate")
	return fs
}

// localURL is the sandbox this environment configures, as seen from the same host.
func localURL() string {
	addr := envOr(config.EnvName("addr"), "127.0.0.1:8080")
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = addr, "8080"
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	scheme := "http"
	if os.Getenv(config.EnvName("tls-cert")) != "" {
		scheme = "https"
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// healthcheck asks GET /readyz; a 200 is healthy, anything else (or no answer) is not.
func healthcheck(args []string, out io.Writer) error {
	var o healthcheckOpts
	if err := parseFlags("healthcheck", healthcheckFlags(&o), args, out); err != nil {
		return err
	}
	if o.url == "" {
		o.url = localURL()
		o.insecure = o.insecure || strings.HasPrefix(o.url, "https:") // this host's own certificate
	}
	client := &http.Client{Timeout: o.timeout}
	if o.insecure {
		client.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} // asked for, or this host's own certificate
	}
	u := strings.TrimRight(o.url, "/") + "/readyz"
	resp, err := client.Get(u)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	var ready struct {
		Status string `json:"status"`
		Reason string `json:"reason"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&ready)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %d: %s", u, resp.StatusCode, ready.Reason)
	}
	fmt.Fprintf(out, "%s: %s\n", u, ready.Status)
	return nil
}
