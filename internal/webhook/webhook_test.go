package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/partnersandbox/sandbox/internal/clock"
	"github.com/partnersandbox/sandbox/internal/store"
)

func TestInternal(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1": "loopback", "127.9.9.9": "loopback", "::1": "loopback",
		"10.0.0.1": "private", "172.16.0.1": "private", "172.31.255.255": "private", "192.168.0.1": "private",
		"fc00::1": "unique local", "fdff::1": "unique local",
		"169.254.169.254": "link-local", "fe80::1": "link-local",
		"0.0.0.0": "unspecified", "::": "unspecified",
		"100.64.0.1": "carrier-grade", "224.0.0.1": "multicast", "ff02::1": "multicast", "255.255.255.255": "reserved",
		"::ffff:10.0.0.1": "private", "64:ff9b::7f00:1": "loopback", "2002:a00:1::": "private",
		"8.8.8.8": "", "172.32.0.1": "", "2606:4700::1111": "", "100.128.0.1": "",
	} {
		got := Internal(netip.MustParseAddr(addr))
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q", addr, got, want)
		}
	}
}

// newTest returns a deliverer over st for tests, with private addresses allowed or not.
func newTest(st store.Store, allowPrivate bool) *Deliverer {
	d := New(Options{Store: st, API: "profile", Kinds: testKinds, Clock: &clock.Clock{},
		Tenants: func(ctx context.Context, api string) ([]string, error) { return []string{"t"}, nil },
		Timeout: time.Second, Workers: 2, Sweep: 10 * time.Millisecond, AllowPrivate: allowPrivate})
	return d
}

var (
	testStoreKinds = store.Kinds{}
	testKinds      = Define(testStoreKinds)
)

// newStore is an in-memory store, behind store.Encoded under SANDBOX_TEST_STORE=encoded
// (values through JSON, every Update run twice, as a network backend).
func newStore() store.Backend {
	if os.Getenv("SANDBOX_TEST_STORE") == "encoded" {
		return &store.Encoded{Inner: store.NewMemory(nil), Kinds: map[string]store.Kinds{"profile": testStoreKinds}}
	}
	return store.NewMemory(nil)
}

// put stores an endpoint directly (as a restored snapshot would, without the check).
func put(t *testing.T, st store.Store, url string) {
	t.Helper()
	err := st.Update(context.Background(), store.Partition{API: "profile", Tenant: "t"}, func(tx store.Tx) error {
		testKinds.endpoint.Put(tx, endpointID, &Endpoint{URL: url, AuthType: "None", Secret: "s"})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func enqueue(t *testing.T, st store.Store, d *Deliverer, n int) {
	t.Helper()
	for i := range n {
		err := st.Update(context.Background(), store.Partition{API: "profile", Tenant: "t"}, func(tx store.Tx) error {
			d.Enqueue(tx, time.Now(), func() Event {
				return Event{ID: fmt.Sprintf("evt_%d", i), Type: "x", Body: []byte(fmt.Sprintf(`{"id":"evt_%d"}`, i))}
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func waitSettled(t *testing.T, d *Deliverer) Log {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		log, err := d.Log(context.Background(), "t")
		if err != nil {
			t.Fatal(err)
		}
		pending := 0
		for _, dl := range log.Deliveries {
			if dl.Status == Pending {
				pending++
			}
		}
		if pending == 0 {
			return log
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d still pending", pending)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestTwoReplicasDeliverEachEventOnce: two deliverers share one store, as replicas share
// Redis; both are woken for every event, and each event reaches the receiver exactly once.
func TestTwoReplicasDeliverEachEventOnce(t *testing.T) {
	var mu sync.Mutex
	got := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev struct{ ID string }
		_ = json.NewDecoder(r.Body).Decode(&ev)
		mu.Lock()
		got[ev.ID]++
		mu.Unlock()
	}))
	defer srv.Close()
	st := newStore()
	a, b := newTest(st, true), newTest(st, true)
	defer a.Close()
	defer b.Close()
	put(t, st, srv.URL)
	enqueue(t, st, a, 50)
	a.Wake("t")
	b.Wake("t")
	log := waitSettled(t, a)
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 50 || len(log.Deliveries) != 50 {
		t.Fatalf("%d events received, %d logged", len(got), len(log.Deliveries))
	}
	for id, n := range got {
		if n != 1 {
			t.Errorf("%s delivered %d times", id, n)
		}
	}
}

// TestDialRefusesInternalAddresses: an endpoint that reached the store without the
// configuration check (a restored snapshot) and names a host resolving to loopback is
// refused when dialled, after the look-up, and logged as refused, never retried.
func TestDialRefusesInternalAddresses(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	st := newStore()
	d := newTest(st, false)
	defer d.Close()
	put(t, st, strings.Replace(srv.URL, "127.0.0.1", "localhost", 1))
	enqueue(t, st, d, 1)
	d.Wake("t")
	log := waitSettled(t, d)
	dl := log.Deliveries[0]
	if dl.Status != Refused || dl.Attempts != 1 || !strings.Contains(dl.LastError, "a loopback address") || hits.Load() != 0 {
		t.Fatalf("delivery %+v, receiver hit %d times", dl, hits.Load())
	}
}

// TestLogKeepsTheLastDeliveries: past MaxLog the oldest finished deliveries leave the log,
// never a pending one.
func TestLogKeepsTheLastDeliveries(t *testing.T) {
	st := newStore()
	d := New(Options{Store: st, API: "profile", Kinds: testKinds, MaxPending: 3, MaxLog: 5})
	put(t, st, "http://127.0.0.1:9/")
	enqueue(t, st, d, 12) // 3 pending (1-3), 9 dropped (4-12)
	log, _ := d.Log(context.Background(), "t")
	var ids []string
	for _, dl := range log.Deliveries {
		ids = append(ids, dl.ID[len(dl.ID)-2:]+":"+dl.Status)
	}
	want := "12:dropped 11:dropped 10:dropped 09:dropped 08:dropped 03:pending 02:pending 01:pending"
	if strings.Join(ids, " ") != want || log.Dropped != 9 {
		t.Fatalf("log %s (dropped %d), want %s", strings.Join(ids, " "), log.Dropped, want)
	}
}
