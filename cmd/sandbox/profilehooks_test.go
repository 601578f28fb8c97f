package main

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnersandbox/sandbox/internal/webhook"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestProfileWebhooksChecksSignatures(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() { done <- profileWebhooks(ctx, []string{"--addr", "127.0.0.1:0", "--secret", "s3"}, &out) }()
	var url string
	for deadline := time.Now().Add(5 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		url = regexp.MustCompile(`http://\S+`).FindString(out.String())
	}
	if url == "" {
		t.Fatal("the receiver did not start")
	}
	body := []byte(`{"type":"profile.created"}`)
	for _, sig := range []string{webhook.Sign("s3", body), webhook.Sign("other", body)} {
		req, _ := http.NewRequest("POST", url+"/hooks", bytes.NewReader(body))
		req.Header.Set(webhook.SignatureHeader, sig)
		req.Header.Set("X-Sandbox-Event", "profile.created")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("post: %v %v", resp, err)
		}
		resp.Body.Close()
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if !strings.Contains(got, "profile.created (signature OK)") || !strings.Contains(got, "profile.created (signature BAD)") {
		t.Fatalf("output:\n%s", got)
	}
}
