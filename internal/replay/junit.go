package replay

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// JUnit XML as CI servers (Jenkins, GitLab, GitHub test reporters) read it: one testsuite
// per file, one testcase per step.
type (
	// JUnitSuites is the document root.
	JUnitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Skipped  int          `xml:"skipped,attr"`
		Time     string       `xml:"time,attr"`
		Suites   []JUnitSuite `xml:"testsuite"`
	}
	// JUnitSuite is one scenario file.
	JUnitSuite struct {
		Name      string      `xml:"name,attr"`
		File      string      `xml:"file,attr,omitempty"`
		Tests     int         `xml:"tests,attr"`
		Failures  int         `xml:"failures,attr"`
		Errors    int         `xml:"errors,attr"`
		Skipped   int         `xml:"skipped,attr"`
		Time      string      `xml:"time,attr"`
		Timestamp string      `xml:"timestamp,attr"`
		Cases     []JUnitCase `xml:"testcase"`
		SystemOut string      `xml:"system-out,omitempty"`
	}
	// JUnitCase is one step.
	JUnitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		File      string        `xml:"file,attr,omitempty"`
		Line      int           `xml:"line,attr,omitempty"`
		Time      string        `xml:"time,attr"`
		Failure   *JUnitFailure `xml:"failure,omitempty"`
		Error     *JUnitFailure `xml:"error,omitempty"`
		Skipped   *JUnitSkipped `xml:"skipped,omitempty"`
	}
	// JUnitFailure says what was wrong: a failure's Type is "expectation" or "contract" (the
	// answer breaks the contract); an error's is "unreachable" (the target could not be reached).
	JUnitFailure struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
	// JUnitSkipped says why a step did not run.
	JUnitSkipped struct {
		Message string `xml:"message,attr"`
	}
)

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// JUnit builds the JUnit document of results.
func JUnit(results []*FileResult) JUnitSuites {
	doc := JUnitSuites{Name: "sandbox replay"}
	var total time.Duration
	for _, r := range results {
		failed, skipped, errored := r.Counts()
		s := JUnitSuite{Name: r.File.Name, File: r.File.Path, Tests: len(r.Steps), Failures: failed, Errors: errored, Skipped: skipped,
			Time: seconds(r.Duration), Timestamp: r.Started.UTC().Format("2006-01-02T15:04:05")}
		if len(r.Warnings) > 0 {
			s.SystemOut = "warning: " + strings.Join(r.Warnings, "\nwarning: ")
		}
		for i, st := range r.Steps {
			c := JUnitCase{Name: fmt.Sprintf("%02d %s", i+1, st.Name), Classname: r.File.Name, File: r.File.Path, Time: seconds(st.Duration)}
			if i := strings.LastIndexByte(st.Pos, ':'); i > 0 {
				c.Line, _ = strconv.Atoi(st.Pos[i+1:])
			}
			switch {
			case st.Skipped != "":
				c.Skipped = &JUnitSkipped{Message: st.Skipped}
			case st.Error != "":
				c.Error = &JUnitFailure{Message: st.Error, Type: "unreachable", Text: fmt.Sprintf("%s %s at %s: %s", st.Method, st.Path, st.Pos, st.Error)}
			case st.Failed():
				lines := append([]string(nil), st.Failures...)
				for _, v := range st.Contract {
					lines = append(lines, "contract: "+v)
				}
				text := fmt.Sprintf("%s %s → %s at %s\n%s", st.Method, st.Path, status(st.Status), st.Pos, strings.Join(lines, "\n"))
				if st.Note != "" {
					text += "\nnote: " + st.Note
				}
				if st.Response != "" {
					text += "\nanswer: " + st.Response
				}
				f := &JUnitFailure{Message: lines[0], Type: "expectation", Text: text}
				if len(st.Contract) > 0 { // a contract violation is its own kind of failure
					f.Type, f.Message = "contract", "contract: "+st.Contract[0]
				}
				c.Failure = f
			}
			s.Cases = append(s.Cases, c)
		}
		doc.Suites = append(doc.Suites, s)
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		doc.Skipped += s.Skipped
		total += r.Duration
	}
	doc.Time = seconds(total)
	return doc
}

// WriteJUnit writes results as JUnit XML.
func WriteJUnit(w io.Writer, results []*FileResult) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(JUnit(results)); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
