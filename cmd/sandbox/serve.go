package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/partnersandbox/sandbox/internal/app"
)

func serve(args []string) error {
	cfg := app.DefaultConfig()
	// Where state lives can come from the environment too (the flags win).
	cfg.Store = envOr("SANDBOX_STORE", cfg.Store)
	cfg.RedisPrefix = envOr("SANDBOX_REDIS_PREFIX", cfg.RedisPrefix)
	if v := os.Getenv("SANDBOX_REDIS_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("SANDBOX_REDIS_TIMEOUT=%q: want a positive Go duration such as 1s or 500ms", v)
		}
		cfg.RedisTimeout = d
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", envOr("SANDBOX_ADDR", "127.0.0.1:8080"), "address to listen on (env SANDBOX_ADDR); port 0 picks a free port")
	cfg.Flags(fs)
	level := fs.String("log-level", "info", "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))
	cfg.Log = log
	app.TuneGC()

	sb, err := app.New(cfg)
	if err != nil {
		return err
	}
	defer sb.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: sb.Handler, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	// The listening line is what scripts and the end-to-end test wait for.
	log.Info("sandbox listening", "addr", ln.Addr().String(), "url", "http://"+ln.Addr().String())

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	if err := sb.Persist(shutdownCtx); err != nil {
		return fmt.Errorf("writing --persist file: %w", err)
	}
	log.Info("stopped")
	return nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
