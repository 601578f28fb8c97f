package dcms

import (
	"context"
	"fmt"

	"github.com/partnersandbox/sandbox/fixtures"
	"github.com/partnersandbox/sandbox/internal/clock"
	"github.com/partnersandbox/sandbox/internal/store"
)

// Service is the DCMS domain: every state change of customers, kits and orders.
type Service struct {
	store store.Store
	clock *clock.Clock
}

// NewService returns the DCMS domain over a store.
func NewService(st store.Store, clk *clock.Clock) *Service {
	return &Service{store: st, clock: clk}
}

func partition(tenant string) store.Partition { return store.Partition{API: "dcms", Tenant: tenant} }

// CustomerView is a customer with its kits, as viewCustomer shows it.
type CustomerView struct {
	Customer *Customer
	Kits     []*Kit
}

// ViewCustomer returns a customer and its kits.
func (s *Service) ViewCustomer(ctx context.Context, tenant, entityID string) (CustomerView, error) {
	var v CustomerView
	err := s.store.View(ctx, partition(tenant), func(tx store.Tx) error {
		c, err := getCustomer(tx, entityID)
		if err != nil {
			return err
		}
		v.Customer = c
		v.Kits = make([]*Kit, 0, len(c.KitNos))
		for _, no := range c.KitNos {
			if k, ok := getKit(tx, no); ok {
				v.Kits = append(v.Kits, k)
			}
		}
		return nil
	})
	return v, err
}

func getCustomer(tx store.Tx, entityID string) (*Customer, error) {
	v, ok := tx.Get(kindCustomer, entityID)
	if !ok {
		return nil, fail("CUS001", "Invalid entityId")
	}
	return v.(*Customer), nil
}

func getKit(tx store.Tx, kitNo string) (*Kit, bool) {
	v, ok := tx.Get(kindKit, kitNo)
	if !ok {
		return nil, false
	}
	return v.(*Kit), true
}

// fixtureFile is the shape of fixtures/dcms.json.
type fixtureFile struct {
	Customers  []*Customer  `json:"customers"`
	Kits       []*Kit       `json:"kits"`
	CardOrders []*CardOrder `json:"cardOrders"`
}

// Seeder fills a new DCMS tenant with the fixtures and opts.Customers generated customers.
func Seeder(opts fixtures.Options) (func(tx store.Tx) error, error) {
	var fx fixtureFile
	if err := fixtures.Load("dcms", &fx); err != nil {
		return nil, err
	}
	gen := generateCustomers(opts)
	return func(tx store.Tx) error {
		put := func(customers []*Customer, kits []*Kit) {
			byOwner := map[string][]string{}
			for _, k := range kits {
				tx.Put(kindKit, k.KitNo, k)
				if k.EntityID != "" {
					byOwner[k.EntityID] = append(byOwner[k.EntityID], k.KitNo)
				}
			}
			for _, c := range customers {
				c := *c
				c.KitNos = byOwner[c.EntityID]
				tx.Put(kindCustomer, c.EntityID, &c)
			}
		}
		put(fx.Customers, fx.Kits)
		put(gen.customers, gen.kits)
		for _, o := range fx.CardOrders {
			tx.Put(kindCardOrder, o.OrderID, o)
		}
		return nil
	}, nil
}

type generated struct {
	customers []*Customer
	kits      []*Kit
}

// generateCustomers makes n customers, each with one account and one kit, from a fixed seed.
func generateCustomers(opts fixtures.Options) generated {
	f := opts.Faker("dcms")
	var g generated
	statuses := []string{"INACTIVE", "ACTIVE", "ACTIVE", "LOCKED"}
	for i := 0; i < opts.Customers; i++ {
		entityID := fmt.Sprint(700001 + i)
		accountNo := int64(8700001 + i)
		gender, title := "MALE", "Mr"
		if f.Bool() {
			gender, title = "FEMALE", "Ms"
		}
		addr := f.Address()
		g.customers = append(g.customers, &Customer{
			EntityID: entityID, EntityType: "CUSTOMER",
			FirstName: f.FirstName(), MiddleName: "", LastName: f.LastName(),
			Title: title, Gender: gender, DOB: f.Date().Format("2006-01-02"),
			Business: "ACME_BANK", BusinessID: "687", BusinessType: "ACME_BANK",
			Accounts:  []Account{{AccountNo: accountNo, Status: "ACTIVE", Type: "SAVING", Currency: "INR", Default: true, InitialFunding: fmt.Sprint(f.Number(1, 100) * 1000), SchemeCode: "2003"}},
			Addresses: []Address{{Line1: addr.Street, Line2: "", Line3: "", Category: "PERMANENT", City: addr.City, Country: "INDIA", Pincode: f.Numerify("6#####"), State: addr.State}},
			Contacts:  []Contact{{ContactNo: f.Numerify("7#########"), Email: f.Email(), Notification: true}},
			KYC:       []KYC{{DocumentExpiry: "2099-03-01", DocumentNo: f.Regex("[A-Z]{5}[0-9]{4}[A-Z]"), DocumentType: "PAN", HashDocumentNo: "XXXXXXXX"}},
		})
		cardType := "VIRTUAL"
		if i%3 == 0 {
			cardType = "PHYSICAL"
		}
		g.kits = append(g.kits, &Kit{
			KitNo: fmt.Sprint(4240200001 + i), EntityID: entityID, AccountNo: accountNo,
			BIN: "608040", Last4: f.Numerify("####"), Category: "DEBIT", Status: statuses[i%len(statuses)],
			Type: cardType, ExpDate: "2030-07-31T00:00:00.000+00:00", NetworkType: "RUPAY",
			ProductID: "2003_" + cardType, ProductName: "2003_" + cardType,
		})
	}
	return g
}
