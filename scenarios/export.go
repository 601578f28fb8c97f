package scenarios

import (
	"errors"

	"github.com/partnersandbox/sandbox/internal/journal"
)

// Export turns journal entries (oldest first) into a scenario file.
func Export(entries []journal.Entry, name string) ([]byte, error) {
	return nil, errors.New("journal export is not implemented yet")
}
