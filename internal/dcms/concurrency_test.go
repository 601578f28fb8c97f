package dcms_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
)

// TestConcurrentKitOperations races manageKit, manageAllKits and replacements on the same
// kits and checks that no update was lost and no replacement was half done or doubled.
func TestConcurrentKitOperations(t *testing.T) {
	s := newSandbox(t)
	const entity, mobile = "800200", "9000000200"
	kits := []any{map[string]any{"cardType": "VIRTUAL"}, map[string]any{"cardType": "VIRTUAL"}, map[string]any{"cardType": "PHYSICAL"}}
	body := registration(entity, mobile)
	body["kitInfo"] = kits
	var initial []string
	for _, k := range s.post(t, "/v1/register", body).ok(t).obj(t)["kitInfo"].([]any) {
		no := k.(map[string]any)["kitNo"].(string)
		initial = append(initial, no)
		s.post(t, "/v1/kit-manager/kitActivation", map[string]any{"entityId": entity, "kitNo": no}).ok(t)
	}

	type outcome struct {
		op, kitNo string // kitNo "" for manageAllKits
		status    int
		code      string
		result    map[string]any
	}
	run := func(workers, each int, pick func(r *rand.Rand) (string, map[string]any)) []outcome {
		var mu sync.Mutex
		var out []outcome
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(w), 7))
				for range each {
					path, req := pick(r)
					resp := s.dcms.Post(path, req)
					var env struct {
						Result    any            `json:"result"`
						Exception map[string]any `json:"exception"`
					}
					if err := json.Unmarshal(resp.Body, &env); err != nil {
						t.Errorf("%s: %v", path, err)
						continue
					}
					o := outcome{status: resp.Status, result: asMap(env.Result)}
					if op, ok := req["operation"].(string); ok {
						o.op = op
					}
					if k, ok := req["oldKit"].(string); ok {
						o.kitNo = k
					}
					if env.Exception != nil {
						o.code, _ = env.Exception["errorCode"].(string)
					}
					if o.status != 200 && o.status != 400 {
						t.Errorf("%s %v: status %d %s", path, req, resp.Status, resp.Body)
					}
					mu.Lock()
					out = append(out, o)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		return out
	}
	manage := func(kitNo, op string) map[string]any {
		return map[string]any{"entityId": entity, "oldKit": kitNo, "operation": op, "cardType": "VIRTUAL"}
	}

	// Phase 1: LOCK and UNLOCK only, one kit at a time and all at once. Every successful LOCK
	// is ACTIVE→LOCKED and every UNLOCK LOCKED→ACTIVE, so per kit they must alternate: locks
	// minus unlocks is 1 if the kit ends LOCKED, else 0. A lost update breaks that.
	phase1 := run(16, 40, func(r *rand.Rand) (string, map[string]any) {
		op := []string{"LOCK", "UNLOCK"}[r.IntN(2)]
		if r.IntN(4) == 0 {
			return "/v1/kit-manager/manageAllKits", map[string]any{"mobileNo": mobile, "operation": op, "reason": "TEST", "changer": "race", "channel": "WEB"}
		}
		return "/v1/kit-manager/manageKit", manage(initial[r.IntN(len(initial))], op)
	})
	net := map[string]int{}
	for _, o := range phase1 {
		if o.status != 200 {
			if o.code != "card.already.locked" && o.code != "card.already.active" && o.code != "card.not.found" {
				t.Fatalf("phase 1: unexpected refusal %s", o.code)
			}
			continue
		}
		d := map[string]int{"LOCK": 1, "UNLOCK": -1}[o.op]
		if o.kitNo != "" {
			net[o.kitNo] += d
			continue
		}
		for _, c := range o.result["managedCards"].([]any) {
			net[c.(map[string]any)["kitNo"].(string)] += d
		}
	}
	for _, k := range initial {
		want := map[string]int{"LOCKED": 1, "ACTIVE": 0}
		st := s.status(t, k)
		if w, ok := want[st]; !ok || net[k] != w {
			t.Fatalf("kit %s ends %s after a net %d successful locks: an update was lost", k, st, net[k])
		}
	}

	// Phase 2: blocks and replacements race on the same kits.
	phase2 := run(16, 25, func(r *rand.Rand) (string, map[string]any) {
		if r.IntN(5) == 0 {
			return "/v1/kit-manager/manageAllKits", map[string]any{"entityId": entity, "operation": []string{"BLOCK", "LOCK", "UNLOCK"}[r.IntN(3)]}
		}
		return "/v1/kit-manager/manageKit", manage(initial[r.IntN(len(initial))], []string{"LOCK", "UNLOCK", "BLOCK", "REPLACE", "BLOCK_AND_REPLACE"}[r.IntN(5)])
	})
	replacedBy := map[string][]string{} // old kit → new kits of successful replacements
	blocks := map[string]int{}
	for _, o := range phase2 {
		if o.status != 200 {
			continue
		}
		switch o.op {
		case "REPLACE", "BLOCK_AND_REPLACE":
			nk := o.result["newKit"].(map[string]any)["kitNo"].(string)
			replacedBy[o.kitNo] = append(replacedBy[o.kitNo], nk)
			if o.op == "BLOCK_AND_REPLACE" {
				blocks[o.kitNo]++
			}
		case "BLOCK":
			if o.kitNo != "" {
				blocks[o.kitNo]++
			} else {
				for _, c := range o.result["managedCards"].([]any) {
					blocks[c.(map[string]any)["kitNo"].(string)]++
				}
			}
		}
	}

	view := s.kits(t, entity)
	newKits := 0
	for old, news := range replacedBy {
		if len(news) != 1 {
			t.Fatalf("kit %s was replaced %d times: %v", old, len(news), news)
		}
		if st := s.status(t, old); st != "REPLACED" && st != "BLOCKED" {
			t.Fatalf("replaced kit %s is %s", old, st)
		}
		if _, ok := view[news[0]]; !ok {
			t.Fatalf("replacement %s of %s is not the customer's", news[0], old)
		}
		newKits++
	}
	if len(view) != len(initial)+newKits {
		t.Fatalf("customer has %d kits, want %d initial + %d replacements: %v", len(view), len(initial), newKits, keys(view))
	}
	for k, n := range blocks {
		if n > 1 {
			t.Fatalf("kit %s was blocked %d times: BLOCKED is final", k, n)
		}
	}
	for no, k := range view {
		if k["entityId"] != entity {
			t.Fatalf("kit %s shows owner %v", no, k["entityId"])
		}
	}
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func keys(m map[string]map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, fmt.Sprint(k))
	}
	return out
}
