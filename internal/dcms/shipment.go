package dcms

import (
	"strings"
	"time"
)

// Shipment is the courier delivery of a PHYSICAL kit. Only its fixed facts are stored; its
// status and scans follow from IssuedAt and the sandbox clock (see track).
type Shipment struct {
	IssuedAt        time.Time `json:"issuedAt"`
	WaybillNo       string    `json:"waybillNo"`
	Destination     string    `json:"destination"`
	DestinationCode string    `json:"destinationAreaCode"`
	ReceivedBy      string    `json:"receivedBy"`
	SenderName      string    `json:"senderName"`
}

// Delivery statuses (openapi DeliveryStatus).
const (
	InTransit = "IN_TRANSIT"
	Delivered = "DELIVERED"
	AtBank    = "BANK"
	Returned  = "RETURNED"
)

// ist is India Standard Time: DCMS shows shipment dates and reads order times in it.
var ist = time.FixedZone("IST", 5*3600+1800)

const (
	origin        = "CHENNAI HUB"
	originCode    = "MAA"
	transitHub    = "BENGALURU HUB"
	deliveryAfter = 72 * time.Hour
)

// route is a shipment's life: each scan happens at its offset from the pick-up. The last
// one delivers. Moving the sandbox clock past an offset makes the scan appear.
var route = []struct {
	after    time.Duration
	scan     string
	code     string
	typ      string
	location string // "" is the destination
}{
	{0, "Shipment picked up", "015", "UD", origin},
	{20 * time.Hour, "In transit", "002", "UD", transitHub},
	{44 * time.Hour, "Arrived at destination", "007", "UD", ""},
	{66 * time.Hour, "Out for delivery", "001", "UD", ""},
	{deliveryAfter, "Shipment delivered", "000", "DL", ""},
}

// newShipment starts the delivery of a kit issued at now to address.
func newShipment(k *Kit, c *Customer, addr *Address, sender string, now time.Time) *Shipment {
	city := strings.ToUpper(addr.City)
	code := strings.ToUpper(strings.ReplaceAll(addr.City, " ", ""))
	if len(code) > 3 {
		code = code[:3]
	}
	name := strings.TrimSpace(c.FirstName + " " + c.LastName)
	return &Shipment{
		IssuedAt: now.UTC(), WaybillNo: "9087" + lastDigits(k.KitNo, 7),
		Destination: city, DestinationCode: code, ReceivedBy: name, SenderName: sender,
	}
}

func lastDigits(s string, n int) string {
	if len(s) >= n {
		return s[len(s)-n:]
	}
	return strings.Repeat("0", n-len(s)) + s
}

// Scan is one tracking event.
type Scan struct {
	Scan, Code, Date, Time, Type, Location string
}

// Tracking is a shipment as kitTracking shows it at one moment.
type Tracking struct {
	Shipment             *Shipment
	KitNo                string
	Status               string
	StatusDate           string
	StatusTime           string
	PickUpDate           string
	PickUpTime           string
	ExpectedDeliveryDate string
	ReceivedBy           string // only when DELIVERED
	Scans                []Scan
}

func day(t time.Time) string  { return t.In(ist).Format("2 January 2006") }
func hhmm(t time.Time) string { return t.In(ist).Format("15:04") }

// track shows s at now. forced, when not "", is a delivery status a sandbox scenario asks
// for: DELIVERED at once, or BANK / RETURNED (the courier gave up) after the scans so far.
func track(kitNo string, s *Shipment, now time.Time, forced string) Tracking {
	t := Tracking{Shipment: s, KitNo: kitNo, Status: InTransit,
		PickUpDate: day(s.IssuedAt), PickUpTime: hhmm(s.IssuedAt),
		ExpectedDeliveryDate: day(s.IssuedAt.Add(deliveryAfter)),
	}
	last := s.IssuedAt
	for i, r := range route {
		at := s.IssuedAt.Add(r.after)
		final := i == len(route)-1
		if at.After(now) || (final && forced != "" && forced != Delivered) {
			break
		}
		t.Scans = append(t.Scans, s.scan(r.scan, r.code, r.typ, r.location, at))
		last = at
		if final {
			t.Status = Delivered
		}
	}
	switch forced {
	case Delivered:
		if t.Status != Delivered {
			t.Scans = append(t.Scans, s.scan("Shipment delivered", "000", "DL", "", now))
			t.Status, last = Delivered, now
		}
	case AtBank:
		t.Scans = append(t.Scans, s.scan("Undelivered: returned to the bank branch", "028", "UD", "", now))
		t.Status, last = AtBank, now
	case Returned:
		t.Scans = append(t.Scans, s.scan("Returned to origin", "074", "UD", origin, now))
		t.Status, last = Returned, now
	}
	t.StatusDate, t.StatusTime = day(last), hhmm(last)
	if t.Status == Delivered {
		t.ReceivedBy = s.ReceivedBy
	}
	return t
}

func (s *Shipment) scan(what, code, typ, location string, at time.Time) Scan {
	if location == "" {
		location = s.Destination
	}
	return Scan{Scan: what, Code: code, Date: day(at), Time: hhmm(at), Type: typ, Location: location}
}
