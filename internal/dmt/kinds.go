package dmt

// Kinds tells snapshots how to decode each DMT record kind.
func Kinds() map[string]func() any {
	return map[string]func() any{
		kindCustomer: func() any { return new(Customer) },
		kindOtp:      func() any { return new(Otp) },
		kindAgent:    func() any { return new(Agent) },
	}
}
