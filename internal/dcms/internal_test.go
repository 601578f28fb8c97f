package dcms

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var allStatuses = []string{Unallocated, Inactive, Assigned, Active, Locked, Blocked, Replaced, Expired}

// Every operation has an answer for every status: a status the table knows, or a code of
// the error table that the operation's catalogue entry documents.
func TestLifecycleTableIsTotal(t *testing.T) {
	documented := map[string]string{ // lifecycle op → catalogue operation
		OpLock: "manageKit", OpUnlock: "manageKit", OpBlock: "manageKit", OpReplace: "manageKit", OpBlockAndReplace: "manageKit",
		OpActivate: "kitActivation", OpUpgrade: "upgradeCard", OpSetPin: "setPinV2", OpExpire: "expireInstaKits", OpAssign: "registerCustomer",
	}
	codes := map[string][]string{}
	for _, op := range operations {
		codes[op.id] = op.codes
	}
	for op, catOp := range documented {
		if _, ok := lifecycle[op]; !ok {
			t.Fatalf("%s has no row", op)
		}
		for _, st := range allStatuses {
			tr := next(op, &Kit{Status: st})
			switch {
			case tr.code == "" && !contains(allStatuses, tr.to):
				t.Errorf("%s from %s goes to unknown status %q", op, st, tr.to)
			case tr.code != "" && !contains(codes[catOp], tr.code):
				t.Errorf("%s from %s answers %s, which %s does not document", op, st, tr.code, catOp)
			}
		}
	}
	// A replaced kit is never replaced again, whatever its status.
	if tr := next(OpReplace, &Kit{Status: Blocked, ReplacedBy: []string{"1"}}); tr.code != "card.already.closed" {
		t.Fatalf("second replacement: %+v", tr)
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestTestPAN(t *testing.T) {
	seen := map[string]bool{}
	for i := range 500 {
		k := &Kit{KitNo: fmt.Sprint(4240000000 + i), BIN: "608040", Last4: newLast4("T", fmt.Sprint(i))}
		pan := TestPAN("ACME_BANK", k)
		if len(pan) != 16 || !Luhn(pan) || !strings.HasPrefix(pan, "608040") || !strings.HasSuffix(pan, k.Last4) {
			t.Fatalf("PAN %s of kit %+v", pan, k)
		}
		if pan != TestPAN("ACME_BANK", k) {
			t.Fatal("not deterministic")
		}
		seen[pan] = true
	}
	if len(seen) < 495 {
		t.Fatalf("only %d distinct PANs of 500 kits", len(seen))
	}
	k := &Kit{KitNo: "4240171642", BIN: "608040", Last4: "6857"}
	if k.MaskedPAN() != "608040XXXXXX6857" || TestPAN("A", k) == TestPAN("B", k) {
		t.Fatal("tenants share a PAN or the mask changed")
	}
	if Luhn("6080408903536858") || !Luhn("79927398713") {
		t.Fatal("Luhn")
	}
}

func TestOrderStatus(t *testing.T) {
	o := &CardOrder{ProcessStartTime: "2030-01-10 10:00:00"}
	start := time.Date(2030, 1, 10, 4, 30, 0, 0, time.UTC) // 10:00 IST
	for _, tc := range []struct {
		at   time.Duration
		want string
	}{{-time.Second, OrderReceived}, {0, OrderPending}, {24*time.Hour - 1, OrderPending}, {24 * time.Hour, OrderProcessed}, {48 * time.Hour, OrderSuccess}} {
		if got := orderStatus(o, start.Add(tc.at)); got != tc.want {
			t.Errorf("at %v: %s, want %s", tc.at, got, tc.want)
		}
	}
}

func TestNormalizeExpiry(t *testing.T) {
	for in, want := range map[string]string{"729": "0729", "0729": "0729", "1230": "1230", "1329": "", "0029": "", "12345": "", "": ""} {
		got, err := NormalizeExpiry(in)
		if (err == nil) != (want != "") || got != want {
			t.Errorf("%q: %q %v", in, got, err)
		}
	}
}
