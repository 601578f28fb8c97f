package dmt

import (
	"fmt"
	"time"

	"github.com/partnersandbox/sandbox/fixtures"
	"github.com/partnersandbox/sandbox/internal/store"
)

// fixtureFile is the shape of fixtures/dmt.json.
type fixtureFile struct {
	Agents    []Agent `json:"agents"`
	Customers []struct {
		Mobile     string `json:"mobileNumber"`
		Name       string `json:"name"`
		Address    string `json:"address"`
		Pincode    string `json:"pincode"`
		OvdType    string `json:"ovdType"`
		OvdData    string `json:"ovdData"`
		StatusCode string `json:"statusCode"` // what get-customer answers: 1, 2 or 3
	} `json:"customers"`
}

var fixtureStates = map[string]state{"1": stateCreated, "2": stateVerifiedOvd, "3": stateVerified}

// generatedMobile is the mobile number of the i-th generated customer (from 1): a range of
// its own, so a number a partner makes up is not onboarded by accident.
func generatedMobile(i int) string { return fmt.Sprintf("7%09d", i) }

// Seeder fills a new DMT client with the agents and customers of fixtures/dmt.json, plus
// opts.Customers generated customers 7000000001, 7000000002, … whose states cycle through
// codes 1, 2 and 3.
func Seeder(opts fixtures.Options) (func(tx store.Tx) error, error) {
	var fx fixtureFile
	if err := fixtures.Load("dmt", &fx); err != nil {
		return nil, err
	}
	// Records are built once: stored values are immutable, so every client can share them.
	since := time.Date(2024, 4, 1, 10, 0, 0, 0, time.UTC)
	var customers []*Customer
	for _, c := range fx.Customers {
		st, ok := fixtureStates[c.StatusCode]
		if !ok || !mobileRe.MatchString(c.Mobile) {
			return nil, fmt.Errorf("fixtures/dmt.json: customer %q: statusCode must be 1, 2 or 3 and the mobile number valid", c.Mobile)
		}
		cust := &Customer{Mobile: c.Mobile, Name: c.Name, Address: c.Address, Pincode: c.Pincode, State: st, CreatedAt: since}
		if st != stateCreated {
			cust.VerifiedAt = since
		}
		if c.OvdData != "" {
			cust.OvdType, cust.OvdData = c.OvdType, maskOvd(c.OvdData)
		}
		customers = append(customers, cust)
	}
	faker := opts.Faker("dmt")
	cycle := []state{stateCreated, stateVerifiedOvd, stateVerified}
	for i := 1; i <= opts.Customers; i++ {
		cust := &Customer{
			Mobile: generatedMobile(i), Name: faker.FirstName() + " " + faker.LastName(),
			Address: faker.City(), Pincode: fmt.Sprintf("%06d", 110001+faker.IntN(744000)),
			State: cycle[(i-1)%len(cycle)], CreatedAt: since,
		}
		if cust.State != stateCreated {
			cust.VerifiedAt = since
		}
		if cust.State == stateVerifiedOvd {
			cust.OvdType, cust.OvdData = "Aadhaar Card", maskOvd(faker.Numerify("############"))
		}
		customers = append(customers, cust)
	}
	return func(tx store.Tx) error {
		for i := range fx.Agents {
			a := fx.Agents[i]
			tx.Put(kindAgent, a.Username, &a)
		}
		for _, c := range customers {
			tx.Put(kindCustomer, c.Mobile, c)
		}
		return nil
	}, nil
}
