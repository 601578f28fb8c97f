package dcms

import (
	"fmt"
	"strconv"
	"time"

	"github.com/partnersandbox/sandbox/fixtures"
	"github.com/partnersandbox/sandbox/internal/store"
)

// fixtureFile is the shape of fixtures/dcms.json.
type fixtureFile struct {
	Customers  []*Customer  `json:"customers"`
	Kits       []*Kit       `json:"kits"`
	CardOrders []*CardOrder `json:"cardOrders"`
}

// seededDelivery is when the fixture PHYSICAL kits were sent: long delivered.
var seededDelivery = time.Date(2024, 4, 10, 10, 0, 0, 0, time.UTC)

// The generated customers' numbers: the i-th (from 0) has entity ID 700001+i, account
// 8700001+i, kit 4240200001+i and mobile number 8000000001+i, so each is found from its
// id alone.
const (
	firstGeneratedEntity  = 700001
	firstGeneratedAccount = 8700001
	firstGeneratedKit     = 4240200001
	firstGeneratedMobile  = 8000000001
)

// Base is what every DCMS tenant starts with: the customers, kits and card orders of
// fixtures/dcms.json, written once, and opts.Customers generated customers (each with
// one account and one kit), made on demand from their entity ID, kit number or mobile
// number.
func Base(opts fixtures.Options) (func(tx store.Tx) error, store.Generator, error) {
	var fx fixtureFile
	if err := fixtures.Load("dcms", &fx); err != nil {
		return nil, nil, err
	}
	seed := func(tx store.Tx) error {
		putFixtureCustomers(tx, fx)
		for _, o := range fx.CardOrders {
			kindCardOrder.Put(tx, o.OrderID, o)
		}
		// New kits are numbered after the generated ones.
		kindSequence.Put(tx, kindKit.Name(), &sequence{Next: max(firstNewKitNo, firstGeneratedKit+int64(opts.Customers))})
		return nil
	}
	gen := func(kind, id string) (any, bool) {
		switch kind {
		case kindCustomer.Name():
			if i, ok := opts.Index(id, firstGeneratedEntity); ok {
				c, _ := generatedCustomer(opts, i)
				return c, true
			}
		case kindKit.Name():
			if i, ok := opts.Index(id, firstGeneratedKit); ok {
				_, k := generatedCustomer(opts, i)
				return k, true
			}
		case kindMobile.Name():
			if i, ok := opts.Index(id, firstGeneratedMobile); ok {
				return &mobileIndex{EntityIDs: []string{strconv.Itoa(firstGeneratedEntity + i)}}, true
			}
		}
		return nil, false
	}
	return seed, gen, nil
}

// putFixtureCustomers writes the fixture customers with their kits (each customer lists
// its kits; a PHYSICAL one was shipped to the permanent address) and the mobile index.
func putFixtureCustomers(tx store.Tx, fx fixtureFile) {
	owners := map[string]*Customer{}
	for _, c := range fx.Customers {
		c := *c
		owners[c.EntityID] = &c
	}
	for _, k := range fx.Kits {
		if c := owners[k.EntityID]; c != nil {
			c.KitNos = append(c.KitNos, k.KitNo)
			if k.Type == "PHYSICAL" && k.Shipment == nil {
				cp := *k
				cp.Shipment = newShipment(&cp, c, addressOf(c, "PERMANENT"), "ACME_BANK", seededDelivery)
				k = &cp
			}
		}
		kindKit.Put(tx, k.KitNo, k)
	}
	for _, c := range fx.Customers {
		c := owners[c.EntityID]
		kindCustomer.Put(tx, c.EntityID, c)
		for _, co := range c.Contacts {
			addMobile(tx, co.ContactNo, c.EntityID)
		}
	}
}

var generatedStatuses = []string{Inactive, Active, Active, Locked}

// generatedCustomer is the i-th generated customer (from 0) with its one kit: every third
// kit PHYSICAL (shipped in April 2024, delivered), statuses cycling INACTIVE, ACTIVE,
// ACTIVE, LOCKED.
func generatedCustomer(opts fixtures.Options, i int) (*Customer, *Kit) {
	f := opts.Faker("dcms", i)
	entityID := strconv.Itoa(firstGeneratedEntity + i)
	accountNo := int64(firstGeneratedAccount + i)
	gender, title := "MALE", "Mr"
	if f.Bool() {
		gender, title = "FEMALE", "Ms"
	}
	addr := f.Address()
	c := &Customer{
		EntityID: entityID, EntityType: "CUSTOMER",
		FirstName: f.FirstName(), MiddleName: "", LastName: f.LastName(),
		Title: title, Gender: gender, DOB: f.Date().Format("2006-01-02"),
		Business: "ACME_BANK", BusinessID: "687", BusinessType: "ACME_BANK",
		Accounts:  []Account{{AccountNo: accountNo, Status: "ACTIVE", Type: "SAVING", Currency: "INR", Default: true, InitialFunding: fmt.Sprint(f.Number(1, 100) * 1000), SchemeCode: "2003"}},
		Addresses: []Address{{Line1: addr.Street, Category: "PERMANENT", City: addr.City, Country: "INDIA", Pincode: f.Numerify("6#####"), State: addr.State}},
		Contacts:  []Contact{{ContactNo: strconv.Itoa(firstGeneratedMobile + i), Email: f.Email(), Notification: true}},
		KYC:       []KYC{{DocumentExpiry: "2099-03-01", DocumentNo: f.Regex("[A-Z]{5}[0-9]{4}[A-Z]"), DocumentType: "PAN", HashDocumentNo: "XXXXXXXX"}},
	}
	cardType := "VIRTUAL"
	if i%3 == 0 {
		cardType = "PHYSICAL"
	}
	k := &Kit{
		KitNo: strconv.FormatInt(firstGeneratedKit+int64(i), 10), EntityID: entityID, AccountNo: accountNo,
		BIN: sandboxBIN, Last4: f.Numerify("####"), Category: "DEBIT", Status: generatedStatuses[i%len(generatedStatuses)],
		Type: cardType, ExpDate: "2030-07-31T00:00:00.000+00:00", NetworkType: "RUPAY",
		ProductID: "2003_" + cardType, ProductName: "2003_" + cardType,
	}
	c.KitNos = []string{k.KitNo}
	if cardType == "PHYSICAL" {
		k.Shipment = newShipment(k, c, &c.Addresses[0], "ACME_BANK", seededDelivery)
	}
	return c, k
}
