package dcms

// Kinds tells snapshots how to decode each DCMS record kind.
func Kinds() map[string]func() any {
	return map[string]func() any{
		kindCustomer:  func() any { return new(Customer) },
		kindKit:       func() any { return new(Kit) },
		kindCardOrder: func() any { return new(CardOrder) },
		kindMobile:    func() any { return new(mobileIndex) },
		kindSequence:  func() any { return new(sequence) },
	}
}
