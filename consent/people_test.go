package consent

import (
	"context"
	"path/filepath"
	"testing"
)

func TestChannelState(t *testing.T) { forEachBackend(t, testChannelState) }

func testChannelState(t *testing.T, b testBackend) {
	ctx := context.Background()
	s, _ := b.open(t)
	importTemplate(t, s)
	if _, err := s.Withdraw(ctx, "S-1001", "instagram", templateDay); err != nil {
		t.Fatal(err)
	}
	reg, err := s.Register(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dayBefore, beforeValidity := NewDate(2026, 11, 20), NewDate(2026, 8, 16)
	tests := []struct {
		id, channel string
		on          Date
		want        ConsentState
	}{
		{"S-1001", "website", templateDay, ConsentGiven},
		{"S-1001", "x", templateDay, ConsentMissing},
		{"S-1001", "instagram", templateDay, ConsentWithdrawn},
		{"S-1001", "instagram", dayBefore, ConsentGiven},      // withdrawal not in force yet
		{"S-1001", "website", beforeValidity, ConsentMissing}, // before valid_from
		{"S-1001", "tiktok", templateDay, ConsentMissing},     // not a channel of the register
		{"S-1002", "instagram", templateDay, ConsentMissing},  // neither giver
		{"S-1003", "instagram", templateDay, ConsentMissing},  // guardian only, pupil under 15
		{"S-1003", "website", templateDay, ConsentGiven},      // both
		{"S-1004", "instagram", templateDay, ConsentGiven},    // 15: own consent suffices
		{"L-2001", "website", templateDay, NeverShown},        // early childhood child
		{"T-9001", "instagram", templateDay, ConsentGiven},    // staff, own consent
		{"T-9001", "linkedin", templateDay, ConsentMissing},   // staff, none
		{"U-3001", "linkedin", templateDay, ConsentGiven},     // upper secondary, 17
		{"U-3001", "facebook", templateDay, ConsentMissing},   // upper secondary, none
		{"L-2002", "newsletter", beforeValidity, NeverShown},  // early childhood whatever the date
		{"S-1005", "instagram", templateDay, ConsentGiven},    // turns 15 that day: her own consent suffices
		{"S-1005", "instagram", dayBefore, ConsentMissing},    // 14 the day before: the guardian's is missing
	}
	for _, tt := range tests {
		got := ChannelState(reg.People[tt.id], reg.Settings, tt.channel, tt.on)
		if got != tt.want {
			t.Errorf("ChannelState(%s, %s, %s) = %d, want %d", tt.id, tt.channel, tt.on, got, tt.want)
		}
		// The table never says more than the rules engine allows.
		d := Decide(Face{Review: AssignedByHand, AssignedID: tt.id}, reg, Job{Unit: reg.People[tt.id].Unit, Channel: tt.channel, Date: tt.on})
		if d.Visible != (got == ConsentGiven) {
			t.Errorf("%s on %s: ChannelState %d but Decide visible=%v", tt.id, tt.channel, got, d.Visible)
		}
	}
	if got := ChannelState(nil, reg.Settings, "website", templateDay); got != ConsentMissing {
		t.Errorf("ChannelState(nil) = %d, want ConsentMissing", got)
	}
	// A person without a unit is judged by the default unit.
	p := *reg.People["L-2001"]
	p.Unit = ""
	set := reg.Settings
	set.DefaultUnit = EarlyChildhood
	if got := ChannelState(&p, set, "website", templateDay); got != NeverShown {
		t.Errorf("child without unit, default early childhood: %d, want NeverShown", got)
	}
}

func TestSortedPeople(t *testing.T) {
	reg := &Register{People: map[string]*Person{
		"T1": {ID: "T1", Name: "Aaron", Role: Staff, Group: "1A"},
		"C2": {ID: "C2", Name: "Zoe", Role: Child, Group: "1A"},
		"C1": {ID: "C1", Name: "Bob", Role: Child, Group: "1A"},
		"C3": {ID: "C3", Name: "", Role: Child, Group: "0"},
	}}
	var got []string
	for _, p := range reg.SortedPeople() {
		got = append(got, p.ID)
	}
	want := []string{"C3", "C1", "C2", "T1"}
	if len(got) != len(want) {
		t.Fatalf("SortedPeople = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("SortedPeople = %v, want %v", got, want)
		}
	}
	if (*Register)(nil).SortedPeople() != nil {
		t.Error("a nil register lists people")
	}
}

func TestEnrolledCountsAndDir(t *testing.T) { forEachBackend(t, testEnrolledCountsAndDir) }

func testEnrolledCountsAndDir(t *testing.T, b testBackend) {
	ctx := context.Background()
	s, dir := b.open(t)
	importTemplate(t, s)
	if err := s.SetDescriptors(ctx, "S-1001", [][]float32{descriptor(1), descriptor(2)}); err != nil {
		t.Fatal(err)
	}
	counts, err := s.EnrolledCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != 1 || counts["S-1001"] != 2 {
		t.Errorf("EnrolledCounts = %v, want S-1001: 2", counts)
	}
	if b.name != "sqlite" {
		return // the register is on a server: the data directory holds no register file
	}
	got, err := s.Dir(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := filepath.EvalSymlinks(dir)
	if g, _ := filepath.EvalSymlinks(got); g != want {
		t.Errorf("Dir = %q, want %q", got, dir)
	}
}
