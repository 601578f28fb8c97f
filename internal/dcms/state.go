package dcms

import (
	"context"
	"strconv"
	"strings"

	admin "github.com/partnersandbox/sandbox/generated/sandbox"
	adm "github.com/partnersandbox/sandbox/internal/admin"
	"github.com/partnersandbox/sandbox/internal/store"
	"github.com/partnersandbox/sandbox/internal/tenant"
)

// The admin API's view of a DCMS tenant's state, for the console: customers with their
// kits (status, the lifecycle moves allowed from it, shipment), and card orders.

// moveOrder is the order the console lists a kit's moves in.
var moveOrder = []string{OpActivate, OpLock, OpUnlock, OpBlock, OpReplace, OpBlockAndReplace, OpUpgrade, OpSetPin, OpExpire, OpAssign}

// moves are the operations the lifecycle allows on k now, with where each leads.
func moves(k *Kit) []admin.DcmsKitMove {
	out := []admin.DcmsKitMove{}
	for _, op := range moveOrder {
		t := next(op, k)
		if t.code != "" {
			continue
		}
		m := admin.DcmsKitMove{Operation: op, To: t.to}
		if t.replaces {
			yes := true
			m.NewKit = &yes
		}
		out = append(out, m)
	}
	return out
}

func (a *API) kitState(tenant string, k *Kit) admin.DcmsKit {
	out := admin.DcmsKit{KitNo: k.KitNo, MaskedPan: k.MaskedPAN(), CardType: k.Type, CardStatus: k.Status, PinSet: k.PinSet, Moves: moves(k)}
	if k.ProductName != "" {
		out.ProductName = &k.ProductName
	}
	if k.Replaces != "" {
		out.Replaces = &k.Replaces
	}
	if len(k.ReplacedBy) > 0 {
		out.ReplacedBy = &k.ReplacedBy
	}
	if k.Shipment != nil {
		t := track(k.KitNo, k.Shipment, a.svc.clock.Now(tenant), "")
		out.Shipment = &admin.DcmsShipment{Destination: k.Shipment.Destination, ExpectedDeliveryDate: t.ExpectedDeliveryDate, PickUpDate: t.PickUpDate, Status: t.Status, WaybillNo: k.Shipment.WaybillNo}
	}
	return out
}

func (a *API) customerState(r store.Reader, tenant string, c *Customer) admin.DcmsCustomer {
	out := admin.DcmsCustomer{EntityId: c.EntityID, Name: strings.Join(strings.Fields(c.FirstName+" "+c.MiddleName+" "+c.LastName), " "), Mobiles: []string{}, Kits: []admin.DcmsKit{}}
	for _, co := range c.Contacts {
		out.Mobiles = append(out.Mobiles, co.ContactNo)
	}
	for _, no := range c.KitNos {
		if k, ok := getKit(r, no); ok {
			out.Kits = append(out.Kits, a.kitState(tenant, k))
		}
	}
	return out
}

func noTenant(name string) admin.NotFoundJSONResponse {
	return adm.NotFound("no DCMS tenant %q: %s", name, tenant.Rule)
}

// ListDcmsCustomers pages over the customers a tenant can list: fixtures and its own.
func (a *API) ListDcmsCustomers(ctx context.Context, req admin.ListDcmsCustomersRequestObject) (admin.ListDcmsCustomersResponseObject, error) {
	if !tenant.Valid(req.Tenant) {
		return admin.ListDcmsCustomers404JSONResponse{NotFoundJSONResponse: noTenant(req.Tenant)}, nil
	}
	out := admin.DcmsCustomerPage{Tenant: req.Tenant}
	var err error
	out.Customers, out.Next, err = adm.Page(ctx, a.svc.store, partition(req.Tenant), kindCustomer, req.Params.After, req.Params.Limit,
		func(r store.Reader, c *Customer) admin.DcmsCustomer { return a.customerState(r, req.Tenant, c) })
	if err != nil {
		return nil, err
	}
	if a.generated > 0 {
		out.Generated = &admin.Generated{Count: a.generated, First: strconv.Itoa(firstGeneratedEntity), Last: strconv.Itoa(firstGeneratedEntity + a.generated - 1)}
	}
	return admin.ListDcmsCustomers200JSONResponse(out), nil
}

// GetDcmsCustomer looks one customer up by entity ID, generated ones included.
func (a *API) GetDcmsCustomer(ctx context.Context, req admin.GetDcmsCustomerRequestObject) (admin.GetDcmsCustomerResponseObject, error) {
	if !tenant.Valid(req.Tenant) {
		return admin.GetDcmsCustomer404JSONResponse{NotFoundJSONResponse: noTenant(req.Tenant)}, nil
	}
	out, err := adm.Lookup(ctx, a.svc.store, partition(req.Tenant), kindCustomer, req.EntityId,
		func(r store.Reader, c *Customer) admin.DcmsCustomer { return a.customerState(r, req.Tenant, c) })
	if err != nil {
		return nil, err
	}
	if out == nil {
		return admin.GetDcmsCustomer404JSONResponse{NotFoundJSONResponse: adm.NotFound("no customer %s in DCMS tenant %s", req.EntityId, req.Tenant)}, nil
	}
	return admin.GetDcmsCustomer200JSONResponse(*out), nil
}

// ListDcmsOrders pages over a tenant's card orders, each with its status on its clock.
func (a *API) ListDcmsOrders(ctx context.Context, req admin.ListDcmsOrdersRequestObject) (admin.ListDcmsOrdersResponseObject, error) {
	if !tenant.Valid(req.Tenant) {
		return admin.ListDcmsOrders404JSONResponse{NotFoundJSONResponse: noTenant(req.Tenant)}, nil
	}
	now := a.svc.clock.Now(req.Tenant)
	out := admin.DcmsOrderPage{Tenant: req.Tenant}
	var err error
	out.Orders, out.Next, err = adm.Page(ctx, a.svc.store, partition(req.Tenant), kindCardOrder, req.Params.After, req.Params.Limit,
		func(_ store.Reader, o *CardOrder) admin.DcmsOrder {
			n := 0
			for _, p := range o.Products {
				n += p.Quantity
			}
			return admin.DcmsOrder{OrderId: o.OrderID, Status: orderStatus(o, now), ProcessStartTime: o.ProcessStartTime, BranchId: o.Branch.BranchID, Quantity: n}
		})
	if err != nil {
		return nil, err
	}
	return admin.ListDcmsOrders200JSONResponse(out), nil
}
