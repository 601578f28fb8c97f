package dcms

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/partnersandbox/sandbox/internal/clock"
	"github.com/partnersandbox/sandbox/internal/store"
)

// Service is the DCMS domain: every state change of customers, kits and orders. Each
// operation is one store Update: it checks everything first, then writes, so a refused
// request changes nothing and parallel requests on one tenant never interleave.
type Service struct {
	store store.Store
	clock *clock.Clock
}

// NewService returns the DCMS domain over a store.
func NewService(st store.Store, clk *clock.Clock) *Service {
	return &Service{store: st, clock: clk}
}

func partition(tenant string) store.Partition { return store.Partition{API: "dcms", Tenant: tenant} }

// The sandbox's card defaults (see the contract's "Sandbox choices").
const (
	sandboxBIN        = "608040"
	defaultSchemeCode = "2003"
	firstNewKitNo     = 4240300001
	cardValidityYears = 5
	expDateLayout     = "2006-01-02T15:04:05.000-07:00"
)

// CustomerView is a customer with its kits, as viewCustomer shows it.
type CustomerView struct {
	Customer *Customer
	Kits     []*Kit
}

// ViewCustomer returns a customer and its kits.
func (s *Service) ViewCustomer(ctx context.Context, tenant, entityID string) (CustomerView, error) {
	var v CustomerView
	err := s.store.View(ctx, partition(tenant), func(tx store.Reader) error {
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

// NewKit asks for a kit at registration: an insta kit from the inventory (KitNo) or a new one.
type NewKit struct {
	KitNo                     string
	Type, ProductID, TierType string
	AliasName, PlasticCode    string
}

// Registration is a register request after contract validation.
type Registration struct {
	Customer        Customer // without KitNos
	Kits            []NewKit // nil: one VIRTUAL kit
	DeliveryAddress string   // "" is PERMANENT
}

// Register creates a customer and issues its kits.
func (s *Service) Register(ctx context.Context, tenant string, r Registration) ([]*Kit, error) {
	if err := checkRegistration(&r); err != nil {
		return nil, err
	}
	delivery, err := deliveryAddress(&r.Customer, r.DeliveryAddress, "deliveryAddress")
	if err != nil {
		return nil, err
	}
	if r.Kits == nil {
		r.Kits = []NewKit{{Type: "VIRTUAL"}}
	}
	now := s.clock.Now(tenant)
	var issued []*Kit
	err = s.store.Update(ctx, partition(tenant), func(tx store.Tx) error {
		c := r.Customer // from scratch: the store may run this again
		if _, ok := kindCustomer.Get(tx, c.EntityID); ok {
			return failf("entity.already.exists", "entityId", "A customer with entity ID %s already exists", c.EntityID)
		}
		insta, err := instaKits(tx, r.Kits)
		if err != nil {
			return err
		}
		// Every check passed: write.
		issued = registerKits(tx, tenant, &c, r.Kits, insta, delivery, now)
		kindCustomer.Put(tx, c.EntityID, &c)
		for _, co := range c.Contacts {
			addMobile(tx, co.ContactNo, c.EntityID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return issued, nil
}

// registerKits gives a new customer its kits: the insta kits it asked for by number
// (insta[i], assigned to it) and new ones issued for the rest.
func registerKits(tx store.Tx, tenant string, c *Customer, specs []NewKit, insta []*Kit, delivery *Address, now time.Time) []*Kit {
	var issued []*Kit
	account := c.Accounts[0]
	for i, spec := range specs {
		k := insta[i]
		if k != nil {
			cp := *k
			cp.Status, cp.EntityID, cp.AccountNo = next(OpAssign, k).to, c.EntityID, account.AccountNo
			k = &cp
			kindKit.Put(tx, k.KitNo, k)
		} else {
			k = issueKit(tx, tenant, c, kitSpec{
				Type: spec.Type, ProductID: spec.ProductID, TierType: spec.TierType,
				AliasName: spec.AliasName, PlasticCode: spec.PlasticCode, Account: account,
			}, delivery, now)
		}
		c.KitNos = append(c.KitNos, k.KitNo)
		issued = append(issued, k)
	}
	return issued
}

// instaKits finds the UNALLOCATED insta kits a registration asks for by number (nil where
// a new kit is to be issued), refusing any that cannot be assigned.
func instaKits(tx store.Reader, specs []NewKit) ([]*Kit, error) {
	insta := make([]*Kit, len(specs))
	for i, spec := range specs {
		if spec.KitNo == "" {
			continue
		}
		field := fmt.Sprintf("kitInfo[%d].kitNo", i)
		k, ok := getKit(tx, spec.KitNo)
		if !ok {
			return nil, failf("kit.not.found", field, "No kit found with kit number %s", spec.KitNo)
		}
		if t := next(OpAssign, k); t.code != "" {
			return nil, failf(t.code, field, "Kit %s is %s, not an UNALLOCATED insta kit", k.KitNo, k.Status)
		}
		if spec.Type != k.Type {
			return nil, failf("invalid.input.request", fmt.Sprintf("kitInfo[%d].cardType", i), "kitInfo[%d].cardType: insta kit %s is %s, not %s", i, k.KitNo, k.Type, spec.Type)
		}
		insta[i] = k
	}
	return insta, nil
}

// checkRegistration enforces the rules the contract cannot express.
func checkRegistration(r *Registration) error {
	c := &r.Customer
	if _, err := time.Parse("2006-01-02", c.DOB); err != nil {
		return failf("invalid.input.request", "dob", "dob: %q is not a real date (YYYY-MM-DD)", c.DOB)
	}
	if err := checkAddresses(c.Addresses, "addressInfo"); err != nil {
		return err
	}
	if addressOf(c, "PERMANENT") == nil {
		return failf("invalid.input.request", "addressInfo", "addressInfo: must include a PERMANENT address")
	}
	seenAcc := map[int64]bool{}
	for i, a := range c.Accounts {
		if seenAcc[a.AccountNo] {
			return failf("invalid.input.request", fmt.Sprintf("accountInfo[%d].accountNo", i), "accountInfo[%d].accountNo: %d is given twice", i, a.AccountNo)
		}
		seenAcc[a.AccountNo] = true
	}
	seenKit := map[string]bool{}
	for i, k := range r.Kits {
		if k.KitNo == "" {
			continue
		}
		if seenKit[k.KitNo] {
			return failf("invalid.input.request", fmt.Sprintf("kitInfo[%d].kitNo", i), "kitInfo[%d].kitNo: %s is given twice", i, k.KitNo)
		}
		seenKit[k.KitNo] = true
	}
	for i, k := range c.KYC {
		if _, err := time.Parse("2006-01-02", k.DocumentExpiry); err != nil {
			return failf("invalid.input.request", fmt.Sprintf("kycInfo[%d].documentExpiry", i), "kycInfo[%d].documentExpiry: %q is not a real date (YYYY-MM-DD)", i, k.DocumentExpiry)
		}
	}
	return nil
}

func checkAddresses(addrs []Address, field string) error {
	seen := map[string]bool{}
	for i, a := range addrs {
		if seen[a.Category] {
			return failf("invalid.input.request", fmt.Sprintf("%s[%d].addressCategory", field, i), "%s[%d].addressCategory: %s is given twice", field, i, a.Category)
		}
		seen[a.Category] = true
	}
	return nil
}

func addressOf(c *Customer, category string) *Address {
	for i := range c.Addresses {
		if c.Addresses[i].Category == category {
			return &c.Addresses[i]
		}
	}
	return nil
}

// deliveryAddress is the address a PHYSICAL kit ships to ("" means PERMANENT).
func deliveryAddress(c *Customer, category, field string) (*Address, error) {
	if category == "" {
		category = "PERMANENT"
	}
	a := addressOf(c, category)
	if a == nil {
		return nil, failf("invalid.input.request", field, "%s: the customer has no %s address", field, category)
	}
	return a, nil
}

// UpdateContacts replaces a customer's communicationInfo (updatePoi).
func (s *Service) UpdateContacts(ctx context.Context, tenant, entityID string, contacts []Contact) error {
	return s.store.Update(ctx, partition(tenant), func(tx store.Tx) error {
		old, err := getCustomer(tx, entityID)
		if err != nil {
			return err
		}
		c := *old
		c.Contacts = contacts
		kindCustomer.Put(tx, c.EntityID, &c)
		for _, co := range old.Contacts {
			if !hasContact(contacts, co.ContactNo) {
				removeMobile(tx, co.ContactNo, c.EntityID)
			}
		}
		for _, co := range contacts {
			addMobile(tx, co.ContactNo, c.EntityID)
		}
		return nil
	})
}

func hasContact(cs []Contact, no string) bool {
	for _, c := range cs {
		if c.ContactNo == no {
			return true
		}
	}
	return false
}

// UpdateAddresses replaces each given address's category in a customer's addressInfo (updatePoa).
func (s *Service) UpdateAddresses(ctx context.Context, tenant, entityID string, addrs []Address) error {
	if err := checkAddresses(addrs, "addressInfo"); err != nil {
		return err
	}
	return s.store.Update(ctx, partition(tenant), func(tx store.Tx) error {
		old, err := getCustomer(tx, entityID)
		if err != nil {
			return err
		}
		c := *old
		c.Addresses = slices.Clone(old.Addresses)
		for _, a := range addrs {
			if cur := addressOf(&c, a.Category); cur != nil {
				*cur = a
			} else {
				c.Addresses = append(c.Addresses, a)
			}
		}
		kindCustomer.Put(tx, c.EntityID, &c)
		return nil
	})
}

// The mobile index maps a contactNo to the customers that have it, the longest holder
// first, so manageAllKits finds a customer by mobile number without a scan.
type mobileIndex struct {
	EntityIDs []string `json:"entityIds"`
}

// sequence hands out numbers (kitNo) in order.
type sequence struct {
	Next int64 `json:"next"`
}

func mobileHolders(tx store.Reader, no string) []string {
	v, ok := kindMobile.Get(tx, no)
	if !ok {
		return nil
	}
	return v.EntityIDs
}

func addMobile(tx store.Tx, no, entityID string) {
	ids := mobileHolders(tx, no)
	if slices.Contains(ids, entityID) {
		return
	}
	kindMobile.Put(tx, no, &mobileIndex{EntityIDs: append(slices.Clip(ids), entityID)})
}

func removeMobile(tx store.Tx, no, entityID string) {
	ids := mobileHolders(tx, no)
	i := slices.Index(ids, entityID)
	if i < 0 {
		return
	}
	rest := slices.Delete(slices.Clone(ids), i, i+1)
	if len(rest) == 0 {
		kindMobile.Delete(tx, no)
		return
	}
	kindMobile.Put(tx, no, &mobileIndex{EntityIDs: rest})
}

func getCustomer(tx store.Reader, entityID string) (*Customer, error) {
	v, ok := kindCustomer.Get(tx, entityID)
	if !ok {
		return nil, &Error{Code: "CUS001", Fields: []string{"Invalid entityId"}}
	}
	return v, nil
}

func getKit(tx store.Reader, kitNo string) (*Kit, bool) {
	v, ok := kindKit.Get(tx, kitNo)
	if !ok {
		return nil, false
	}
	return v, true
}

// ownedKit finds a customer's kit: CUS001 without the customer, MCC007 if the kit is not
// one of theirs (unknown, unassigned, or another customer's: the answer is the same, so
// a kit number tells a caller nothing about other customers).
func ownedKit(tx store.Reader, entityID, kitNo, field string) (*Customer, *Kit, error) {
	c, err := getCustomer(tx, entityID)
	if err != nil {
		return nil, nil, err
	}
	k, ok := getKit(tx, kitNo)
	if !ok || k.EntityID != c.EntityID {
		return nil, nil, failf("MCC007", "Invalid "+field, "No valid kit %s found for entity ID %s", kitNo, entityID)
	}
	return c, k, nil
}

// kitSpec describes a kit to issue.
type kitSpec struct {
	Type, ProductID, TierType string
	AliasName, PlasticCode    string
	Account                   Account
	Replaces                  string // the kit this one replaces, if any
}

// issueKit creates a new kit for c and stores it (the caller stores c with the new
// kitNo). A PHYSICAL kit starts ASSIGNED with a shipment to delivery; a VIRTUAL one INACTIVE.
func issueKit(tx store.Tx, tenant string, c *Customer, spec kitSpec, delivery *Address, now time.Time) *Kit {
	kitNo := nextKitNo(tx)
	scheme := spec.Account.SchemeCode
	if scheme == "" {
		scheme = defaultSchemeCode
	}
	product := spec.ProductID
	if product == "" {
		product = scheme + "_" + spec.Type
	}
	k := &Kit{
		KitNo: kitNo, EntityID: c.EntityID, AccountNo: spec.Account.AccountNo,
		BIN: sandboxBIN, Last4: newLast4(tenant, kitNo), Category: "DEBIT", Status: Inactive,
		Type: spec.Type, ExpDate: expiryAfter(now), NetworkType: "RUPAY",
		ProductID: product, ProductName: product, TierType: spec.TierType,
		AliasName: spec.AliasName, PlasticCode: spec.PlasticCode, Replaces: spec.Replaces,
	}
	if k.Type == "PHYSICAL" {
		k.Status = Assigned
		k.Shipment = newShipment(k, c, delivery, tenant, now)
	}
	kindKit.Put(tx, k.KitNo, k)
	return k
}

// nextKitNo hands out kit numbers in order, skipping any already taken.
func nextKitNo(tx store.Tx) string {
	n := int64(firstNewKitNo)
	if v, ok := kindSequence.Get(tx, kindKit.Name()); ok {
		n = v.Next
	}
	for {
		no := strconv.FormatInt(n, 10)
		n++
		if _, taken := kindKit.Get(tx, no); !taken {
			kindSequence.Put(tx, kindKit.Name(), &sequence{Next: n})
			return no
		}
	}
}

// expiryAfter is a new card's expiry: the last day of the month, five years on, at
// midnight UTC.
func expiryAfter(now time.Time) string {
	t := now.UTC()
	last := time.Date(t.Year()+cardValidityYears, t.Month()+1, 0, 0, 0, 0, 0, time.UTC)
	return last.Format(expDateLayout)
}

// expiryMMYY is a kit's expiry as Set PIN V2 expects it, e.g. 0729.
func expiryMMYY(k *Kit) string {
	if len(k.ExpDate) < 7 {
		return ""
	}
	return k.ExpDate[5:7] + k.ExpDate[2:4]
}
