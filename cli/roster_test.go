package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/photovet/photovet/internal/testdata"
)

// TestRosterEnrollAgain enrols a child from her portrait, then again from
// a photo of several people: the second run says that the photo was not
// used and that her references are as they were (it said "not enrolled"
// of an enrolled child), counts the portrait and the person apart, and
// leaves her enrolled.
func TestRosterEnrollAgain(t *testing.T) {
	data, work := t.TempDir(), t.TempDir()
	roster := filepath.Join(work, "roster.csv")
	csv := "id,name,role,group,unit,birth_date,guardian_consent,pupil_consent,work_consent,biometric,valid_from,valid_until\n" +
		"S-101,Nayoung Kim,child,5A,school,2015-03-10,website,website,,yes,2026-08-17,2027-07-31\n"
	if err := os.WriteFile(roster, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := photovetCLI(t, "roster", "import", "--data", data, roster); code != 0 {
		t.Fatalf("roster import: exit %d", code)
	}
	rec := filepath.Join(testdata.Dir(t), "recognition")
	enrol := func(photo string) (int, string, string) {
		t.Helper()
		dir := t.TempDir()
		if err := os.Symlink(filepath.Join(rec, photo), filepath.Join(dir, "S-101.jpg")); err != nil {
			t.Fatal(err)
		}
		return photovetCLI(t, "roster", "enroll", "--data", data, dir)
	}
	if code, out, _ := enrol("nayoung.jpg"); code != 0 || !strings.Contains(out, "enrolled S-101 from 1 portrait(s)") {
		t.Fatalf("first enrolment: exit %d, %q", code, out)
	}
	code, _, errOut := enrol("pristin.jpg")
	for _, want := range []string{"S-101.jpg shows 10 faces", "no usable portrait of Nayoung Kim: their references are as they were", "1 portrait(s) not used, 1 person(s) not enrolled from them"} {
		if code != 1 || !strings.Contains(errOut, want) {
			t.Errorf("enrolling from a group photo: exit %d, stderr does not say %q", code, want)
		}
	}
	if strings.Contains(errOut, "not enrolled,") {
		t.Errorf("stderr calls the enrolled child not enrolled:\n%s", errOut)
	}
	if code, out, _ := photovetCLI(t, "roster", "list", "--data", data); code != 0 || !strings.Contains(out, "yes, 1 refs") {
		t.Errorf("roster list: exit %d\n%s\nwant Nayoung still enrolled from her portrait", code, out)
	}
}
