package dcms

// Kit statuses (openapi CardStatus).
const (
	Unallocated = "UNALLOCATED"
	Inactive    = "INACTIVE"
	Assigned    = "ASSIGNED"
	Active      = "ACTIVE"
	Locked      = "LOCKED"
	Blocked     = "BLOCKED"
	Replaced    = "REPLACED"
	Expired     = "EXPIRED_CARD"
)

// Operations on one kit. The first five are manageKit's; the others are the operations
// that move a kit through the same table.
const (
	OpLock            = "LOCK"
	OpUnlock          = "UNLOCK"
	OpBlock           = "BLOCK"
	OpReplace         = "REPLACE"
	OpBlockAndReplace = "BLOCK_AND_REPLACE"
	OpActivate        = "ACTIVATE" // kitActivation
	OpUpgrade         = "UPGRADE"  // upgradeCard
	OpSetPin          = "SET_PIN"  // setPinV2 needs an ACTIVE kit and changes no status
	OpExpire          = "EXPIRE"   // inventory/instaKit/expire
	OpAssign          = "ASSIGN"   // register with an insta kit's kitNo
)

// transition is one cell of the state table: either the status the kit moves to (and
// whether a new kit is issued in its place), or the error code that refuses the move.
type transition struct {
	to       string
	replaces bool
	code     string
}

func to(status string) transition        { return transition{to: status} }
func replaceTo(status string) transition { return transition{to: status, replaces: true} }
func refuse(code string) transition      { return transition{code: code} }

// lifecycle is the one place that says what each operation does to a kit in each status.
// A missing cell is refused with the operation's default code (defaultRefusal), else as
// closed. (Ownership is checked before the table: an UNALLOCATED kit is nobody's, so its
// MCC007 cells only make the table total.)
var lifecycle = map[string]map[string]transition{
	OpActivate: {
		Unallocated: refuse("MCC007"),
		Inactive:    to(Active),
		Assigned:    to(Active),
		Active:      refuse("card.already.active"),
		Locked:      refuse("card.already.active"),
		Blocked:     refuse("card.already.blocked"),
	},
	OpLock: {
		Unallocated: refuse("MCC007"),
		Inactive:    refuse("card.not.active"),
		Assigned:    refuse("card.not.active"),
		Active:      to(Locked),
		Locked:      refuse("card.already.locked"),
		Blocked:     refuse("card.already.blocked"),
	},
	OpUnlock: {
		Unallocated: refuse("MCC007"),
		Inactive:    refuse("card.not.active"),
		Assigned:    refuse("card.not.active"),
		Active:      refuse("card.already.active"),
		Locked:      to(Active),
		Blocked:     refuse("card.already.blocked"),
	},
	OpBlock: {
		Unallocated: refuse("MCC007"),
		Inactive:    to(Blocked),
		Assigned:    to(Blocked),
		Active:      to(Blocked),
		Locked:      to(Blocked),
		Blocked:     refuse("card.already.blocked"),
	},
	// REPLACE of a BLOCKED card is how a card blocked earlier gets its replacement; one
	// that already has its replacement is refused by next.
	OpReplace: {
		Unallocated: refuse("MCC007"),
		Inactive:    replaceTo(Replaced),
		Assigned:    replaceTo(Replaced),
		Active:      replaceTo(Replaced),
		Locked:      replaceTo(Replaced),
		Blocked:     replaceTo(Replaced),
	},
	OpBlockAndReplace: {
		Unallocated: refuse("MCC007"),
		Inactive:    replaceTo(Blocked),
		Assigned:    replaceTo(Blocked),
		Active:      replaceTo(Blocked),
		Locked:      replaceTo(Blocked),
		Blocked:     refuse("card.already.blocked"),
	},
	OpUpgrade: {
		Unallocated: refuse("MCC007"),
		Inactive:    replaceTo(Replaced),
		Assigned:    replaceTo(Replaced),
		Active:      replaceTo(Replaced),
		Locked:      replaceTo(Replaced),
		Blocked:     refuse("card.already.blocked"),
	},
	OpSetPin: {
		Unallocated: refuse("MCC007"),
		Inactive:    refuse("card.not.active"),
		Assigned:    refuse("card.not.active"),
		Active:      to(Active),
		Locked:      refuse("card.not.active"),
		Blocked:     refuse("card.not.active"),
		Replaced:    refuse("card.not.active"),
		Expired:     refuse("card.not.active"),
	},
	OpExpire: {
		Unallocated: to(Expired),
		Expired:     refuse("card.already.closed"),
	},
	OpAssign: {
		Unallocated: to(Assigned), // an insta kit is handed over, not yet activated
		Expired:     refuse("INV001"),
	},
}

// defaultRefusal answers the statuses an operation's row does not list.
var defaultRefusal = map[string]string{
	OpExpire: "INV001", // assigned to a customer: not inventory any more
	OpAssign: "INV001",
}

// next looks up what op does to k. It never changes k.
func next(op string, k *Kit) transition {
	if t, ok := lifecycle[op][k.Status]; ok {
		if t.replaces && len(k.ReplacedBy) > 0 {
			return refuse("card.already.closed") // replaced once already, even if only BLOCKED
		}
		return t
	}
	if code, ok := defaultRefusal[op]; ok {
		return refuse(code)
	}
	return refuse("card.already.closed") // REPLACED and EXPIRED_CARD are closed
}
