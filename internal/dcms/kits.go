package dcms

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/partnersandbox/sandbox/internal/store"
)

// KitChange asks manageKit for one operation on one kit.
type KitChange struct {
	EntityID, KitNo, Operation string
	CardType                   string // REPLACE, BLOCK_AND_REPLACE: the new kit's type
	DeliveryAddress            string // PHYSICAL replacement: PERMANENT or COMMUNICATION
}

// ManageKit applies a manageKit operation; for a replacement it returns the new kit.
func (s *Service) ManageKit(ctx context.Context, tenant string, ch KitChange) (*Kit, error) {
	replacing := ch.Operation == OpReplace || ch.Operation == OpBlockAndReplace
	if replacing {
		if ch.CardType == "" {
			return nil, failf("invalid.input.request", "cardType", "cardType: is required for %s", ch.Operation)
		}
		if ch.CardType == "PHYSICAL" && ch.DeliveryAddress == "" {
			return nil, failf("invalid.input.request", "deliveryAddress", "deliveryAddress: is required for a PHYSICAL replacement")
		}
	}
	now := s.clock.Now(tenant)
	var issued *Kit
	err := s.store.Update(ctx, partition(tenant), func(tx store.Tx) error {
		c, k, err := ownedKit(tx, ch.EntityID, ch.KitNo, "oldKit")
		if err != nil {
			return err
		}
		t := next(ch.Operation, k)
		if t.code != "" {
			return refusal(t.code, k)
		}
		if !t.replaces {
			putStatus(tx, k, t.to)
			return nil
		}
		var delivery *Address
		if ch.CardType == "PHYSICAL" {
			if delivery, err = deliveryAddress(c, ch.DeliveryAddress, "deliveryAddress"); err != nil {
				return err
			}
		}
		news := replace(tx, tenant, c, k, t.to, []kitSpec{{
			Type: ch.CardType, TierType: k.TierType, Account: accountOf(c, k.AccountNo),
		}}, delivery, now)
		issued = news[0]
		return nil
	})
	return issued, err
}

// replace moves old to status and issues the kits of specs in its place, on the same
// customer, in the same transaction: a replacement is never half done.
func replace(tx store.Tx, tenant string, c *Customer, old *Kit, status string, specs []kitSpec, delivery *Address, now time.Time) []*Kit {
	cust := *c
	cust.KitNos = append([]string(nil), c.KitNos...)
	news := make([]*Kit, len(specs))
	gone := *old
	gone.Status = status
	gone.ReplacedBy = make([]string, 0, len(specs)) // next() refuses a kit replaced before
	for i, spec := range specs {
		spec.Replaces = old.KitNo
		k := issueKit(tx, tenant, &cust, spec, delivery, now)
		news[i] = k
		gone.ReplacedBy = append(gone.ReplacedBy, k.KitNo)
		cust.KitNos = append(cust.KitNos, k.KitNo)
	}
	kindKit.Put(tx, gone.KitNo, &gone)
	kindCustomer.Put(tx, cust.EntityID, &cust)
	return news
}

// accountOf is the customer's account a kit is mapped to (its first account if none).
func accountOf(c *Customer, accountNo int64) Account {
	for _, a := range c.Accounts {
		if a.AccountNo == accountNo {
			return a
		}
	}
	if len(c.Accounts) > 0 {
		return c.Accounts[0]
	}
	return Account{AccountNo: accountNo}
}

func putStatus(tx store.Tx, k *Kit, status string) {
	cp := *k
	cp.Status = status
	kindKit.Put(tx, cp.KitNo, &cp)
}

// refusal is the error of a refused transition, naming the kit and its status.
func refusal(code string, k *Kit) *Error {
	switch code {
	case "card.not.active":
		return &Error{Code: code, Fields: []string{}, Detail: fmt.Sprintf("Kit %s is %s; it must be ACTIVE (activate it first)", k.KitNo, k.Status)}
	case "card.already.closed":
		if len(k.ReplacedBy) > 0 {
			return &Error{Code: code, Fields: []string{}, Detail: fmt.Sprintf("Kit %s is %s and was already replaced by %s", k.KitNo, k.Status, k.ReplacedBy[0])}
		}
	}
	return &Error{Code: code, Fields: []string{}, Detail: fmt.Sprintf("Kit %s is %s", k.KitNo, k.Status)}
}

// BulkChange asks manageAllKits for one operation on every card of a customer.
type BulkChange struct {
	MobileNo, EntityID, Operation string
	Reason, Changer, Channel      string // audit only: the journal keeps them with the request
}

// ManagedCard is one card manageAllKits changed.
type ManagedCard struct {
	KitNo, CardNumber, PreviousStatus, CurrentStatus string
}

// BulkResult is manageAllKits' answer.
type BulkResult struct {
	EntityID string
	Cards    []ManagedCard
}

// ManageAllKits applies BLOCK, LOCK or UNLOCK to every card of a customer it applies to.
func (s *Service) ManageAllKits(ctx context.Context, tenant string, ch BulkChange) (BulkResult, error) {
	var res BulkResult
	if ch.EntityID == "" && ch.MobileNo == "" {
		return res, &Error{Code: "invalid.input.request", Fields: []string{"mobileNo: either mobileNo or entityId is required", "entityId: either mobileNo or entityId is required"},
			Detail: "Either mobileNo or entityId is required"}
	}
	err := s.store.Update(ctx, partition(tenant), func(tx store.Tx) error {
		res = BulkResult{} // from scratch: the store may run this again
		entityID := ch.EntityID
		if entityID == "" {
			holders := mobileHolders(tx, ch.MobileNo)
			if len(holders) == 0 {
				return failf("entity.not.found", "mobileNo", "No customer found for mobile number %s", ch.MobileNo)
			}
			entityID = holders[0]
		}
		c, err := getCustomer(tx, entityID)
		if err != nil {
			return err
		}
		res.EntityID = c.EntityID
		for _, no := range c.KitNos {
			k, ok := getKit(tx, no)
			if !ok {
				continue
			}
			t := next(ch.Operation, k)
			if t.code != "" {
				continue // not eligible: skipped, not listed
			}
			putStatus(tx, k, t.to)
			res.Cards = append(res.Cards, ManagedCard{KitNo: k.KitNo, CardNumber: k.MaskedPAN(), PreviousStatus: k.Status, CurrentStatus: t.to})
		}
		if len(res.Cards) == 0 {
			return &Error{Code: "card.not.found", Fields: []string{}, Detail: fmt.Sprintf("No card of customer %s can take the operation %s", c.EntityID, ch.Operation)}
		}
		return nil
	})
	if err != nil {
		return BulkResult{}, err
	}
	return res, nil
}

// Activate makes an INACTIVE or ASSIGNED kit ACTIVE (kitActivation).
func (s *Service) Activate(ctx context.Context, tenant, entityID, kitNo string) error {
	return s.store.Update(ctx, partition(tenant), func(tx store.Tx) error {
		_, k, err := ownedKit(tx, entityID, kitNo, "kitNo")
		if err != nil {
			return err
		}
		t := next(OpActivate, k)
		if t.code != "" {
			return refusal(t.code, k)
		}
		putStatus(tx, k, t.to)
		return nil
	})
}

// Upgrade asks upgradeCard for new kits in place of one.
type Upgrade struct {
	EntityID, KitNo, DeliveryAddress string
	Kits                             []UpgradeKit
}

// UpgradeKit is one desired new card.
type UpgradeKit struct {
	CardType, TierType, AliasName, PlasticCode string
}

// UpgradeCard replaces a kit by one new kit per requested card.
func (s *Service) UpgradeCard(ctx context.Context, tenant string, u Upgrade) ([]*Kit, error) {
	physical := false
	for _, k := range u.Kits {
		physical = physical || k.CardType == "PHYSICAL"
	}
	if physical && u.DeliveryAddress == "" {
		return nil, failf("invalid.input.request", "deliveryAddress", "deliveryAddress: is required when a new card is PHYSICAL")
	}
	now := s.clock.Now(tenant)
	var issued []*Kit
	err := s.store.Update(ctx, partition(tenant), func(tx store.Tx) error {
		c, k, err := ownedKit(tx, u.EntityID, u.KitNo, "kitNo")
		if err != nil {
			return err
		}
		t := next(OpUpgrade, k)
		if t.code != "" {
			return refusal(t.code, k)
		}
		var delivery *Address
		if physical {
			if delivery, err = deliveryAddress(c, u.DeliveryAddress, "deliveryAddress"); err != nil {
				return err
			}
		}
		account := accountOf(c, k.AccountNo)
		specs := make([]kitSpec, len(u.Kits))
		for i, want := range u.Kits {
			specs[i] = kitSpec{Type: want.CardType, TierType: want.TierType, AliasName: want.AliasName, PlasticCode: want.PlasticCode, Account: account}
		}
		issued = replace(tx, tenant, c, k, t.to, specs, delivery, now)
		return nil
	})
	return issued, err
}

// PinChange is a Set PIN V2 request after contract validation.
type PinChange struct {
	EntityID, KitNo string
	Expiry          string // MMYY
	Block           string // the Base64 `pin`
}

// SetPin checks and applies a Set PIN V2 request; key is the tenant's set-PIN key. The
// PIN itself is never kept: the kit only records that one was set.
func (s *Service) SetPin(ctx context.Context, tenant string, key []byte, p PinChange) error {
	return s.store.Update(ctx, partition(tenant), func(tx store.Tx) error {
		_, k, err := ownedKit(tx, p.EntityID, p.KitNo, "kitNo")
		if err != nil {
			return err
		}
		if t := next(OpSetPin, k); t.code != "" {
			return refusal(t.code, k)
		}
		if p.Expiry != expiryMMYY(k) {
			return failf("card.expiry.mismatch", "expiryDate", "expiryDate %s does not match the card's expiry (MMYY)", p.Expiry)
		}
		if _, err := DecryptPinBlock(p.Block, TestPAN(tenant, k), key); err != nil {
			var pe *PinError
			if !errors.As(err, &pe) {
				return err
			}
			if errors.Is(err, ErrPinFormat) {
				return failf("PIN001", "Invalid pin", "%s", pe.Error())
			}
			return failf("invalid.pin", "pin", "%s", pe.Error())
		}
		cp := *k
		cp.PinSet = true
		kindKit.Put(tx, cp.KitNo, &cp)
		return nil
	})
}

// Track shows a kit's shipment now; forced is a delivery status a scenario asks for.
func (s *Service) Track(ctx context.Context, tenant, kitNo, forced string) (Tracking, error) {
	var t Tracking
	err := s.store.View(ctx, partition(tenant), func(tx store.Reader) error {
		k, ok := getKit(tx, kitNo)
		switch {
		case !ok:
			return failf("kit.not.found", "kitNo", "No kit found with kit number %s", kitNo)
		case k.EntityID == "":
			return failf("MCC007", "Invalid kitNo", "Kit %s is not issued to a customer", kitNo)
		case k.Shipment == nil && k.Type == "VIRTUAL":
			return &Error{Code: "shipment.not.found", Fields: []string{}, Detail: fmt.Sprintf("Kit %s is a VIRTUAL kit and has no shipment", kitNo)}
		case k.Shipment == nil:
			return &Error{Code: "shipment.not.found", Fields: []string{}, Detail: fmt.Sprintf("Kit %s is an insta kit handed over at the branch; it has no shipment", kitNo)}
		}
		t = track(k.KitNo, k.Shipment, s.clock.Now(tenant), forced)
		return nil
	})
	return t, err
}

// ExpireInstaKits expires one unassigned insta kit, or every unassigned kit of a batch.
func (s *Service) ExpireInstaKits(ctx context.Context, tenant, kitNo, parentKitNo string) error {
	if (kitNo == "") == (parentKitNo == "") {
		return &Error{Code: "invalid.input.request", Fields: []string{"kitNo: give exactly one of kitNo or parentKitNo", "parentKitNo: give exactly one of kitNo or parentKitNo"},
			Detail: "Give exactly one of kitNo or parentKitNo"}
	}
	return s.store.Update(ctx, partition(tenant), func(tx store.Tx) error {
		if kitNo != "" {
			return expireKit(tx, kitNo)
		}
		return expireBatch(tx, parentKitNo)
	})
}

// expireKit expires one unassigned insta kit.
func expireKit(tx store.Tx, kitNo string) error {
	k, ok := getKit(tx, kitNo)
	if !ok {
		return failf("kit.not.found", "kitNo", "No kit found with kit number %s", kitNo)
	}
	t := next(OpExpire, k)
	if t.code == "INV001" {
		return failf(t.code, "Invalid kitNo", "Kit %s is assigned to a customer (%s); only unassigned insta kits expire", k.KitNo, k.Status)
	}
	if t.code != "" {
		return refusal(t.code, k)
	}
	putStatus(tx, k, t.to)
	return nil
}

// expireBatch expires every unassigned kit of a batch.
func expireBatch(tx store.Tx, parentKitNo string) error {
	var batch []*Kit
	kindKit.Scan(tx, func(_ string, v *Kit) bool {
		if k := v; k.ParentKitNo == parentKitNo {
			batch = append(batch, k)
		}
		return true
	})
	if len(batch) == 0 {
		return failf("kit.not.found", "parentKitNo", "No insta kit batch with parent kit number %s", parentKitNo)
	}
	expired, closed := 0, 0
	for _, k := range batch {
		switch t := next(OpExpire, k); t.code {
		case "":
			putStatus(tx, k, t.to)
			expired++
		case "card.already.closed":
			closed++
		}
	}
	switch {
	case expired > 0:
		return nil
	case closed == len(batch):
		return &Error{Code: "card.already.closed", Fields: []string{}, Detail: fmt.Sprintf("Every kit of batch %s has already expired", parentKitNo)}
	default:
		return failf("INV001", "Invalid parentKitNo", "No kit of batch %s is unassigned; assigned kits do not expire", parentKitNo)
	}
}

// TestKit returns a kit for the admin API (nil if there is none).
func (s *Service) TestKit(ctx context.Context, tenant, kitNo string) (*Kit, error) {
	var k *Kit
	err := s.store.View(ctx, partition(tenant), func(tx store.Reader) error {
		k, _ = getKit(tx, kitNo)
		return nil
	})
	return k, err
}

// NormalizeExpiry reads a Set PIN V2 expiryDate (MMYY, three digits left-padded: 729 is
// 0729) and refuses what is no month and year.
func NormalizeExpiry(mmyy string) (string, error) {
	if len(mmyy) == 3 {
		mmyy = "0" + mmyy
	}
	if len(mmyy) != 4 || !allDigits(mmyy) {
		return "", failf("invalid.input.request", "expiryDate", "expiryDate: %q is not MMYY (e.g. 0729 or 729)", mmyy)
	}
	if m := mmyy[:2]; m < "01" || m > "12" {
		return "", failf("invalid.input.request", "expiryDate", "expiryDate: month %s is not 01 to 12", m)
	}
	return mmyy, nil
}
