package dcms_test

import (
	"testing"
)

// validBodies are contract-valid requests of every DCMS operation, so a forced outcome is
// the only reason for the answer.
var validBodies = map[string]string{
	"authenticate":     `{"username":"sandbox_user","password":"sandbox_password"}`,
	"registerCustomer": `{"entityId":"800100","entityType":"CUSTOMER","business":"ACME_BANK","businessId":"687","businessType":"ACME_BANK","title":"Mr","firstName":"A","lastName":"B","gender":"MALE","dob":"1990-01-01","addressInfo":[{"address1":"x","addressCategory":"PERMANENT","city":"Chennai","country":"INDIA","pincode":"600001","state":"TN"}],"communicationInfo":[{"contactNo":"9000000100"}],"kycInfo":[{"documentType":"PAN","documentNo":"X"}],"accountInfo":[{"accountNo":1}]}`,
	"viewCustomer":     seed000,
	"updatePoi":        `{"entityId":"675676","communicationInfo":[{"contactNo":"9000000101"}]}`,
	"updatePoa":        `{"entityId":"675676","addressInfo":[{"address1":"x","addressCategory":"PERMANENT","city":"Chennai","country":"INDIA","pincode":"600001","state":"TN"}]}`,
	"expireInstaKits":  `{"kitNo":"4240190003"}`,
	"manageAllKits":    seed002,
	"manageKit":        `{"entityId":"675676","oldKit":"4240171642","operation":"BLOCK"}`,
	"kitTracking":      `{"kitNo":"4240200001"}`,
	"upgradeCard":      seed003,
	"kitActivation":    `{"entityId":"675676","kitNo":"4240171642"}`,
	"setPinV2":         `{"pin":"AAECAwQFBgcICQoLDA0OD1Ve878ABQggwn03CbUq1M09Ke24qhMYFA==","kitNo":"4240171642","entityId":"675676","expiryDate":729}`,
	"createCardOrder":  `{"orderId":"O-S","branchInfo":{"branchId":"BR001"},"address":"x","pinCode":"600001","orderingPartyInfo":{"orderingPartyId":"E1","orderingPartyType":"BRANCH"},"processStartTime":"2099-01-01 10:00:00","validity":30,"products":[{"bin":"608040","productId":"2003_PHYSICAL","quantity":1}]}`,
	"cancelCardOrder":  `{"orderId":"ORD-2024-0001","branchId":"BR001"}`,
}

// TestEveryOutcomeIsReachable forces every named outcome of every DCMS operation with
// X-Sandbox-Scenario and checks the status and code the catalogue promises.
func TestEveryOutcomeIsReachable(t *testing.T) {
	s := newSandbox(t)
	var cat struct {
		Operations []struct {
			OperationID string `json:"operationId"`
			Path        string `json:"path"`
			Outcomes    []struct {
				Name   string `json:"name"`
				Status int    `json:"status"`
				Code   string `json:"code"`
			} `json:"outcomes"`
		} `json:"operations"`
	}
	s.raw.Get("/__sandbox/scenarios?api=dcms").Decode(t, &cat)
	if len(cat.Operations) != len(validBodies) {
		t.Fatalf("%d DCMS operations in the catalogue, %d here", len(cat.Operations), len(validBodies))
	}
	forced := 0
	for _, op := range cat.Operations {
		body, ok := validBodies[op.OperationID]
		if !ok {
			t.Fatalf("no request body for %s", op.OperationID)
		}
		for _, o := range op.Outcomes {
			if o.Name == "ok" {
				continue
			}
			t.Run(op.OperationID+"/"+o.Name, func(t *testing.T) {
				c := s.post(t, op.Path, body, "X-Sandbox-Scenario", o.Name)
				if c.Status != o.Status || c.code() != o.Code {
					t.Fatalf("forced %s: got %d %q, want %d %q: %s", o.Name, c.Status, c.code(), o.Status, o.Code, c.Body)
				}
				var j struct {
					Entries []struct{ Outcome string } `json:"entries"`
				}
				s.raw.Get("/__sandbox/journal?limit=1").Decode(t, &j)
				if len(j.Entries) != 1 || j.Entries[0].Outcome != o.Name {
					t.Fatalf("journal outcome: %+v", j.Entries)
				}
			})
			forced++
		}
	}
	if forced < 60 {
		t.Fatalf("only %d outcomes forced", forced)
	}
}
