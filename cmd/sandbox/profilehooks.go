package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/partnersandbox/sandbox/internal/webhook"
)

func init() {
	commands["profile-webhooks"] = command{"receive profile webhooks and check their signatures (sandbox profile-webhooks -h)",
		func(w io.Writer) {
			printFlags(w, "usage: sandbox profile-webhooks [--addr HOST:PORT] [--secret S] [--status CODE]", profileWebhooksFlags(new(profileWebhooksOpts)))
		},
		func(args []string) error {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return profileWebhooks(ctx, args, os.Stdout)
		}}
}

type profileWebhooksOpts struct {
	addr, secret string
	status       int
}

func profileWebhooksFlags(o *profileWebhooksOpts) *flag.FlagSet {
	fs := flag.NewFlagSet("profile-webhooks", flag.ContinueOnError)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:9999", "address to listen on")
	fs.StringVar(&o.secret, "secret", "", "the webhook's secret (PUT /__sandbox/tenants/{tenant}/webhook returns it)")
	fs.IntVar(&o.status, "status", http.StatusOK, "status to answer, e.g. 500 to watch the sandbox retry")
	return fs
}

// profileWebhooks is a webhook receiver for trying the profile API's webhooks from a
// terminal: it prints each event and whether its X-Sandbox-Signature is valid for the
// secret, and answers 200 (or --status).
func profileWebhooks(ctx context.Context, args []string, out io.Writer) error {
	var o profileWebhooksOpts
	if err := parseFlags("profile-webhooks", profileWebhooksFlags(&o), args, out); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	var mu sync.Mutex // one event printed at a time
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		check := "signature not checked (no --secret)"
		if o.secret != "" {
			check = "signature OK"
			if r.Header.Get(webhook.SignatureHeader) != webhook.Sign(o.secret, body) {
				check = "signature BAD"
			}
		}
		mu.Lock()
		fmt.Fprintf(out, "%s %s %s (%s)\n%s\n", r.Method, r.URL.Path, r.Header.Get("X-Sandbox-Event"), check, body)
		mu.Unlock()
		w.WriteHeader(o.status)
	})}
	mu.Lock()
	fmt.Fprintf(out, "listening on http://%s\n", ln.Addr())
	mu.Unlock()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
