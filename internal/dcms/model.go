// Package dcms is the sandbox's debit card management API (openapi/dcms.yaml): the
// customers, accounts and kits of each DCMS tenant and the lifecycle they move through.
package dcms

import "github.com/partnersandbox/sandbox/internal/store"

// Record kinds in the store, each registered once with its type. Values are immutable
// once stored: change a copy.
var (
	kinds         = store.Kinds{}
	kindCustomer  = store.Define[Customer](kinds, "customer")
	kindKit       = store.Define[Kit](kinds, "kit")
	kindCardOrder = store.Define[CardOrder](kinds, "cardOrder")
	kindMobile    = store.Define[mobileIndex](kinds, "mobile") // contactNo → the entityIds that have it, oldest holder first
	kindSequence  = store.Define[sequence](kinds, "sequence")
)

// Kinds are the DCMS record kinds, for snapshots and stores that encode values.
func Kinds() store.Kinds { return kinds }

// Customer is a DCMS customer. Values are immutable once stored: change a copy.
type Customer struct {
	EntityID     string    `json:"entityId"`
	EntityType   string    `json:"entityType"`
	FirstName    string    `json:"firstName"`
	MiddleName   string    `json:"middleName"`
	LastName     string    `json:"lastName"`
	Title        string    `json:"title"`
	Gender       string    `json:"gender"`
	DOB          string    `json:"dob"`
	Business     string    `json:"business"`
	BusinessID   string    `json:"businessId"`
	BusinessType string    `json:"businessType"`
	Accounts     []Account `json:"accountInfo"`
	Addresses    []Address `json:"addressInfo"`
	Contacts     []Contact `json:"communicationInfo"`
	KYC          []KYC     `json:"kycInfo"`
	// KitNos are the customer's kits in issue order (the kits themselves are records of
	// their own, so a kit can be found by number).
	KitNos []string `json:"kitNos"`
}

// Account is a customer's bank account.
type Account struct {
	AccountNo      int64  `json:"accountNo"`
	Status         string `json:"accountStatus"`
	Type           string `json:"accountType"`
	Currency       string `json:"accountsCurrency"`
	Default        bool   `json:"defaultAccount"`
	InitialFunding string `json:"initialFunding"`
	Primary        bool   `json:"isPrimary"`
	SchemeCode     string `json:"schemeCode"`
}

// Address is a customer's postal address.
type Address struct {
	Line1          string  `json:"address1"`
	Line2          string  `json:"address2"`
	Line3          string  `json:"address3"`
	Category       string  `json:"addressCategory"`
	City           string  `json:"city"`
	Country        string  `json:"country"`
	District       *string `json:"district"`
	ISOCountryCode *string `json:"isoCountryCode"`
	Pincode        string  `json:"pincode"`
	State          string  `json:"state"`
}

// Contact is a customer's communication details.
type Contact struct {
	AppID        *string `json:"appId"`
	ContactNo    string  `json:"contactNo"`
	CountryCode  *string `json:"countryCode"`
	Email        string  `json:"emailId"`
	Notification bool    `json:"notification"`
}

// KYC is an identity document.
type KYC struct {
	CountryOfIssue *string `json:"countryOfIssue"`
	DocumentExpiry string  `json:"documentExpiry"`
	DocumentNo     string  `json:"documentNo"`
	DocumentType   string  `json:"documentType"`
	HashDocumentNo string  `json:"hashDocumentNo"`
}

// Kit is a card kit. The full card number is never stored: it is derived from the tenant
// and kitNo when a test needs it (see TestPAN), and only its last four digits are kept for
// the masked number. Nor is the PIN: only whether one was set.
type Kit struct {
	KitNo       string `json:"kitNo"`
	ParentKitNo string `json:"parentKitNo,omitempty"` // insta kits come in batches
	EntityID    string `json:"entityId"`              // "" while unassigned
	AccountNo   int64  `json:"accountNo,omitempty"`
	BIN         string `json:"bin"`
	Last4       string `json:"last4"`
	Category    string `json:"cardCategory"`
	Status      string `json:"cardStatus"`
	Type        string `json:"cardType"`
	ExpDate     string `json:"expDate"`
	NetworkType string `json:"networkType"`
	ProductID   string `json:"productId"`
	ProductName string `json:"productName"`
	TierType    string `json:"tierType,omitempty"`
	AliasName   string `json:"aliasName,omitempty"`
	PlasticCode string `json:"plasticCode,omitempty"`

	// ReplacedBy is the kit issued in this one's place (REPLACE, BLOCK_AND_REPLACE,
	// upgradeCard); Replaces is the other direction. A kit is replaced at most once.
	ReplacedBy []string `json:"replacedBy,omitempty"`
	Replaces   string   `json:"replaces,omitempty"`

	PinSet   bool      `json:"pinSet,omitempty"`
	Shipment *Shipment `json:"shipment,omitempty"` // PHYSICAL kits sent by courier
}

// MaskedPAN is the card number as the API shows it: first 6 / last 4.
func (k *Kit) MaskedPAN() string { return k.BIN + "XXXXXX" + k.Last4 }

// BranchInfo names the branch of a card order.
type BranchInfo struct {
	BranchID   string `json:"branchId"`
	BranchName string `json:"branchName"`
}

// OrderingParty names who placed a card order.
type OrderingParty struct {
	ID   string `json:"orderingPartyId"`
	Type string `json:"orderingPartyType"`
}

// OrderProduct is one line of a card order.
type OrderProduct struct {
	BIN       string `json:"bin"`
	ProductID string `json:"productId"`
	Quantity  int    `json:"quantity"`
}

// CardOrder is a bulk order of insta kits. Its status is not stored: it follows from
// processStartTime and the sandbox clock (see orderStatus).
type CardOrder struct {
	OrderID          string         `json:"orderId"`
	Branch           BranchInfo     `json:"branchInfo"`
	Address          string         `json:"address"`
	PinCode          string         `json:"pinCode"`
	OrderingParty    OrderingParty  `json:"orderingPartyInfo"`
	ProcessStartTime string         `json:"processStartTime"`
	Validity         int            `json:"validity"`
	Products         []OrderProduct `json:"products"`
	Cancelled        bool           `json:"cancelled,omitempty"`
}
