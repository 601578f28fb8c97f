package profile

import (
	"fmt"

	"github.com/partnersandbox/sandbox/fixtures"
	"github.com/partnersandbox/sandbox/internal/store"
)

// fixtureFile is the shape of fixtures/profile.json: the seed's employee, form and
// profiles plus a few more, and the documents of John Doe's profile (the contract's examples
// download and delete them).
type fixtureFile struct {
	Employees   []*Employee   `json:"employees"`
	Forms       []Form        `json:"forms"`
	Submissions []*Submission `json:"submissions"`
	Documents   []*Document   `json:"documents"`
}

func loadFixtures() (fixtureFile, error) {
	var fx fixtureFile
	if err := fixtures.Load("profile", &fx); err != nil {
		return fx, err
	}
	for _, s := range fx.Submissions {
		if s.Status == "" || s.Created.IsZero() {
			return fx, fmt.Errorf("fixtures/profile.json: submission %s needs a status and createdAt", s.ID)
		}
	}
	return fx, nil
}

// Base is what every profile tenant starts with: the fixture employees and profiles.
// Forms are the same for every tenant and live in the Service. Generated extras would be
// unreachable (profiles are found by id only), so there are none.
func Base() (func(tx store.Tx) error, error) {
	fx, err := loadFixtures()
	if err != nil {
		return nil, err
	}
	return func(tx store.Tx) error {
		for _, e := range fx.Employees {
			kindEmployee.Put(tx, e.ID, e)
		}
		for _, s := range fx.Submissions {
			kindSubmission.Put(tx, s.ID, s)
		}
		for _, d := range fx.Documents {
			kindDocument.Put(tx, d.ID, d)
		}
		return nil
	}, nil
}
