// Package loopback loads an http.Handler over real loopback connections, for the
// benchmark commands: the same client code measures every handler compared in one run.
package loopback

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"
)

// Rate serves h on loopback and runs conc keep-alive clients for d, each sending the
// requests newRequest makes (its i-th call gets i, spread over the clients) and wanting
// 200. It returns requests per second, or the first failure.
func Rate(h http.Handler, d time.Duration, conc int, newRequest func(base string, i int) *http.Request) (float64, error) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	return RateAt(srv.URL, d, conc, newRequest)
}

// RateAt is Rate against a server already listening at base (http://host:port).
func RateAt(base string, d time.Duration, conc int, newRequest func(base string, i int) *http.Request) (float64, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var n atomic.Int64
	var failure atomic.Value
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; time.Now().Before(deadline) && failure.Load() == nil; i += conc {
				resp, err := client.Do(newRequest(base, i))
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				if err != nil {
					failure.CompareAndSwap(nil, err)
					return
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	if err, _ := failure.Load().(error); err != nil {
		return 0, err
	}
	return float64(n.Load()) / d.Seconds(), nil
}

// Writer is a ResponseWriter that keeps the status and allocates nothing itself, like
// net/http's own (whose header map is made with the request, as NewWriter does), so
// allocation counts are the handler's alone.
type Writer struct {
	header http.Header
	Status int
}

// NewWriter returns a Writer with an empty header map.
func NewWriter() *Writer { return &Writer{header: http.Header{}} }

func (w *Writer) Header() http.Header { return w.header }

func (w *Writer) WriteHeader(status int) {
	if w.Status == 0 {
		w.Status = status
	}
}

func (w *Writer) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return len(b), nil
}
