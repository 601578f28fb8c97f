package dcms

import (
	"context"

	gen "github.com/partnersandbox/sandbox/generated/dcms"
)

// ViewCustomer answers POST /v1/viewCustomer.
func (a *API) ViewCustomer(ctx context.Context, req gen.ViewCustomerRequestObject) (gen.ViewCustomerResponseObject, error) {
	v, err := a.svc.ViewCustomer(ctx, req.Params.Tenant, req.Body.EntityId)
	if err != nil {
		body, err := reject(ctx, err)
		if err != nil {
			return nil, err
		}
		return gen.ViewCustomer400JSONResponse{ErrorJSONResponse: body}, nil
	}
	return gen.ViewCustomer200JSONResponse{Result: customerOut(v)}, nil
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
		out.KitInfo[i] = kitOut(k, false)
		if k.AccountNo != 0 {
			out.AccountKitMapping = append(out.AccountKitMapping, gen.AccountKitMapping{AccountNo: k.AccountNo, EntityId: k.EntityID, KitNo: k.KitNo})
		}
	}
	return out
}

// kitOut renders a kit; withAccount adds accountNo as upgradeCard and register show it.
func kitOut(k *Kit, withAccount bool) gen.Kit {
	out := gen.Kit{
		Bin: k.BIN, CardCategory: gen.CardCategory(k.Category), CardNumber: k.MaskedPAN(),
		CardStatus: gen.CardStatus(k.Status), CardType: gen.CardType(k.Type), EntityId: k.EntityID,
		ExpDate: k.ExpDate, KitNo: k.KitNo, NetworkType: gen.NetworkType(k.NetworkType),
		ProductId: k.ProductID, ProductName: k.ProductName,
	}
	if withAccount && k.AccountNo != 0 {
		no := k.AccountNo
		out.AccountNo = &no
	}
	if k.TierType != "" {
		t := k.TierType
		out.TierType = &t
	}
	return out
}

// The operations below answer 501 until the DCMS issue replaces them (README status table).

func (a *API) Authenticate(context.Context, gen.AuthenticateRequestObject) (gen.AuthenticateResponseObject, error) {
	return nil, errNotImplemented
}
func (a *API) CreateCardOrder(context.Context, gen.CreateCardOrderRequestObject) (gen.CreateCardOrderResponseObject, error) {
	return nil, errNotImplemented
}
func (a *API) CancelCardOrder(context.Context, gen.CancelCardOrderRequestObject) (gen.CancelCardOrderResponseObject, error) {
	return nil, errNotImplemented
}
func (a *API) ExpireInstaKits(context.Context, gen.ExpireInstaKitsRequestObject) (gen.ExpireInstaKitsResponseObject, error) {
	return nil, errNotImplemented
}
func (a *API) KitActivation(context.Context, gen.KitActivationRequestObject) (gen.KitActivationResponseObject, error) {
	return nil, errNotImplemented
}
func (a *API) KitTracking(context.Context, gen.KitTrackingRequestObject) (gen.KitTrackingResponseObject, error) {
	return nil, errNotImplemented
}
func (a *API) ManageAllKits(context.Context, gen.ManageAllKitsRequestObject) (gen.ManageAllKitsResponseObject, error) {
	return nil, errNotImplemented
}
func (a *API) ManageKit(context.Context, gen.ManageKitRequestObject) (gen.ManageKitResponseObject, error) {
	return nil, errNotImplemented
}
func (a *API) UpgradeCard(context.Context, gen.UpgradeCardRequestObject) (gen.UpgradeCardResponseObject, error) {
	return nil, errNotImplemented
}
func (a *API) SetPinV2(context.Context, gen.SetPinV2RequestObject) (gen.SetPinV2ResponseObject, error) {
	return nil, errNotImplemented
}
func (a *API) RegisterCustomer(context.Context, gen.RegisterCustomerRequestObject) (gen.RegisterCustomerResponseObject, error) {
	return nil, errNotImplemented
}
func (a *API) UpdatePoa(context.Context, gen.UpdatePoaRequestObject) (gen.UpdatePoaResponseObject, error) {
	return nil, errNotImplemented
}
func (a *API) UpdatePoi(context.Context, gen.UpdatePoiRequestObject) (gen.UpdatePoiResponseObject, error) {
	return nil, errNotImplemented
}
