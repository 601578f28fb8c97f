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

// generatedMobile is the mobile number of the i-th generated customer (from 0): a range of
// its own, so a number a partner makes up is not onboarded by accident.
func generatedMobile(i int) string { return fmt.Sprintf("7%09d", i+1) }

const firstGeneratedMobile = 7000000001

// fixturesSince is when the fixture customers were onboarded.
var fixturesSince = time.Date(2024, 4, 1, 10, 0, 0, 0, time.UTC)

// Base is what every DMT client starts with: the agents and customers of fixtures/dmt.json,
// written once, and opts.Customers generated customers 7000000001, 7000000002, … whose
// states cycle through codes 1, 2 and 3, made on demand from their mobile number.
func Base(opts fixtures.Options) (func(tx store.Tx) error, store.Generator, error) {
	var fx fixtureFile
	if err := fixtures.Load("dmt", &fx); err != nil {
		return nil, nil, err
	}
	var documented []*Customer
	for _, c := range fx.Customers {
		st, ok := fixtureStates[c.StatusCode]
		if !ok || !mobileRe.MatchString(c.Mobile) {
			return nil, nil, fmt.Errorf("fixtures/dmt.json: customer %q: statusCode must be 1, 2 or 3 and the mobile number valid", c.Mobile)
		}
		cust := &Customer{Mobile: c.Mobile, Name: c.Name, Address: c.Address, Pincode: c.Pincode, State: st, CreatedAt: fixturesSince}
		if st != stateCreated {
			cust.VerifiedAt = fixturesSince
		}
		if c.OvdData != "" {
			cust.OvdType, cust.OvdData = c.OvdType, maskOvd(c.OvdData)
		}
		documented = append(documented, cust)
	}
	seed := func(tx store.Tx) error {
		for i := range fx.Agents {
			a := fx.Agents[i]
			kindAgent.Put(tx, a.Username, &a)
		}
		for _, c := range documented {
			kindCustomer.Put(tx, c.Mobile, c)
		}
		return nil
	}
	gen := func(kind, id string) (any, bool) {
		if kind != kindCustomer.Name() {
			return nil, false
		}
		i, ok := opts.Index(id, firstGeneratedMobile)
		if !ok {
			return nil, false
		}
		return generatedCustomer(opts, i), true
	}
	return seed, gen, nil
}

// generatedCustomer is the i-th generated customer (from 0).
func generatedCustomer(opts fixtures.Options, i int) *Customer {
	faker := opts.Faker("dmt", i)
	cycle := []state{stateCreated, stateVerifiedOvd, stateVerified}
	cust := &Customer{
		Mobile: generatedMobile(i), Name: faker.FirstName() + " " + faker.LastName(),
		Address: faker.City(), Pincode: fmt.Sprintf("%06d", 110001+faker.IntN(744000)),
		State: cycle[i%len(cycle)], CreatedAt: fixturesSince,
	}
	if cust.State != stateCreated {
		cust.VerifiedAt = fixturesSince
	}
	if cust.State == stateVerifiedOvd {
		cust.OvdType, cust.OvdData = "Aadhaar Card", maskOvd(faker.Numerify("############"))
	}
	return cust
}
