package dcms

import (
	"context"
	"net/http"
	"strconv"

	gen "github.com/partnersandbox/sandbox/generated/dcms"
	"github.com/partnersandbox/sandbox/internal/server"
)

// ViewCustomer answers POST /v1/viewCustomer.
func (a *API) ViewCustomer(ctx context.Context, req gen.ViewCustomerRequestObject) (gen.ViewCustomerResponseObject, error) {
	v, err := a.svc.ViewCustomer(ctx, req.Params.Tenant, req.Body.EntityId)
	if err != nil {
		return refused(ctx, err, func(e gen.ErrorJSONResponse) gen.ViewCustomerResponseObject {
			return gen.ViewCustomer400JSONResponse{ErrorJSONResponse: e}
		})
	}
	return viewCustomerOK{Result: customerOut(v)}, nil
}

// viewCustomerOK is viewCustomer's 200, the hot path: the generated answer, encoded into
// the pipeline's response buffer instead of a buffer of its own (the same bytes).
type viewCustomerOK gen.ViewCustomer200JSONResponse

func (v viewCustomerOK) VisitViewCustomerResponse(w http.ResponseWriter) error {
	return server.WriteJSON(w, http.StatusOK, gen.ViewCustomer200JSONResponse(v))
}

func customerOut(v CustomerView) gen.Customer {
	c := v.Customer
	out := gen.Customer{
		EntityId: c.EntityID, EntityType: gen.EntityType(c.EntityType),
		FirstName: c.FirstName, MiddleName: c.MiddleName, LastName: c.LastName,
		Title: gen.Title(c.Title), Gender: gen.Gender(c.Gender), Dob: c.DOB,
		Business: c.Business, BusinessId: c.BusinessID, BusinessType: c.BusinessType,
		AccountInfo:       make([]gen.Account, len(c.Accounts)),
		AddressInfo:       make([]gen.Address, len(c.Addresses)),
		CommunicationInfo: make([]gen.Communication, len(c.Contacts)),
		KycInfo:           make([]gen.Kyc, len(c.KYC)),
		KitInfo:           make([]gen.Kit, len(v.Kits)),
		AccountKitMapping: make([]gen.AccountKitMapping, 0, len(v.Kits)),
	}
	for i, ac := range c.Accounts {
		out.AccountInfo[i] = gen.Account{AccountNo: ac.AccountNo, AccountStatus: ac.Status, AccountType: ac.Type,
			AccountsCurrency: ac.Currency, DefaultAccount: ac.Default, InitialFunding: ac.InitialFunding,
			IsPrimary: ac.Primary, SchemeCode: ac.SchemeCode}
	}
	for i, ad := range c.Addresses {
		out.AddressInfo[i] = gen.Address{Address1: ad.Line1, Address2: ad.Line2, Address3: ad.Line3,
			AddressCategory: gen.AddressCategory(ad.Category), City: ad.City, Country: ad.Country,
			District: ad.District, IsoCountryCode: ad.ISOCountryCode, Pincode: ad.Pincode, State: ad.State}
	}
	for i, co := range c.Contacts {
		out.CommunicationInfo[i] = gen.Communication{AppId: co.AppID, ContactNo: co.ContactNo,
			CountryCode: co.CountryCode, EmailId: co.Email, Notification: co.Notification}
	}
	for i, k := range c.KYC {
		out.KycInfo[i] = gen.Kyc{CountryOfIssue: k.CountryOfIssue, DocumentExpiry: k.DocumentExpiry,
			DocumentNo: k.DocumentNo, DocumentType: k.DocumentType, HashDocumentNo: k.HashDocumentNo}
	}
	for i, k := range v.Kits {
		// viewCustomer shows the account of a kit in accountKitMapping, not on the kit.
		out.KitInfo[i] = kitOut(k, "")
		if k.AccountNo != 0 {
			out.AccountKitMapping = append(out.AccountKitMapping, gen.AccountKitMapping{AccountNo: k.AccountNo, EntityId: k.EntityID, KitNo: k.KitNo})
		}
	}
	return out
}

// kitOut renders a kit. With a tenant it adds accountNo and encryptedCardNumber, as the
// answers of register, upgradeCard and a replacement show them (viewCustomer shows the
// account in accountKitMapping instead).
func kitOut(k *Kit, tenant string) gen.Kit {
	out := gen.Kit{
		Bin: k.BIN, CardCategory: gen.CardCategory(k.Category), CardNumber: k.MaskedPAN(),
		CardStatus: gen.CardStatus(k.Status), CardType: gen.CardType(k.Type), EntityId: k.EntityID,
		ExpDate: k.ExpDate, KitNo: k.KitNo, NetworkType: gen.NetworkType(k.NetworkType),
		ProductId: k.ProductID, ProductName: k.ProductName,
	}
	if tenant != "" {
		if k.AccountNo != 0 {
			no := k.AccountNo
			out.AccountNo = &no
		}
		enc := encryptedCardNumber(tenant, k)
		out.EncryptedCardNumber = &enc
	}
	if k.TierType != "" {
		t := k.TierType
		out.TierType = &t
	}
	return out
}

func kitsOut(ks []*Kit, tenant string) []gen.Kit {
	out := make([]gen.Kit, len(ks))
	for i, k := range ks {
		out[i] = kitOut(k, tenant)
	}
	return out
}

// refused answers a domain error with the operation's 400 response (wrap builds it); any
// other error goes back to the strict server, which answers 500 (server.Refuse).
func refused[R any](ctx context.Context, err error, wrap func(gen.ErrorJSONResponse) R) (R, error) {
	return server.Refuse(err, func(err error) (int, gen.ErrorJSONResponse, bool) { return reject(ctx, err) },
		server.Answers[gen.ErrorJSONResponse, R]{http.StatusBadRequest: wrap})
}

// Authenticate answers POST /v1/api/authenticate.
func (a *API) Authenticate(ctx context.Context, req gen.AuthenticateRequestObject) (gen.AuthenticateResponseObject, error) {
	ok, err := a.login(ctx, req.Params.Tenant, req.Body.Username, req.Body.Password)
	if err != nil {
		return nil, err
	}
	if !ok {
		call := server.CallFrom(ctx)
		call.Outcome = errorTable["unauthorized"].outcome
		body := envelope(http.StatusUnauthorized, "unauthorized", "Wrong username or password", nil)
		body.Exception.ShortMessage = "Bad credentials"
		body.Exception.DetailMessage = call.Refusal(body.Exception.DetailMessage)
		return gen.Authenticate401JSONResponse{UnauthorizedJSONResponse: gen.UnauthorizedJSONResponse(body)}, nil
	}
	tok, _, err := a.signer.Issue("dcms", req.Body.Username, req.Params.Tenant, tokenTTL)
	if err != nil {
		return nil, err
	}
	return gen.Authenticate200JSONResponse{IdToken: tok}, nil
}

// RegisterCustomer answers POST /v1/register.
func (a *API) RegisterCustomer(ctx context.Context, req gen.RegisterCustomerRequestObject) (gen.RegisterCustomerResponseObject, error) {
	b := req.Body
	reg := Registration{Customer: Customer{
		EntityID: b.EntityId, EntityType: string(b.EntityType),
		FirstName: b.FirstName, MiddleName: deref(b.MiddleName, ""), LastName: b.LastName,
		Title: string(b.Title), Gender: string(b.Gender), DOB: b.Dob,
		Business: b.Business, BusinessID: b.BusinessId, BusinessType: b.BusinessType,
		Accounts: make([]Account, len(b.AccountInfo)), Addresses: addressesIn(b.AddressInfo),
		Contacts: contactsIn(b.CommunicationInfo), KYC: make([]KYC, len(b.KycInfo)),
	}}
	for i, ac := range b.AccountInfo {
		reg.Customer.Accounts[i] = Account{
			AccountNo: ac.AccountNo, Status: deref(ac.AccountStatus, "ACTIVE"), Type: deref(ac.AccountType, "SAVING"),
			Currency: deref(ac.AccountsCurrency, "INR"), Default: deref(ac.DefaultAccount, i == 0),
			InitialFunding: deref(ac.InitialFunding, "0"), Primary: deref(ac.IsPrimary, false),
			SchemeCode: deref(ac.SchemeCode, defaultSchemeCode),
		}
	}
	for i, k := range b.KycInfo {
		reg.Customer.KYC[i] = KYC{CountryOfIssue: k.CountryOfIssue, DocumentExpiry: deref(k.DocumentExpiry, "2099-12-31"),
			DocumentNo: k.DocumentNo, DocumentType: k.DocumentType, HashDocumentNo: "XXXXXXXX"}
	}
	if b.KitInfo != nil {
		reg.Kits = make([]NewKit, len(*b.KitInfo))
		for i, k := range *b.KitInfo {
			reg.Kits[i] = NewKit{KitNo: deref(k.KitNo, ""), Type: string(k.CardType), ProductID: deref(k.ProductId, ""),
				TierType: deref(k.TierType, ""), AliasName: deref(k.AliasName, ""), PlasticCode: deref(k.PlasticCode, "")}
		}
	}
	if b.DeliveryAddress != nil {
		reg.DeliveryAddress = string(*b.DeliveryAddress)
	}
	kits, err := a.svc.Register(ctx, req.Params.Tenant, reg)
	if err != nil {
		return refused(ctx, err, func(e gen.ErrorJSONResponse) gen.RegisterCustomerResponseObject {
			return gen.RegisterCustomer400JSONResponse{ErrorJSONResponse: e}
		})
	}
	return gen.RegisterCustomer200JSONResponse{Result: gen.RegisterCustomerResult{EntityId: b.EntityId, KitInfo: kitsOut(kits, req.Params.Tenant)}}, nil
}

func addressesIn(in []gen.AddressInput) []Address {
	out := make([]Address, len(in))
	for i, a := range in {
		out[i] = Address{Line1: a.Address1, Line2: deref(a.Address2, ""), Line3: deref(a.Address3, ""),
			Category: string(a.AddressCategory), City: a.City, Country: a.Country,
			District: a.District, ISOCountryCode: a.IsoCountryCode, Pincode: a.Pincode, State: a.State}
	}
	return out
}

func contactsIn(in []gen.CommunicationInput) []Contact {
	out := make([]Contact, len(in))
	for i, c := range in {
		out[i] = Contact{AppID: c.AppId, ContactNo: c.ContactNo, CountryCode: c.CountryCode,
			Email: deref(c.EmailId, ""), Notification: deref(c.Notification, true)}
	}
	return out
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// UpdatePoi answers POST /v1/update-manager/poi.
func (a *API) UpdatePoi(ctx context.Context, req gen.UpdatePoiRequestObject) (gen.UpdatePoiResponseObject, error) {
	if err := a.svc.UpdateContacts(ctx, req.Params.Tenant, req.Body.EntityId, contactsIn(req.Body.CommunicationInfo)); err != nil {
		return refused(ctx, err, func(e gen.ErrorJSONResponse) gen.UpdatePoiResponseObject {
			return gen.UpdatePoi400JSONResponse{ErrorJSONResponse: e}
		})
	}
	return gen.UpdatePoi200JSONResponse{Result: gen.UpdateCustomerResult{EntityId: req.Body.EntityId}}, nil
}

// UpdatePoa answers POST /v1/update-manager/poa.
func (a *API) UpdatePoa(ctx context.Context, req gen.UpdatePoaRequestObject) (gen.UpdatePoaResponseObject, error) {
	if err := a.svc.UpdateAddresses(ctx, req.Params.Tenant, req.Body.EntityId, addressesIn(req.Body.AddressInfo)); err != nil {
		return refused(ctx, err, func(e gen.ErrorJSONResponse) gen.UpdatePoaResponseObject {
			return gen.UpdatePoa400JSONResponse{ErrorJSONResponse: e}
		})
	}
	return gen.UpdatePoa200JSONResponse{Result: gen.UpdateCustomerResult{EntityId: req.Body.EntityId}}, nil
}

// ExpireInstaKits answers POST /v1/inventory/instaKit/expire.
func (a *API) ExpireInstaKits(ctx context.Context, req gen.ExpireInstaKitsRequestObject) (gen.ExpireInstaKitsResponseObject, error) {
	if err := a.svc.ExpireInstaKits(ctx, req.Params.Tenant, deref(req.Body.KitNo, ""), deref(req.Body.ParentKitNo, "")); err != nil {
		return refused(ctx, err, func(e gen.ErrorJSONResponse) gen.ExpireInstaKitsResponseObject {
			return gen.ExpireInstaKits400JSONResponse{ErrorJSONResponse: e}
		})
	}
	return gen.ExpireInstaKits200JSONResponse{Result: gen.ExpireInstaKitsResultSUCCESS}, nil
}

// ManageAllKits answers POST /v1/kit-manager/manageAllKits.
func (a *API) ManageAllKits(ctx context.Context, req gen.ManageAllKitsRequestObject) (gen.ManageAllKitsResponseObject, error) {
	b := req.Body
	ch := BulkChange{MobileNo: deref(b.MobileNo, ""), EntityID: deref(b.EntityId, ""), Operation: string(b.Operation),
		Reason: deref(b.Reason, ""), Changer: deref(b.Changer, "")}
	if b.Channel != nil {
		ch.Channel = string(*b.Channel)
	}
	res, err := a.svc.ManageAllKits(ctx, req.Params.Tenant, ch)
	if err != nil {
		return refused(ctx, err, func(e gen.ErrorJSONResponse) gen.ManageAllKitsResponseObject {
			return gen.ManageAllKits400JSONResponse{ErrorJSONResponse: e}
		})
	}
	out := gen.ManageAllKitsResult{EntityId: res.EntityID, Operation: b.Operation, TotalCardsManaged: len(res.Cards),
		ManagedCards: make([]gen.ManagedCard, len(res.Cards))}
	for i, c := range res.Cards {
		out.ManagedCards[i] = gen.ManagedCard{KitNo: c.KitNo, CardNumber: c.CardNumber,
			PreviousStatus: gen.CardStatus(c.PreviousStatus), CurrentStatus: gen.CardStatus(c.CurrentStatus)}
	}
	return gen.ManageAllKits200JSONResponse{Result: out}, nil
}

// ManageKit answers POST /v1/kit-manager/manageKit.
func (a *API) ManageKit(ctx context.Context, req gen.ManageKitRequestObject) (gen.ManageKitResponseObject, error) {
	b := req.Body
	ch := KitChange{EntityID: b.EntityId, KitNo: b.OldKit, Operation: string(b.Operation)}
	if b.CardType != nil {
		ch.CardType = string(*b.CardType)
	}
	if b.DeliveryAddress != nil {
		ch.DeliveryAddress = string(*b.DeliveryAddress)
	}
	k, err := a.svc.ManageKit(ctx, req.Params.Tenant, ch)
	if err != nil {
		return refused(ctx, err, func(e gen.ErrorJSONResponse) gen.ManageKitResponseObject {
			return gen.ManageKit400JSONResponse{ErrorJSONResponse: e}
		})
	}
	out := gen.ManageKitResult{Status: true}
	if k != nil {
		nk := kitOut(k, req.Params.Tenant)
		out.NewKit = &nk
	}
	return gen.ManageKit200JSONResponse{Result: out}, nil
}

// forcedDelivery maps kitTracking's 200 scenarios to the delivery status they show.
var forcedDelivery = map[string]string{
	"shipment-delivered": Delivered,
	"shipment-at-bank":   AtBank,
	"shipment-returned":  Returned,
}

// KitTracking answers POST /v1/kit-manager/kitTracking.
func (a *API) KitTracking(ctx context.Context, req gen.KitTrackingRequestObject) (gen.KitTrackingResponseObject, error) {
	forced := ""
	if f := server.CallFrom(ctx).Forced; f != nil {
		forced = forcedDelivery[f.Name]
	}
	t, err := a.svc.Track(ctx, req.Params.Tenant, req.Body.KitNo, forced)
	if err != nil {
		return refused(ctx, err, func(e gen.ErrorJSONResponse) gen.KitTrackingResponseObject {
			return gen.KitTracking400JSONResponse{ErrorJSONResponse: e}
		})
	}
	s := t.Shipment
	sh := gen.Shipment{
		DeliveryService: "BLUEDART", Origin: origin, OriginAreaCode: originCode,
		Destination: s.Destination, DestinationAreaCode: s.DestinationCode,
		ExpectedDeliveryDate: t.ExpectedDeliveryDate, KitNo: t.KitNo,
		PickUpDate: t.PickUpDate, PickUpTime: t.PickUpTime, RefNo: t.KitNo, SenderName: s.SenderName,
		Service: "DOMESTIC PRIORITY", Status: gen.DeliveryStatus(t.Status), StatusDate: t.StatusDate,
		StatusTime: t.StatusTime, WaybillNo: s.WaybillNo, Prodcode: "A",
		Scans: gen.Scans{ScanDetail: make([]gen.ScanDetail, len(t.Scans))},
	}
	if t.ReceivedBy != "" {
		r := t.ReceivedBy
		sh.ReceivedBy = &r
	}
	for i, sc := range t.Scans {
		sh.Scans.ScanDetail[i] = gen.ScanDetail{Scan: sc.Scan, ScanCode: sc.Code, ScanDate: sc.Date, ScanTime: sc.Time,
			ScanType: gen.ScanType(sc.Type), ScannedLocation: sc.Location}
	}
	return gen.KitTracking200JSONResponse{Result: gen.KitTrackingResult{ShipmentData: gen.ShipmentData{Shipment: []gen.Shipment{sh}}}}, nil
}

// UpgradeCard answers POST /v1/kit-manager/upgradeCard.
func (a *API) UpgradeCard(ctx context.Context, req gen.UpgradeCardRequestObject) (gen.UpgradeCardResponseObject, error) {
	b := req.Body
	u := Upgrade{EntityID: b.EntityId, KitNo: b.KitNo, Kits: make([]UpgradeKit, len(b.KitInfo))}
	if b.DeliveryAddress != nil {
		u.DeliveryAddress = string(*b.DeliveryAddress)
	}
	for i, k := range b.KitInfo {
		u.Kits[i] = UpgradeKit{CardType: string(k.CardType), TierType: k.TierType, AliasName: deref(k.AliasName, ""), PlasticCode: deref(k.PlasticCode, "")}
	}
	kits, err := a.svc.UpgradeCard(ctx, req.Params.Tenant, u)
	if err != nil {
		return refused(ctx, err, func(e gen.ErrorJSONResponse) gen.UpgradeCardResponseObject {
			return gen.UpgradeCard400JSONResponse{ErrorJSONResponse: e}
		})
	}
	return gen.UpgradeCard200JSONResponse{Result: gen.UpgradeCardResult{EntityId: b.EntityId, KitInfo: kitsOut(kits, req.Params.Tenant)}}, nil
}

// KitActivation answers POST /v1/kit-manager/kitActivation.
func (a *API) KitActivation(ctx context.Context, req gen.KitActivationRequestObject) (gen.KitActivationResponseObject, error) {
	if err := a.svc.Activate(ctx, req.Params.Tenant, req.Body.EntityId, req.Body.KitNo); err != nil {
		return refused(ctx, err, func(e gen.ErrorJSONResponse) gen.KitActivationResponseObject {
			return gen.KitActivation400JSONResponse{ErrorJSONResponse: e}
		})
	}
	return gen.KitActivation200JSONResponse{Result: gen.Success}, nil
}

// SetPinV2 answers POST /v1/kit-manager/v2/setPin.
func (a *API) SetPinV2(ctx context.Context, req gen.SetPinV2RequestObject) (gen.SetPinV2ResponseObject, error) {
	b := req.Body
	expiry, err := cardExpiry(b.ExpiryDate)
	if err == nil {
		err = a.svc.SetPin(ctx, req.Params.Tenant, a.SetPinKey(req.Params.Tenant), PinChange{
			EntityID: b.EntityId, KitNo: b.KitNo, Expiry: expiry, Block: b.Pin,
		})
	}
	if err != nil {
		return refused(ctx, err, func(e gen.ErrorJSONResponse) gen.SetPinV2ResponseObject {
			return gen.SetPinV2400JSONResponse{ErrorJSONResponse: e}
		})
	}
	return gen.SetPinV2200JSONResponse{Result: true}, nil
}

// cardExpiry reads expiryDate, a string or a number, as MMYY.
func cardExpiry(e gen.CardExpiry) (string, error) {
	var mmyy string
	if text, err := e.AsCardExpiryText(); err == nil {
		mmyy = text
	} else if n, err := e.AsCardExpiryNumber(); err == nil && n >= 0 && n <= 9999 {
		mmyy = strconv.Itoa(n)
	}
	return NormalizeExpiry(mmyy)
}

// CreateCardOrder answers POST /v1/card-order.
func (a *API) CreateCardOrder(ctx context.Context, req gen.CreateCardOrderRequestObject) (gen.CreateCardOrderResponseObject, error) {
	b := req.Body
	o := CardOrder{
		OrderID: b.OrderId, Branch: BranchInfo{BranchID: b.BranchInfo.BranchId, BranchName: deref(b.BranchInfo.BranchName, "")},
		Address: b.Address, PinCode: b.PinCode,
		OrderingParty:    OrderingParty{ID: b.OrderingPartyInfo.OrderingPartyId, Type: b.OrderingPartyInfo.OrderingPartyType},
		ProcessStartTime: b.ProcessStartTime, Validity: b.Validity, Products: make([]OrderProduct, len(b.Products)),
	}
	for i, p := range b.Products {
		o.Products[i] = OrderProduct{BIN: p.Bin, ProductID: p.ProductId, Quantity: p.Quantity}
	}
	status, err := a.svc.CreateOrder(ctx, req.Params.Tenant, o)
	if err != nil {
		return refused(ctx, err, func(e gen.ErrorJSONResponse) gen.CreateCardOrderResponseObject {
			return gen.CreateCardOrder400JSONResponse{ErrorJSONResponse: e}
		})
	}
	return gen.CreateCardOrder200JSONResponse{Result: gen.CardOrderResult{OrderId: b.OrderId, Status: gen.CardOrderStatus(status)}}, nil
}

// CancelCardOrder answers POST /v1/card-order/cancel.
func (a *API) CancelCardOrder(ctx context.Context, req gen.CancelCardOrderRequestObject) (gen.CancelCardOrderResponseObject, error) {
	if err := a.svc.CancelOrder(ctx, req.Params.Tenant, req.Body.OrderId, req.Body.BranchId); err != nil {
		return refused(ctx, err, func(e gen.ErrorJSONResponse) gen.CancelCardOrderResponseObject {
			return gen.CancelCardOrder400JSONResponse{ErrorJSONResponse: e}
		})
	}
	return gen.CancelCardOrder200JSONResponse{Result: gen.OrderCancelledSuccessfully}, nil
}
