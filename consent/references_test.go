package consent

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/photovet/photovet/msg"
)

// nudged returns d with by added to value i (i < 0: to every value), so
// that it lies |by| (or |by|·√128) from d.
func nudged(d []float32, i int, by float32) []float32 {
	out := slices.Clone(d)
	for j := range out {
		if i < 0 || j == i {
			out[j] += by
		}
	}
	return out
}

// TestConfirmedReferences adds faces a reviewer assigned as references,
// under each rule: only with the opt-in (R9), only for an enrolled person,
// never a face about as near to someone else, never one far from
// the person's portraits; capped, the oldest dropped first. On a shared
// register the references live in the laptop's own file (R9).
func TestConfirmedReferences(t *testing.T) { forEachBackend(t, testConfirmedReferences) }

func testConfirmedReferences(t *testing.T, b testBackend) {
	ctx := context.Background()
	s, _ := b.open(t)
	importTemplate(t, s)
	anna := descriptor(1)
	bram := nudged(anna, 1, 0.6) // as near as different children come
	for id, d := range map[string][]float32{"S-1001": anna, "S-1002": bram} {
		if err := s.SetDescriptors(ctx, id, [][]float32{d}); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name  string
		id    string
		face  []float32
		kind  error
		words string
	}{
		{"not in the register", "S-4040", nudged(anna, 0, 0.3), ErrNotFound, ""},
		{"no biometric opt-in", "S-1003", nudged(anna, 0, 0.3), ErrNoBiometricOptIn, ""},
		{"opted in, no portrait", "S-1004", nudged(anna, 0, 0.3), ErrNotEnrolled, "Daan Bakker has no enrolled portrait"},
		{"nearer to Bram", "S-1001", nudged(bram, 0, 0.45), ErrLikelyMixUp, "the face looks as much like Bram Jansen, so it was not added to Anna de Vries's references"},
		{"not nearer to Anna by the margin", "S-1001", nudged(anna, 1, 0.28), ErrLikelyMixUp, "the face looks as much like Bram Jansen"},
		{"far from Anna's portrait", "S-1001", nudged(anna, 0, 0.65), ErrUnlikeReferences, "the face is too unlike Anna de Vries's portraits"},
		{"recognised already", "S-1001", nudged(anna, 0, 0.3), ErrAlreadyRecognised, "the face is recognised as Anna de Vries already"},
		{"just missed by the threshold", "S-1001", nudged(anna, 0, 0.5), nil, ""},
		{"the same face again", "S-1001", nudged(anna, 0, 0.5), ErrKnownReference, "the face is already one of Anna de Vries's references"},
	}
	for _, c := range cases {
		before := descriptorRows(t, s, "SELECT count(*) FROM descriptors")
		dropped, err := s.AddConfirmedReference(ctx, c.id, c.face)
		after := descriptorRows(t, s, "SELECT count(*) FROM descriptors")
		t.Logf("%s: %v", c.name, err)
		switch {
		case c.kind == nil && (err != nil || after != before+1 || dropped != 0):
			t.Errorf("%s: %v, %d rows -> %d, dropped %d; want it added", c.name, err, before, after, dropped)
		case c.kind != nil && (!errors.Is(err, c.kind) || after != before):
			t.Errorf("%s: %v, %d rows -> %d; want %v and nothing added", c.name, err, before, after, c.kind)
		case c.kind != nil && !errors.Is(err, ErrReferenceRefused):
			t.Errorf("%s: %v does not say that a rule refused it", c.name, err)
		case c.words != "" && !strings.HasPrefix(msg.FromError(err).String(), c.words):
			t.Errorf("%s: in words %q, want %q", c.name, msg.FromError(err), c.words)
		}
	}

	// A register that fails is not a rule refusing.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.AddConfirmedReference(cancelled, "S-1001", nudged(anna, 0, 0.3)); err == nil || errors.Is(err, ErrReferenceRefused) {
		t.Errorf("cancelled: %v, want a failure that no rule gave", err)
	}

	// The cap: the newest MaxConfirmedReferences stay.
	var faces [][]float32
	for i := range MaxConfirmedReferences + 2 {
		faces = append(faces, nudged(anna, 10+i, 0.5))
		dropped, err := s.AddConfirmedReference(ctx, "S-1001", faces[i])
		if err != nil {
			t.Fatal(err)
		}
		// One was added above: the cap is reached on the cap's-th add here.
		if want := max(0, i+2-MaxConfirmedReferences) - max(0, i+1-MaxConfirmedReferences); dropped != want {
			t.Errorf("add %d: dropped %d, want %d", i, dropped, want)
		}
	}
	refs, err := s.References(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var kept [][]float32
	portraits := 0
	for _, r := range refs {
		switch {
		case r.PersonID != "S-1001":
		case r.Source == ConfirmedReference:
			kept = append(kept, r.Descriptor)
		case r.Source == PortraitReference:
			portraits++
		default:
			t.Errorf("reference of source %q", r.Source)
		}
	}
	newest := faces[len(faces)-MaxConfirmedReferences:]
	if portraits != 1 || len(kept) != MaxConfirmedReferences || !slices.EqualFunc(kept, newest, slices.Equal) {
		t.Errorf("after %d more adds: %d portraits, %d confirmed (the newest: %v); want 1 portrait and the newest %d",
			len(faces), portraits, len(kept), slices.EqualFunc(kept, newest, slices.Equal), MaxConfirmedReferences)
	}
	counts, err := s.ReferenceCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts["S-1001"] != (ReferenceCount{Portraits: 1, Confirmed: MaxConfirmedReferences}) || counts["S-1002"] != (ReferenceCount{Portraits: 1}) || len(counts) != 2 {
		t.Errorf("ReferenceCounts = %v", counts)
	}

	// Deleting: the confirmed ones alone, then all; a new enrolment
	// replaces confirmed references too.
	if n, err := s.DeleteReferences(ctx, "S-1001", ConfirmedReference); err != nil || n != MaxConfirmedReferences {
		t.Errorf("DeleteReferences(confirmed) = %d, %v; want %d", n, err, MaxConfirmedReferences)
	}
	if _, err := s.AddConfirmedReference(ctx, "S-1001", nudged(anna, 0, 0.5)); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDescriptors(ctx, "S-1001", [][]float32{anna}); err != nil {
		t.Fatal(err)
	}
	if n := descriptorRows(t, s, "SELECT count(*) FROM descriptors WHERE person_id = 'S-1001'"); n != 1 {
		t.Errorf("after enrolling again S-1001 has %d references, want its 1 portrait", n)
	}
	if n, err := s.DeleteReferences(ctx, "S-1001", ""); err != nil || n != 1 {
		t.Errorf("DeleteReferences(all) = %d, %v; want 1", n, err)
	}
	if _, err := s.DeleteReferences(ctx, "S-4040", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("DeleteReferences of an unknown id: %v, want ErrNotFound", err)
	}
}

// descriptorRows counts with query where s keeps its descriptors.
func descriptorRows(t testing.TB, s *Store, query string) int {
	t.Helper()
	var n int
	if err := s.descriptorDB().QueryRowContext(context.Background(), query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestR9_ConfirmedReferencesLeaveNoBytes adds a confirmed reference whose
// bytes are easy to find, puts it into the database file, and deletes it by
// every path of R9 (withdrawal of the opt-in, removal, a roster saying no,
// the year-end purge, deleting the person's references): none of its bytes
// may be left in the register's files or its write-ahead log.
func TestR9_ConfirmedReferencesLeaveNoBytes(t *testing.T) {
	for _, path := range deletingPaths {
		t.Run(path.name, func(t *testing.T) {
			ctx := context.Background()
			s, dir := openTestStore(t)
			enrolWithMarker(t, s)
			// S-1001's second portrait is descriptor(-80); the confirmed
			// face lies 0.45 from it, every value different.
			confirmed := nudged(descriptor(-80), -1, 0.04)
			if _, err := s.AddConfirmedReference(ctx, "S-1001", confirmed); err != nil {
				t.Fatal(err)
			}
			if _, err := s.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
				t.Fatal(err)
			}
			// More writes after it, so that its page is in the log too.
			for i := range 3 {
				if _, err := s.AddConfirmedReference(ctx, "S-1002", nudged(descriptor(200), i, 0.45)); err != nil {
					t.Fatal(err)
				}
			}
			blob, err := encodeDescriptor(confirmed)
			if err != nil {
				t.Fatal(err)
			}
			before := traces(t, dir, blob)
			if before[RegisterFile] == 0 {
				t.Fatalf("the confirmed reference is not in the database file before the deletion (%v): the check would prove nothing", before)
			}
			if err := path.delete(ctx, t, s); err != nil {
				t.Fatal(err)
			}
			after := traces(t, dir, blob)
			t.Logf("pieces of the confirmed reference before %v, after %v; %s", before, after, fileSizes(dir))
			if len(after) > 0 {
				t.Errorf("the deleted confirmed reference is still in the register's files: %v", after)
			}
			if n := countRows(t, s, "SELECT count(*) FROM descriptors WHERE person_id = 'S-1001'"); n != 0 {
				t.Errorf("%d of S-1001's references are left", n)
			}
		})
	}
}

func TestLikelyMixUp(t *testing.T) {
	anna := descriptor(1)
	refs := []Reference{{PersonID: "S-1001", Descriptor: anna}, {PersonID: "S-1002", Descriptor: nudged(anna, 1, 0.6)}}
	cases := []struct {
		name     string
		id       string
		portrait []float32
		other    string
		found    bool
	}{
		{"a copy of Anna's portrait as Bram's", "S-1002", anna, "S-1001", true},
		{"Anna again, from the same sitting", "S-1002", nudged(anna, 0, 0.25), "S-1001", true},
		{"another child as near as children come", "S-1003", nudged(anna, 0, 0.45), "S-1001", false},
		{"Anna's own second portrait", "S-1001", nudged(anna, 0, 0.05), "S-1002", false},
	}
	for _, c := range cases {
		other, d, found := LikelyMixUp(refs, c.id, c.portrait)
		if other != c.other || found != c.found {
			t.Errorf("%s: %s at %.3f, found %v; want %s, %v", c.name, other, d, found, c.other, c.found)
		}
	}
}

// TestStrangers checks which of one person's portraits lie too far from
// all the others to be theirs.
func TestStrangers(t *testing.T) {
	child := descriptor(1)
	near := nudged(child, 0, 0.4)      // another portrait of the child
	edge := nudged(child, 1, 0.54)     // just within the rule
	stranger := nudged(child, 2, 0.8)  // someone else
	farOther := nudged(child, -1, 0.1) // 0.1·√128 ≈ 1.13 from the child
	cases := []struct {
		name      string
		portraits [][]float32
		want      []bool
	}{
		{"none", nil, []bool{}},
		{"one has nothing to agree with", [][]float32{stranger}, []bool{false}},
		{"two that agree", [][]float32{child, near}, []bool{false, false}},
		{"two just within the rule", [][]float32{child, edge}, []bool{false, false}},
		{"two that disagree: either may be wrong", [][]float32{child, stranger}, []bool{true, true}},
		{"the odd one of three", [][]float32{child, near, stranger}, []bool{false, false, true}},
		{"three strangers", [][]float32{child, stranger, farOther}, []bool{true, true, true}},
	}
	for _, c := range cases {
		if got := Strangers(c.portraits); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
