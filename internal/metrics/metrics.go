// Package metrics keeps the sandbox's Prometheus metrics: partner calls by API, operation,
// status and outcome, their latency, rule firings, series that read the sandbox's state when
// scraped (tenants, journal, webhook queue), and the Go runtime's.
//
// Counting a call is on the hot path, so it allocates nothing: the label children of every
// operation are resolved once (its catalogue outcomes when the sandbox starts, any other
// status/outcome pair the first time it happens) and a call only looks them up.
package metrics

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/common/expfmt"

	"github.com/partnersandbox/sandbox/internal/server"
	"github.com/partnersandbox/sandbox/scenarios"
)

// Buckets of the latency histogram, in seconds: most answers take well under a millisecond,
// X-Sandbox-Delay holds one up to a minute.
var Buckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}

// Metrics is the sandbox's registry. It is a server.Observer.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	rules    *prometheus.CounterVec

	ops   map[opKey]*opSeries // read-only after New
	mu    sync.Mutex
	extra map[opKey]*opSeries // operations New was not told about
}

var _ server.Observer = (*Metrics)(nil)

type opKey struct{ api, op string }

// opSeries are one operation's label children.
type opSeries struct {
	api, op string
	m       *Metrics
	latency prometheus.Observer
	rules   prometheus.Counter
	// counts is replaced, never changed, when a new status/outcome pair appears.
	counts atomic.Pointer[[]outcomeCount]
	mu     sync.Mutex
}

type outcomeCount struct {
	status  int
	outcome string
	c       prometheus.Counter
}

// New returns the metrics of a sandbox serving ops, with the Go runtime and process
// collectors registered.
func New(ops []*scenarios.Operation) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sandbox_requests_total",
			Help: "Partner API calls answered, by API, operation, HTTP status (0: no answer) and named outcome.",
		}, []string{"api", "operationId", "status", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "sandbox_request_duration_seconds",
			Help:    "Time to answer a partner API call, by API and operation.",
			Buckets: Buckets,
		}, []string{"api", "operationId"}),
		rules: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sandbox_rule_firings_total",
			Help: "Partner API calls decided by an armed rule, by API and operation.",
		}, []string{"api", "operationId"}),
		ops:   map[opKey]*opSeries{},
		extra: map[opKey]*opSeries{},
	}
	m.reg.MustRegister(m.requests, m.latency, m.rules,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewBuildInfoCollector())
	for _, op := range ops {
		s := m.newSeries(op.API, op.ID)
		for _, o := range op.Outcomes {
			s.count(o.Status, o.Name)
		}
		m.ops[opKey{op.API, op.ID}] = s
	}
	return m
}

func (m *Metrics) newSeries(api, op string) *opSeries {
	s := &opSeries{api: api, op: op, m: m,
		latency: m.latency.WithLabelValues(api, op),
		rules:   m.rules.WithLabelValues(api, op),
	}
	s.counts.Store(&[]outcomeCount{})
	return s
}

// Observe counts a finished partner call. It allocates nothing once the call's operation,
// status and outcome have been seen.
func (m *Metrics) Observe(f *server.Finished, _ *server.Call, _ *http.Request) {
	s := m.ops[opKey{f.API, f.OperationID}]
	if s == nil {
		s = m.unknown(f.API, f.OperationID)
	}
	s.count(f.Status, f.Outcome).Inc()
	s.latency.Observe(f.Duration.Seconds())
	if f.Rule != "" {
		s.rules.Inc()
	}
}

// unknown is the series of an operation New was not given (none, when the catalogue
// covers every route, as the pipeline checks).
func (m *Metrics) unknown(api, op string) *opSeries {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := opKey{api, op}
	s := m.extra[k]
	if s == nil {
		s = m.newSeries(api, op)
		m.extra[k] = s
	}
	return s
}

// count is the counter of one status and outcome of the operation.
func (s *opSeries) count(status int, outcome string) prometheus.Counter {
	for _, oc := range *s.counts.Load() {
		if oc.status == status && oc.outcome == outcome {
			return oc.c
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := *s.counts.Load()
	for _, oc := range old { // another call may have added it meanwhile
		if oc.status == status && oc.outcome == outcome {
			return oc.c
		}
	}
	c := s.m.requests.WithLabelValues(s.api, s.op, strconv.Itoa(status), outcome)
	grown := append(append(make([]outcomeCount, 0, len(old)+1), old...), outcomeCount{status, outcome, c})
	s.counts.Store(&grown)
	return c
}

// Gauge registers a series whose value f reads when the metrics are scraped.
func (m *Metrics) Gauge(name, help string, labels map[string]string, f func() float64) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help, ConstLabels: labels}, f))
}

// Counter registers a counter whose value f reads when the metrics are scraped.
func (m *Metrics) Counter(name, help string, labels map[string]string, f func() float64) {
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help, ConstLabels: labels}, f))
}

// Text is every metric in the Prometheus text exposition format. A collector that fails
// leaves a comment line saying so, and the other metrics are still there.
func (m *Metrics) Text() string {
	families, gatherErr := m.reg.Gather()
	var buf bytes.Buffer
	enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range families {
		if err := enc.Encode(mf); err != nil {
			fmt.Fprintf(&buf, "# sandbox: cannot encode %s: %s\n", mf.GetName(), oneLine(err))
		}
	}
	if gatherErr != nil {
		fmt.Fprintf(&buf, "# sandbox: gathering metrics: %s\n", oneLine(gatherErr))
	}
	return buf.String()
}

func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", "; ") }
