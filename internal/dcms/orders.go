package dcms

import (
	"context"
	"fmt"
	"time"

	"github.com/partnersandbox/sandbox/internal/store"
)

// Card order statuses (openapi CardOrderStatus), plus the sandbox's own record of a
// cancelled order, which no answer shows as a status.
const (
	OrderReceived  = "RECEIVED"
	OrderPending   = "PENDING"
	OrderProcessed = "PROCESSED"
	OrderSuccess   = "SUCCESS"
	orderCancelled = "CANCELLED"
)

const processStartLayout = "2006-01-02 15:04:05"

// orderSteps is an order's progress after its processStartTime passes on the sandbox clock.
var orderSteps = []struct {
	after  time.Duration
	status string
}{
	{0, OrderPending},
	{24 * time.Hour, OrderProcessed},
	{48 * time.Hour, OrderSuccess},
}

// orderStatus is an order's status at now: RECEIVED until processStartTime (IST), then
// PENDING, PROCESSED a day later and SUCCESS a day after that.
func orderStatus(o *CardOrder, now time.Time) string {
	if o.Cancelled {
		return orderCancelled
	}
	start, err := time.ParseInLocation(processStartLayout, o.ProcessStartTime, ist)
	if err != nil {
		return OrderReceived // CreateOrder refuses such an order; a bad fixture stays RECEIVED
	}
	status := OrderReceived
	for _, s := range orderSteps {
		if !now.Before(start.Add(s.after)) {
			status = s.status
		}
	}
	return status
}

// CreateOrder records a card order and returns its status now.
func (s *Service) CreateOrder(ctx context.Context, tenant string, o CardOrder) (string, error) {
	if _, err := time.ParseInLocation(processStartLayout, o.ProcessStartTime, ist); err != nil {
		return "", failf("ORD001", "processStartTime", "processStartTime: %q is not a real date and time (YYYY-MM-DD HH:mm:ss)", o.ProcessStartTime)
	}
	for i, p := range o.Products {
		if p.BIN != sandboxBIN {
			return "", failf("ORD001", fmt.Sprintf("products[%d].bin", i), "products[%d].bin: %s is not a BIN of this tenant (the sandbox BIN is %s)", i, p.BIN, sandboxBIN)
		}
	}
	o.Cancelled = false
	var status string
	err := s.store.Update(ctx, partition(tenant), func(tx store.Tx) error {
		if _, ok := kindCardOrder.Get(tx, o.OrderID); ok {
			return failf("entity.already.exists", "orderId", "An order with order ID %s already exists", o.OrderID)
		}
		kindCardOrder.Put(tx, o.OrderID, &o)
		status = orderStatus(&o, s.clock.Now(tenant))
		return nil
	})
	return status, err
}

// CancelOrder cancels a RECEIVED order of the given branch.
func (s *Service) CancelOrder(ctx context.Context, tenant, orderID, branchID string) error {
	return s.store.Update(ctx, partition(tenant), func(tx store.Tx) error {
		v, ok := kindCardOrder.Get(tx, orderID)
		if !ok || v.Branch.BranchID != branchID {
			return failf("ORD001", "Invalid orderId or branchId", "No order %s found for branch %s", orderID, branchID)
		}
		o := v
		switch st := orderStatus(o, s.clock.Now(tenant)); st {
		case OrderReceived:
		case orderCancelled:
			return &Error{Code: "ORD003", Fields: []string{}, Detail: fmt.Sprintf("Order %s is already cancelled", orderID)}
		default:
			return &Error{Code: "ORD003", Fields: []string{}, Detail: fmt.Sprintf("Order %s is %s; only an order in RECEIVED status can be cancelled", orderID, st)}
		}
		cp := *o
		cp.Cancelled = true
		kindCardOrder.Put(tx, cp.OrderID, &cp)
		return nil
	})
}
