package profile

// Kinds tells snapshots how to decode each profile record kind.
func Kinds() map[string]func() any {
	return map[string]func() any{
		kindSubmission: func() any { return new(Submission) },
		kindDocument:   func() any { return new(Document) },
		kindEmployee:   func() any { return new(Employee) },
		kindReviewDue:  func() any { return new(reviewDue) },
		kindOutbox:     func() any { return new(OutboxMessage) },
		kindDelivery:   func() any { return new(Delivery) },
		kindLimits:     func() any { return new(Limits) },
		kindWindow:     func() any { return new(window) },
		kindWebhook:    func() any { return new(Webhook) },
		kindSeq:        func() any { return new(counter) },
	}
}
