package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/partnersandbox/sandbox/internal/journal"
	"github.com/partnersandbox/sandbox/internal/store"
)

// Journal is the journal as a Redis stream capped at its capacity and, with LimitBytes, at
// a total of body bytes (counted beside the stream), the oldest entries leaving first. Entry ids come
// from a counter in the same script, so they are the stream's ids ("0-N") and never repeat.
type Journal struct {
	db       *DB
	capacity int
	maxBytes int // LimitBytes
}

var _ journal.Shared = (*Journal)(nil)

// Journal returns the shared journal that keeps capacity entries.
func (db *DB) Journal(capacity int) *Journal { return &Journal{db: db, capacity: max(capacity, 1)} }

// appendScript adds the entry, then drops the oldest entries while the stream holds more
// than its capacity (ARGV[2]) or its bodies, counted in KEYS[4], more than ARGV[6] bytes
// (0: no bound); the newest entry always stays.
var appendScript = redis.NewScript(epochCheck + `
local id = redis.call('INCR', KEYS[3])
redis.call('XADD', KEYS[2], '0-' .. id, 'e', ARGV[3], 'q', ARGV[4], 's', ARGV[5])
local total = redis.call('INCRBY', KEYS[4], #ARGV[4] + #ARGV[5])
local cap, max = tonumber(ARGV[2]), tonumber(ARGV[6])
local len = redis.call('XLEN', KEYS[2])
while len > 1 and (len > cap or (max > 0 and total > max)) do
  local old = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)[1]
  local f, n = old[2], 0
  for i = 1, #f, 2 do
    if f[i] == 'q' or f[i] == 's' then n = n + #f[i + 1] end
  end
  redis.call('XDEL', KEYS[2], old[1])
  total = redis.call('DECRBY', KEYS[4], n)
  len = len - 1
end
return id`)

func (j *Journal) keys() []string {
	return []string{j.db.key("journal"), j.db.key("journal:seq"), j.db.key("journal:bytes")}
}

// LimitBytes bounds the bodies the journal keeps in total to n bytes (0: no bound but its
// capacity), as journal.Journal.LimitBytes does in memory; it returns j.
func (j *Journal) LimitBytes(n int) *Journal {
	j.maxBytes = max(n, 0)
	return j
}

// errSkipped is Append's answer while Redis is failing: the call (answered 503 already)
// is not held up by a journal write that cannot succeed either.
var errSkipped = errors.New("journal entry skipped: redis is failing")

// Append records a (masked) entry, even if the call's client has gone meanwhile.
func (j *Journal) Append(ctx context.Context, e journal.Entry) error {
	ctx = context.WithoutCancel(ctx)
	if j.db.down() {
		return fmt.Errorf("%w: %w", store.ErrUnavailable, errSkipped)
	}
	req, resp := journal.Fit(e.Request, e.Response, j.maxBytes)
	e.Request, e.Response = nil, nil // kept as raw fields: no base64 in JSON
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = j.db.run(ctx, appendScript, j.keys(), j.capacity, data, req, resp, j.maxBytes)
	return err
}

var sizeScript = redis.NewScript(epochCheck + `
local es = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', ARGV[2])
local bytes = 0
for _, e in ipairs(es) do
  local f = e[2]
  for i = 1, #f, 2 do
    if f[i] == 'q' or f[i] == 's' then bytes = bytes + #f[i + 1] end
  end
end
return {#es, bytes}`)

// Size says how many entries the journal holds (the newest capacity ones) and the bytes
// of their bodies, summed in Redis.
func (j *Journal) Size(ctx context.Context) (int, int, error) {
	res, err := j.db.run(ctx, sizeScript, j.keys()[:1], j.capacity)
	if err != nil {
		return 0, 0, err
	}
	r := asSlice(res)
	return int(asInt(r[0])), int(asInt(r[1])), nil
}

// List returns the matching entries among the newest capacity ones, newest first.
func (j *Journal) List(ctx context.Context, f journal.Filter) ([]journal.Entry, error) {
	ctx, cancel := context.WithTimeout(ctx, j.db.timeout)
	defer cancel()
	msgs, err := j.db.rdb.XRevRangeN(ctx, j.db.key("journal"), "+", "-", int64(j.capacity)).Result()
	if err != nil {
		return nil, j.db.fail(err)
	}
	var out []journal.Entry
	for _, m := range msgs {
		var e journal.Entry
		data, _ := m.Values["e"].(string)
		if err := json.Unmarshal([]byte(data), &e); err != nil {
			return nil, j.db.fail(fmt.Errorf("journal entry %s: %v", m.ID, err))
		}
		req, _ := m.Values["q"].(string)
		resp, _ := m.Values["s"].(string)
		e.Request, e.Response = []byte(req), []byte(resp)
		_, seq, _ := strings.Cut(m.ID, "-")
		e.ID, _ = strconv.ParseInt(seq, 10, 64)
		if f.Match(&e) {
			out = append(out, e)
			if f.Limit > 0 && len(out) >= f.Limit {
				break
			}
		}
	}
	return out, nil
}

var clearScript = redis.NewScript(epochCheck + `
local n = redis.call('XLEN', KEYS[2])
redis.call('DEL', KEYS[2], KEYS[3])
return n`)

// Clear drops every entry and says how many the journal held.
func (j *Journal) Clear(ctx context.Context) (int, error) {
	res, err := j.db.run(ctx, clearScript, []string{j.db.key("journal"), j.db.key("journal:bytes")})
	if err != nil {
		return 0, err
	}
	return min(int(asInt(res)), j.capacity), nil
}
