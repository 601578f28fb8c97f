package replicas

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/partnersandbox/sandbox/internal/contracttest"
	"github.com/partnersandbox/sandbox/internal/store/redisstore/redistest"
)

// bin is the sandbox binary, built once for the suite.
var bin string

func TestMain(m *testing.M) {
	if why := redistest.Available(); why != "" {
		if os.Getenv(redistest.RequiredEnv) == "required" {
			fmt.Fprintf(os.Stderr, "replicas: %s, and %s=required\n", why, redistest.RequiredEnv)
			os.Exit(1)
		}
		fmt.Println("replicas:", why)
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "sandbox-replicas")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "sandbox")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/sandbox").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// replica is a sandbox process.
type replica struct {
	name string
	url  string
	cmd  *exec.Cmd
}

// start starts a replica on a free port keeping its state in srv.
func start(t *testing.T, srv *redistest.Server, name string) *replica {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--store", srv.URL(0), "--journal-size", "5000",
		"--redis-timeout", "500ms", "--profile-webhook-timeout", "2s")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &replica{name: name, cmd: cmd}
	url := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(stderr)
		for lines.Scan() {
			var l struct{ Msg, URL string }
			if json.Unmarshal(lines.Bytes(), &l) == nil && l.Msg == "sandbox listening" {
				url <- l.URL
			}
		}
	}()
	t.Cleanup(func() { r.signal(syscall.SIGTERM) })
	select {
	case r.url = <-url:
		return r
	case <-time.After(30 * time.Second):
		t.Fatalf("replica %s did not report listening within 30s", name)
		return nil
	}
}

// signal sends sig (once the process has gone, nothing) and waits for the process.
func (r *replica) signal(sig syscall.Signal) {
	if r.cmd.ProcessState != nil {
		return
	}
	_ = r.cmd.Process.Signal(sig)
	_ = r.cmd.Wait()
}

// client talks to the replica, checking every answer against the contracts.
func (r *replica) client(t *testing.T) *contracttest.Client {
	c := contracttest.NewClient(t, r.url)
	c.HTTP = &http.Client{Timeout: 10 * time.Second}
	return c
}

func dcms(t *testing.T, r *replica, tenant string) *contracttest.Client {
	return r.client(t).With("tenant", tenant)
}

func lock(op string) string {
	return `{"entityId":"676165","oldKit":"4561789","operation":"` + op + `"}`
}

func code(t *testing.T, res *contracttest.Response) string {
	t.Helper()
	var v struct {
		Exception *struct {
			ErrorCode string `json:"errorCode"`
		} `json:"exception"`
	}
	_ = json.Unmarshal(res.Body, &v)
	if v.Exception == nil {
		return ""
	}
	return v.Exception.ErrorCode
}

// The suite: two replicas (and, for the crash cases, a third) on one redis-server.
func TestReplicasAreOneSandbox(t *testing.T) {
	srv := redistest.Start(t)
	a, b := start(t, srv, "A"), start(t, srv, "B")
	both := []*replica{a, b}

	t.Run("a DCMS card flow alternating replicas call by call", func(t *testing.T) {
		const register = `{"entityId":"900001","entityType":"CUSTOMER","business":"ACME_BANK","businessId":"687","businessType":"ACME_BANK",
"title":"Mr","firstName":"Arjun","lastName":"Mehta","gender":"MALE","dob":"1990-02-14",
"addressInfo":[{"address1":"7 Lake View Road","addressCategory":"PERMANENT","city":"CHENNAI","country":"INDIA","pincode":"600040","state":"TAMILNADU"}],
"communicationInfo":[{"contactNo":"9000000001","emailId":"arjun@example.com"}],"kycInfo":[{"documentType":"PAN","documentNo":"ABCPM1234K"}],
"accountInfo":[{"accountNo":9100001}],"kitInfo":[{"cardType":"VIRTUAL"},{"cardType":"PHYSICAL"}]}`
		steps := []struct {
			path, body string
			status     int
			code       string
		}{
			{"/v1/register", register, 200, ""},
			{"/v1/register", register, 400, "entity.already.exists"},
			{"/v1/kit-manager/kitActivation", `{"entityId":"900001","kitNo":"4240300001"}`, 200, ""},
			{"/v1/kit-manager/manageKit", `{"entityId":"900001","oldKit":"4240300001","operation":"LOCK"}`, 200, ""},
			{"/v1/kit-manager/manageKit", `{"entityId":"900001","oldKit":"4240300001","operation":"LOCK"}`, 400, "card.already.locked"},
			{"/v1/kit-manager/manageKit", `{"entityId":"900001","oldKit":"4240300001","operation":"UNLOCK"}`, 200, ""},
			{"/v1/viewCustomer", `{"entityId":"900001"}`, 200, ""},
		}
		for i, s := range steps {
			r := both[i%2]
			res := dcms(t, r, "FLOW_BANK").Post(s.path, s.body)
			if res.Status != s.status || code(t, res) != s.code {
				t.Fatalf("step %d on replica %s: %s → %d %s, want %d %s", i+1, r.name, s.path, res.Status, res.Body, s.status, s.code)
			}
		}
		kit := a.client(t).Get("/__sandbox/tenants/FLOW_BANK/kits/4240300001").JSON(t)
		if kit["cardStatus"] != "ACTIVE" {
			t.Fatalf("kit after activate, lock, unlock on alternating replicas: %v", kit)
		}
	})

	t.Run("a DMT onboarding alternating replicas call by call", func(t *testing.T) {
		dmt := func(r *replica) *contracttest.Client {
			return r.client(t).With("client_id", "sandbox_client").With("client_secret", "sandbox_secret")
		}
		const get = `{"mobileNumber":"8618743463","username":"isutestapi1","latlong":"123,234","publicIP":"123.123.123.133"}`
		if s := dmt(a).Post("/common/dmt-lite/unified/customer/get-customer", get).JSON(t)["statusCode"]; s != "0" {
			t.Fatalf("get-customer on A: %v", s)
		}
		if s := dmt(b).Post("/common/dmt-lite/unified/otp/send", `{"customerMobileNumber":"8618743463","username":"isutestapi1","otpType":"1","latLong":"123,234","publicIP":"123.123.123.133"}`).JSON(t)["statusCode"]; s != "0" {
			t.Fatalf("otp/send on B: %v", s)
		}
		otp, _ := a.client(t).Get("/__sandbox/tenants/sandbox_client/dmt/otp/8618743463").JSON(t)["otp"].(string)
		reg := `{"mobileNumber":"8618743463","name":"Sangram Keshari pradhan","address":"Bhubaneswar","pincode":"751002","ovdType":"Aadhaar Card","ovdData":"765386439745","otp":"` + otp + `","username":"isutestapi1","latlong":"123,234","publicIP":"123.123.123.133","paramA":"","paramB":"","paramC":""}`
		if s := dmt(b).Post("/common/dmt-lite/unified/customer/process-customer-registration", reg).JSON(t)["statusCode"]; s != "2" {
			t.Fatalf("registration on B with the OTP read through A (%q): %v", otp, s)
		}
		if s := dmt(a).Post("/common/dmt-lite/unified/customer/get-customer", get).JSON(t)["statusCode"]; s != "2" {
			t.Fatalf("get-customer on A after B verified: %v", s)
		}
	})

	t.Run("a profile submission alternating replicas call by call", func(t *testing.T) {
		tok := a.client(t).Post("/api/AppSessionManager/GetAppToken", `{"appId":"sandbox_app","appSecret":"sandbox_secret","tenantId":"sandbox_tenant"}`).JSON(t)
		bearer := "Bearer " + tok["result"].(map[string]any)["token"].(string)
		add := b.client(t).With("Authorization", bearer).Post("/ExtCustomerManagement/AddCustomer",
			`{"userType":"IndividualCustomer","customerEmail":"alternating@yopmail.com","customerMobileNumber":"","employeeId":"3ea657a9-5a05-46f9-9277-d27f2ccd13ea","formId":"ffIn3438-63d4-443a-a4af-2336f58d1112","sendEmail":true,"individualCustomer":{"firstName":"Alter","lastName":"Nating"}}`).JSON(t)
		sub, _ := add["result"].(map[string]any)["submissionId"].(string)
		if res := a.client(t).With("Authorization", bearer).Get("/ExtCustomerManagement/GetCustomerDetails/" + sub); res.Status != 200 {
			t.Fatalf("details on A of the submission B created: %d %s", res.Status, res.Body)
		}
		if res := b.client(t).Post("/__sandbox/profile/submissions/"+sub+"/review?tenant=sandbox_tenant", `{"status":"Approved","riskLevel":"Low"}`); res.Status != 200 {
			t.Fatalf("review on B: %d %s", res.Status, res.Body)
		}
		prof := a.client(t).With("Authorization", bearer).Get("/ExtReport/GetIndividualProfile/" + sub)
		if prof.Status != 200 || !strings.Contains(string(prof.Body), "Approved") {
			t.Fatalf("profile on A after B approved it: %d %s", prof.Status, prof.Body)
		}
	})

	t.Run("a reset through one replica is seen by the other", func(t *testing.T) {
		if res := dcms(t, a, "RESET_BANK").Post("/v1/kit-manager/manageKit", lock("LOCK")); res.Status != 200 {
			t.Fatalf("lock on A: %d %s", res.Status, res.Body)
		}
		if res := dcms(t, b, "RESET_BANK").Post("/v1/kit-manager/manageKit", lock("LOCK")); code(t, res) != "card.already.locked" {
			t.Fatalf("lock on B after A locked: %d %s", res.Status, res.Body)
		}
		b.client(t).Post("/__sandbox/reset?tenant=RESET_BANK", nil)
		if res := dcms(t, a, "RESET_BANK").Post("/v1/kit-manager/manageKit", lock("LOCK")); res.Status != 200 {
			t.Fatalf("lock on A after B reset the tenant: %d %s", res.Status, res.Body)
		}
	})

	t.Run("a rule armed for 2 calls fires exactly twice across replicas", func(t *testing.T) {
		rule := a.client(t).Post("/__sandbox/rules", `{"operationId":"viewCustomer","outcome":"customer-not-found","times":2,"tenant":"RULE_BANK"}`).JSON(t)
		var fired []int
		for i := range 6 {
			if res := dcms(t, both[(i+1)%2], "RULE_BANK").Post("/v1/viewCustomer", `{"entityId":"675676"}`); code(t, res) == "CUS001" {
				fired = append(fired, i+1)
			}
		}
		if fmt.Sprint(fired) != "[1 2]" {
			t.Fatalf("calls answered by the rule: %v, want [1 2]", fired)
		}
		var list struct {
			Rules []struct {
				ID               string
				Fired, Remaining int
			}
		}
		a.client(t).Get("/__sandbox/rules").Decode(t, &list)
		if len(list.Rules) != 1 || list.Rules[0].ID != rule["id"] || list.Rules[0].Fired != 2 || list.Rules[0].Remaining != 0 {
			t.Fatalf("rules on A: %+v", list)
		}
	})

	t.Run("200 concurrent lock and unlock calls on one kit through both replicas", func(t *testing.T) {
		var locked, unlocked atomic.Int64
		var wg sync.WaitGroup
		calls := make(chan int, 200)
		for i := range 200 {
			calls <- i
		}
		close(calls)
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range calls {
					op := "LOCK"
					if i%2 == 1 {
						op = "UNLOCK"
					}
					res := dcms(t, both[(i/2)%2], "RACE_BANK").Post("/v1/kit-manager/manageKit", lock(op))
					switch {
					case res.Status == 200 && op == "LOCK":
						locked.Add(1)
					case res.Status == 200:
						unlocked.Add(1)
					case res.Status != 400:
						t.Errorf("%s: %d %s", op, res.Status, res.Body)
					}
				}
			}()
		}
		wg.Wait()
		want := "ACTIVE"
		switch locked.Load() - unlocked.Load() {
		case 0:
		case 1:
			want = "LOCKED"
		default:
			t.Fatalf("%d locks and %d unlocks succeeded: some were applied on stale state", locked.Load(), unlocked.Load())
		}
		for _, r := range both {
			if kit := r.client(t).Get("/__sandbox/tenants/RACE_BANK/kits/4561789").JSON(t); kit["cardStatus"] != want {
				t.Fatalf("replica %s: kit %v after %d locks and %d unlocks", r.name, kit["cardStatus"], locked.Load(), unlocked.Load())
			}
			if n := r.client(t).Get("/__sandbox/journal/count?tenant=RACE_BANK&operationId=manageKit").JSON(t)["count"]; n != 200.0 {
				t.Fatalf("journal count on replica %s: %v, want 200", r.name, n)
			}
		}
		t.Logf("%d locks and %d unlocks succeeded; the kit is %s on both replicas", locked.Load(), unlocked.Load(), want)
	})

	t.Run("a replica killed mid-delivery: another one delivers the event, once", func(t *testing.T) {
		var received atomic.Int64
		first := make(chan struct{})
		var once sync.Once
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("X-Sandbox-Event") != "profile.created" {
				return
			}
			_, _ = io.Copy(io.Discard, r.Body) // then a closed connection cancels r.Context()
			held := false
			once.Do(func() { held = true; close(first) })
			if held { // the first attempt hangs until its replica dies
				select {
				case <-r.Context().Done():
				case <-time.After(20 * time.Second):
				}
				return
			}
			received.Add(1)
		}))
		defer hook.Close()
		c := start(t, srv, "C")
		c.client(t).Do("PUT", "/__sandbox/tenants/sandbox_tenant/webhook", `{"url":"`+hook.URL+`","authType":"None","retryCount":3,"retryInterval":1}`)
		tok := c.client(t).Post("/api/AppSessionManager/GetAppToken", `{"appId":"sandbox_app","appSecret":"sandbox_secret","tenantId":"sandbox_tenant"}`).JSON(t)
		bearer := "Bearer " + tok["result"].(map[string]any)["token"].(string)
		add := c.client(t).With("Authorization", bearer).Post("/ExtCustomerManagement/AddCustomer",
			`{"userType":"IndividualCustomer","customerEmail":"crash@yopmail.com","customerMobileNumber":"","employeeId":"3ea657a9-5a05-46f9-9277-d27f2ccd13ea","formId":"ffIn3438-63d4-443a-a4af-2336f58d1112","sendEmail":true,"individualCustomer":{"firstName":"Crash","lastName":"Test"}}`)
		if add.Status != 200 {
			t.Fatalf("AddCustomer on C: %d %s", add.Status, add.Body)
		}
		select {
		case <-first:
		case <-time.After(10 * time.Second):
			t.Fatal("no delivery attempt within 10s")
		}
		c.signal(syscall.SIGKILL)
		deadline := time.Now().Add(20 * time.Second)
		for received.Load() == 0 && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		var log struct {
			Deliveries []struct {
				EventType, Status string
				Attempts          int
			}
		}
		a.client(t).Get("/__sandbox/tenants/sandbox_tenant/webhook/deliveries").Decode(t, &log)
		if received.Load() != 1 || len(log.Deliveries) != 1 || log.Deliveries[0].Status != "delivered" || log.Deliveries[0].Attempts != 1 {
			t.Fatalf("after C died holding the delivery: %d received, log %+v (want one delivered on its one recorded attempt)", received.Load(), log.Deliveries)
		}
	})

	t.Run("kill -9 of a replica loses nothing it acknowledged", func(t *testing.T) {
		d := start(t, srv, "D")
		const tenants = 60
		var acked sync.Map
		var wg sync.WaitGroup
		var n atomic.Int64
		killed := make(chan struct{})
		for i := range tenants {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest("POST", d.url+"/v1/kit-manager/manageKit", strings.NewReader(lock("LOCK")))
				req.Header.Set("tenant", fmt.Sprint("CRASH_", i))
				req.Header.Set("Content-Type", "application/json")
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					return // the replica died first: nothing was acknowledged
				}
				res.Body.Close()
				if res.StatusCode == 200 {
					acked.Store(i, true)
					if n.Add(1) == tenants/3 {
						close(killed)
					}
				}
			}()
		}
		select {
		case <-killed:
		case <-time.After(20 * time.Second):
			t.Fatal("too few acknowledged calls")
		}
		d.signal(syscall.SIGKILL)
		wg.Wait()
		count := 0
		acked.Range(func(k, _ any) bool {
			count++
			if res := dcms(t, a, fmt.Sprint("CRASH_", k)).Post("/v1/kit-manager/manageKit", lock("LOCK")); code(t, res) != "card.already.locked" {
				t.Errorf("tenant CRASH_%v: D acknowledged the lock before it was killed, but A answers %d %s", k, res.Status, res.Body)
			}
			return true
		})
		t.Logf("%d of %d locks acknowledged before kill -9, all of them kept", count, tenants)
	})

	t.Run("Redis stops: 503s within the timeout; it starts: service resumes, nothing corrupt", func(t *testing.T) {
		srv.Stop()
		for _, r := range both {
			startedAt := time.Now()
			if res := dcms(t, r, "DOWN_BANK").Post("/v1/kit-manager/manageKit", lock("LOCK")); res.Status != 503 || code(t, res) != "service.unavailable" {
				t.Fatalf("lock on %s with Redis down: %d %s", r.name, res.Status, res.Body)
			}
			dmt := r.client(t).With("client_id", "sandbox_client").With("client_secret", "sandbox_secret")
			if res := dmt.Post("/common/dmt-lite/unified/customer/get-customer", `{"mobileNumber":"8618743463","username":"isutestapi1","latlong":"123,234","publicIP":"123.123.123.133"}`); res.Status != 503 {
				t.Fatalf("DMT on %s with Redis down: %d %s", r.name, res.Status, res.Body)
			}
			if res := r.client(t).Get("/__sandbox/clock"); res.Status != 503 {
				t.Fatalf("admin clock on %s with Redis down: %d %s", r.name, res.Status, res.Body)
			}
			if res := r.client(t).Get("/readyz"); res.Status != 503 || !strings.Contains(string(res.Body), "redis") {
				t.Fatalf("readiness of %s with Redis down: %d %s", r.name, res.Status, res.Body)
			}
			if d := time.Since(startedAt); d > 4*time.Second {
				t.Fatalf("four calls with Redis down took %s on %s (timeout 500ms each)", d, r.name)
			}
		}
		if err := srv.Restart(); err != nil {
			t.Fatal(err)
		}
		for _, r := range both {
			if res := r.client(t).Get("/readyz"); res.Status != 200 {
				t.Fatalf("readiness of %s with Redis back: %d %s", r.name, res.Status, res.Body)
			}
			deadline := time.Now().Add(10 * time.Second)
			for {
				res := dcms(t, r, "DOWN_BANK").Post("/v1/viewCustomer", `{"entityId":"675676"}`)
				if res.Status == 200 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s did not serve again within 10s of Redis coming back: %d %s", r.name, res.Status, res.Body)
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
		if res := dcms(t, b, "DOWN_BANK").Post("/v1/kit-manager/manageKit", lock("LOCK")); res.Status != 200 {
			t.Fatalf("the lock refused while Redis was down was applied anyway: %d %s", res.Status, res.Body)
		}
		if res := dcms(t, a, "RESET_BANK").Post("/v1/kit-manager/manageKit", lock("LOCK")); code(t, res) != "card.already.locked" {
			t.Fatalf("state written before Redis stopped is gone: %d %s", res.Status, res.Body)
		}
	})
}
