package replay

import (
	"time"

	"github.com/partnersandbox/sandbox/scenarios/scenariofile"
)

// StepResult is what happened to one step (or to the setup, when it failed).
type StepResult struct {
	Name     string
	Pos      string // file:line of the step
	Method   string
	Path     string // as sent, variables expanded
	Status   int    // 0: no answer
	Duration time.Duration
	Failures []string // unmet expectations; empty (and no Contract, no Error): passed, unless skipped
	Contract []string // contract violations of the answer (an undocumented status, field or type)
	Error    string   // the target could not be reached: nothing was checked
	Skipped  string   // why it did not run
	Note     string   // the step's note
	Response string   // the start of the answer's body, when the step failed
}

// Passed says the step ran, met every expectation and got an answer the contract allows.
func (s *StepResult) Passed() bool {
	return s.Skipped == "" && s.Error == "" && len(s.Failures) == 0 && len(s.Contract) == 0
}

// Failed says the step ran and got a wrong answer: an expectation or the contract unmet.
func (s *StepResult) Failed() bool {
	return s.Skipped == "" && s.Error == "" && (len(s.Failures) > 0 || len(s.Contract) > 0)
}

// FileResult is the replay of one file.
type FileResult struct {
	File     *scenariofile.File
	Target   string
	Started  time.Time
	Duration time.Duration
	Warnings []string
	Steps    []StepResult // a failed setup is the first, named "setup"
}

// Counts are how many steps failed, were skipped, and could not run because the target
// was unreachable (errors).
func (r *FileResult) Counts() (failed, skipped, errored int) {
	for i := range r.Steps {
		switch st := &r.Steps[i]; {
		case st.Skipped != "":
			skipped++
		case st.Error != "":
			errored++
		case st.Failed():
			failed++
		}
	}
	return failed, skipped, errored
}

// AnyFailed says whether any step of any result failed (an error is not a failure).
func AnyFailed(results []*FileResult) bool {
	for _, r := range results {
		if f, _, _ := r.Counts(); f > 0 {
			return true
		}
	}
	return false
}

// ExitCode is what `sandbox replay` exits with: 2 if the target could not be reached (an
// error), else 1 if a step failed, else 0.
func ExitCode(results []*FileResult) int {
	code := 0
	for _, r := range results {
		f, _, e := r.Counts()
		if e > 0 {
			return 2
		}
		if f > 0 {
			code = 1
		}
	}
	return code
}
