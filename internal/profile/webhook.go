package profile

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gen "github.com/partnersandbox/sandbox/generated/profile"
	"github.com/partnersandbox/sandbox/internal/clock"
	"github.com/partnersandbox/sandbox/internal/store"
)

// Webhook is a tenant's webhook, as the vendor configures it.
type Webhook struct {
	URL           string `json:"url"`
	AuthType      string `json:"authType"` // None, ApiKey, Basic
	HeaderName    string `json:"headerName,omitempty"`
	APIKey        string `json:"apiKey,omitempty" mask:"secret"`
	Username      string `json:"username,omitempty"`
	Password      string `json:"password,omitempty" mask:"secret"`
	RetryCount    int    `json:"retryCount"`
	RetryInterval int    `json:"retryInterval"` // seconds before the first retry; doubles
	Secret        string `json:"secret" mask:"secret"`
}

// Delivery statuses.
const (
	deliveryPending   = "pending"
	deliveryDelivered = "delivered"
	deliveryFailed    = "failed"
)

// Delivery is one event on its way to the tenant's webhook, with its attempts so far.
type Delivery struct {
	ID             string    `json:"id"`
	EventID        string    `json:"eventId"`
	EventType      string    `json:"eventType"`
	URL            string    `json:"url"`
	Body           []byte    `json:"body"` // the exact bytes signed and sent on every attempt
	Attempts       int       `json:"attempts"`
	Status         string    `json:"status"`
	LastStatusCode int       `json:"lastStatusCode"`
	LastError      string    `json:"lastError"`
	Created        time.Time `json:"createdAt"`              // sandbox clock
	LastAttempt    time.Time `json:"lastAttemptAt,omitzero"` // sandbox clock
	NextAttempt    time.Time `json:"nextAttemptAt,omitzero"` // real time: retries wait on the wall clock
	// Lease names the attempt under way (real time LeaseUntil): replicas sharing a store
	// deliver each event once, and if the one attempting dies, another retries after
	// LeaseUntil. An attempt records its result only while it still holds the lease.
	Lease      string    `json:"lease,omitempty"`
	LeaseUntil time.Time `json:"leaseUntil,omitzero"`
}

// leaseMargin is how long past its timeout an attempt keeps its lease (to record the result).
const leaseMargin = 2 * time.Second

// due says whether a pending delivery may be attempted at now (real time).
func (dl *Delivery) due(now time.Time) bool {
	return dl.Status == deliveryPending && !now.Before(dl.NextAttempt) && !now.Before(dl.LeaseUntil)
}

// maxDeliveries bounds each tenant's delivery log (oldest dropped first).
const maxDeliveries = 200

// SignatureHeader carries the HMAC-SHA256 of the body keyed with the webhook's secret.
const SignatureHeader = "X-Sandbox-Signature"

// Sign returns the X-Sandbox-Signature value of body.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// events collects the webhook deliveries a transaction creates, to hand them to the
// deliverer once it has committed.
type events struct {
	s      *Service
	tenant string
	ids    []string
}

func (s *Service) events(tenant string) *events { return &events{s: s, tenant: tenant} }

// add records an event as a pending delivery, if the tenant has a webhook.
func (e *events) add(tx store.Tx, submissionID string, typ gen.WebhookEventType, data map[string]any) {
	v, ok := kindWebhook.Get(tx, "config")
	if !ok {
		return
	}
	hook := v
	now := e.s.clock.Now(e.tenant)
	evt := gen.WebhookEvent{Id: "evt_" + randomHex(16), Type: typ, TenantId: e.tenant,
		SubmissionId: submissionID, OccurredAt: now.UTC().Format(time.RFC3339), Data: data}
	body, err := json.Marshal(evt)
	if err != nil { // data is built from strings and nils only
		panic(fmt.Sprintf("profile: webhook event does not marshal: %v", err))
	}
	n := nextSeq(tx, kindDelivery.Name())
	id := seqID(n)
	kindDelivery.Put(tx, id, &Delivery{ID: "dlv_" + id, EventID: evt.Id, EventType: string(typ), URL: hook.URL,
		Body: body, Status: deliveryPending, Created: now})
	if n > maxDeliveries {
		kindDelivery.Delete(tx, seqID(n-maxDeliveries))
	}
	e.ids = append(e.ids, id)
}

// send hands the committed deliveries to the deliverer; it never waits for them.
func (e *events) send() {
	if len(e.ids) > 0 {
		e.s.hooks.enqueue(e.tenant, e.ids...)
	}
}

// deliverer POSTs webhook deliveries from a bounded queue with a fixed pool of workers.
// A sweeper re-queues deliveries whose retry is due (and any the full queue turned away)
// and runs the automatic reviews whose time has come. It starts with the first webhook
// and stops with Close.
type deliverer struct {
	store   store.Store
	tenants func(ctx context.Context, api string) ([]string, error)
	clock   *clock.Clock
	log     *slog.Logger
	client  *http.Client
	lease   time.Duration // an attempt's lease
	workers int
	sweep   time.Duration
	reviews func(ctx context.Context, tenant string)

	jobs    chan job
	ctx     context.Context
	cancel  context.CancelFunc
	start   sync.Once
	wg      sync.WaitGroup
	mu      sync.Mutex
	queued  map[job]bool // queued or being attempted
	stopped bool

	delivered, failed atomic.Int64 // attempts, for the metrics
}

type job struct{ tenant, id string }

func newDeliverer(st store.Store, tenants func(context.Context, string) ([]string, error), clk *clock.Clock, log *slog.Logger, cfg Config) *deliverer {
	ctx, cancel := context.WithCancel(context.Background())
	return &deliverer{
		store: st, tenants: tenants, clock: clk, log: log,
		client:  &http.Client{Timeout: cfg.WebhookTimeout},
		lease:   cfg.WebhookTimeout + leaseMargin,
		workers: cfg.WebhookWorkers, sweep: cfg.SweepInterval,
		jobs: make(chan job, 256), ctx: ctx, cancel: cancel, queued: map[job]bool{},
	}
}

func (d *deliverer) run() {
	d.start.Do(func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.stopped {
			return
		}
		for range d.workers {
			d.wg.Add(1)
			go d.work()
		}
		d.wg.Add(1)
		go d.sweeper()
	})
}

// Close stops the workers and the sweeper and waits for them; deliveries still pending
// stay pending in the store.
func (d *deliverer) Close() {
	d.mu.Lock()
	d.stopped = true
	d.mu.Unlock()
	d.cancel()
	d.wg.Wait()
}

// enqueue queues deliveries without blocking: when the queue is full the sweeper picks
// them up later.
func (d *deliverer) enqueue(tenant string, ids ...string) {
	d.run()
	for _, id := range ids {
		j := job{tenant, id}
		d.mu.Lock()
		if d.stopped || d.queued[j] {
			d.mu.Unlock()
			continue
		}
		d.queued[j] = true
		d.mu.Unlock()
		select {
		case d.jobs <- j:
		default:
			d.done(j)
		}
	}
}

func (d *deliverer) done(j job) {
	d.mu.Lock()
	delete(d.queued, j)
	d.mu.Unlock()
}

func (d *deliverer) work() {
	defer d.wg.Done()
	for {
		select {
		case <-d.ctx.Done():
			return
		case j := <-d.jobs:
			retryIn, retry := d.attempt(j)
			d.done(j)
			switch {
			case !retry:
			case retryIn <= 0:
				d.enqueue(j.tenant, j.id)
			default:
				time.AfterFunc(retryIn, func() { d.enqueue(j.tenant, j.id) })
			}
		}
	}
}

func (d *deliverer) sweeper() {
	defer d.wg.Done()
	t := time.NewTicker(d.sweep)
	defer t.Stop()
	for {
		select {
		case <-d.ctx.Done():
			return
		case <-t.C:
			tenants, _ := d.tenants(d.ctx, "profile") // a failing store is tried again next tick
			for _, tenant := range tenants {
				if d.reviews != nil {
					d.reviews(d.ctx, tenant)
				}
				d.requeue(tenant)
			}
		}
	}
}

// requeue queues a tenant's pending deliveries whose next attempt is due.
func (d *deliverer) requeue(tenant string) {
	now := time.Now()
	var due []string
	_ = d.store.View(d.ctx, partition(tenant), func(tx store.Reader) error {
		kindDelivery.Scan(tx, func(id string, v *Delivery) bool {
			if v.due(now) {
				due = append(due, id)
			}
			return true
		})
		return nil
	})
	if len(due) > 0 {
		d.enqueue(tenant, due...)
	}
}

// attempt makes one delivery attempt and records it; it says whether and when to retry.
// It first takes the delivery's lease, so that no other worker or replica attempts it
// meanwhile; a lease whose holder died runs out and the sweeper of any replica retries.
func (d *deliverer) attempt(j job) (time.Duration, bool) {
	lease := randomHex(8)
	dl, hook, err := d.take(j, lease)
	if err != nil { // not due, or the store failed: the sweeper looks again
		return 0, false
	}
	// Each attempt goes to the webhook as it is now, so fixing a URL rescues pending retries.
	code, errText := 0, "the tenant has no webhook any more"
	if hook != nil {
		dl.URL = hook.URL
		code, errText = d.post(hook, &dl)
	}
	if d.ctx.Err() != nil {
		return 0, false // stopping: the attempt did not really happen
	}
	if errText == "" {
		d.delivered.Add(1)
	} else {
		d.failed.Add(1)
	}
	return d.record(j, lease, hook, attemptResult{url: dl.URL, code: code, errText: errText})
}

// take leases a due delivery for one attempt (no other replica attempts it meanwhile) and
// returns it with the tenant's webhook (nil if it has none any more).
func (d *deliverer) take(j job, lease string) (Delivery, *Webhook, error) {
	var dl Delivery
	var hook *Webhook
	err := d.store.Update(d.ctx, partition(j.tenant), func(tx store.Tx) error {
		dl, hook = Delivery{}, nil
		now := time.Now()
		v, ok := kindDelivery.Get(tx, j.id)
		if !ok || !v.due(now) {
			return errSkip
		}
		dl = *v
		dl.Lease, dl.LeaseUntil = lease, now.Add(d.lease)
		leased := dl // stored values are never changed: the caller changes dl, so store a copy
		kindDelivery.Put(tx, j.id, &leased)
		hook, _ = kindWebhook.Get(tx, "config")
		return nil
	})
	return dl, hook, err
}

// attemptResult is how one attempt went.
type attemptResult struct {
	url, errText string
	code         int
}

// record writes an attempt's result to the delivery it leased and says whether and when
// to retry (nothing, if the lease ran out or the delivery is gone).
func (d *deliverer) record(j job, lease string, hook *Webhook, res attemptResult) (time.Duration, bool) {
	var retryIn time.Duration
	var retry bool
	_ = d.store.Update(d.ctx, partition(j.tenant), func(tx store.Tx) error {
		retryIn, retry = 0, false
		v, ok := kindDelivery.Get(tx, j.id)
		if !ok || v.Lease != lease { // reset or pruned meanwhile, or the lease ran out
			return errSkip
		}
		next := *v
		next.Lease, next.LeaseUntil = "", time.Time{}
		next.URL, next.Attempts, next.LastStatusCode, next.LastError = res.url, next.Attempts+1, res.code, res.errText
		next.LastAttempt = d.clock.Now(j.tenant)
		retries, interval := 0, 0
		if hook != nil {
			retries, interval = hook.RetryCount, hook.RetryInterval
		}
		switch {
		case res.errText == "":
			next.Status = deliveryDelivered
		case next.Attempts > retries:
			next.Status = deliveryFailed
		default:
			retryIn = time.Duration(interval) * time.Second << (next.Attempts - 1)
			next.NextAttempt = time.Now().Add(retryIn)
			retry = true
		}
		kindDelivery.Put(tx, j.id, &next)
		return nil
	})
	return retryIn, retry
}

var errSkip = errors.New("skip")

// post sends a delivery; it returns the status code (0 if none) and "" on success or what
// went wrong.
func (d *deliverer) post(hook *Webhook, dl *Delivery) (int, string) {
	req, err := http.NewRequestWithContext(d.ctx, http.MethodPost, hook.URL, bytes.NewReader(dl.Body))
	if err != nil {
		return 0, "bad webhook URL: " + err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "partner-sandbox-webhooks/1")
	req.Header.Set("X-Sandbox-Event", dl.EventType)
	req.Header.Set("X-Sandbox-Delivery", dl.ID)
	req.Header.Set(SignatureHeader, Sign(hook.Secret, dl.Body))
	switch hook.AuthType {
	case "ApiKey":
		req.Header.Set(hook.HeaderName, hook.APIKey)
	case "Basic":
		req.SetBasicAuth(hook.Username, hook.Password)
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Sprintf("the webhook answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return resp.StatusCode, ""
}

// checkWebhook validates a webhook configuration and fills in its defaults.
func checkWebhook(w Webhook) (Webhook, error) {
	var problems []string
	u, err := url.Parse(w.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		problems = append(problems, "url: must be an absolute http:// or https:// URL")
	}
	switch w.AuthType {
	case "None":
		w.HeaderName, w.APIKey, w.Username, w.Password = "", "", "", ""
	case "ApiKey":
		if w.HeaderName == "" || strings.ContainsAny(w.HeaderName, " :\t\r\n") {
			problems = append(problems, "authSettings.headerName: is required for ApiKey and must be a header name")
		}
		if w.APIKey == "" {
			problems = append(problems, "authSettings.apiKey: is required for ApiKey")
		}
		w.Username, w.Password = "", ""
	case "Basic":
		if w.Username == "" || strings.Contains(w.Username, ":") {
			problems = append(problems, "authSettings.username: is required for Basic and must not contain ':'")
		}
		if w.Password == "" {
			problems = append(problems, "authSettings.password: is required for Basic")
		}
		w.HeaderName, w.APIKey = "", ""
	}
	if len(problems) > 0 {
		return w, &Error{Kind: errInvalid, Message: strings.Join(problems, "; "), messages: problems}
	}
	if w.Secret == "" {
		w.Secret = "whsec_" + randomHex(24)
	}
	return w, nil
}

// SetWebhook registers or replaces the tenant's webhook.
func (s *Service) SetWebhook(ctx context.Context, tenant string, w Webhook) (Webhook, error) {
	w, err := checkWebhook(w)
	if err != nil {
		return w, err
	}
	err = s.store.Update(ctx, partition(tenant), func(tx store.Tx) error {
		kindWebhook.Put(tx, "config", &w)
		return nil
	})
	if err == nil {
		s.hooks.run() // the sweeper now has reviews to fire events for
	}
	return w, err
}

// Webhook returns the tenant's webhook, if any.
func (s *Service) Webhook(ctx context.Context, tenant string) (*Webhook, error) {
	var out *Webhook
	err := s.store.View(ctx, partition(tenant), func(tx store.Reader) error {
		if v, ok := kindWebhook.Get(tx, "config"); ok {
			out = v
		}
		return nil
	})
	return out, err
}

// DeleteWebhook removes the tenant's webhook; pending deliveries then fail.
func (s *Service) DeleteWebhook(ctx context.Context, tenant string) error {
	return s.store.Update(ctx, partition(tenant), func(tx store.Tx) error {
		kindWebhook.Delete(tx, "config")
		return nil
	})
}

// Deliveries returns the tenant's delivery log, newest first.
func (s *Service) Deliveries(ctx context.Context, tenant string) ([]*Delivery, error) {
	var out []*Delivery
	err := s.store.View(ctx, partition(tenant), func(tx store.Reader) error {
		kindDelivery.Scan(tx, func(_ string, v *Delivery) bool {
			out = append(out, v)
			return true
		})
		return nil
	})
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, err
}

// Outbox returns the tenant's outbox, oldest first.
func (s *Service) Outbox(ctx context.Context, tenant string) ([]*OutboxMessage, error) {
	var out []*OutboxMessage
	err := s.store.View(ctx, partition(tenant), func(tx store.Reader) error {
		kindOutbox.Scan(tx, func(_ string, v *OutboxMessage) bool {
			out = append(out, v)
			return true
		})
		return nil
	})
	return out, err
}
