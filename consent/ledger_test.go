package consent

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// testPublication returns a publication of a photo with the given faces.
func testPublication(channel, on string, faces ...PublishedFace) Publication {
	return Publication{
		OriginalSHA256:       strings.Repeat("ab", 32),
		ExportName:           fmt.Sprintf("%s_%s_%03d.jpg", on, channel, len(faces)),
		Channel:              channel,
		Date:                 day(on),
		VettedBy:             "Pieter de Boer",
		Photographer:         "Jan Smit",
		PhotographerChannels: []string{channel, "website"},
		Faces:                faces,
	}
}

func TestR7_WithdrawalCreatesTakedowns(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	importTemplate(t, s)
	anna, bram := "S-1001", "S-1002"
	publish := func(name, channel, on string, faces ...PublishedFace) {
		p := testPublication(channel, on, faces...)
		p.ExportName = name
		if _, err := s.RecordPublication(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	publish("before.jpg", "instagram", "2026-09-10", PublishedFace{anna, true}, PublishedFace{"", false})
	publish("on-the-day.jpg", "instagram", "2026-10-02", PublishedFace{anna, true})
	publish("after-backdated.jpg", "instagram", "2026-10-15", PublishedFace{bram, true}, PublishedFace{anna, true})
	publish("facebook.jpg", "facebook", "2026-09-12", PublishedFace{anna, true})
	publish("redacted.jpg", "instagram", "2026-09-20", PublishedFace{anna, false}, PublishedFace{bram, true})
	publish("bram-only.jpg", "instagram", "2026-09-21", PublishedFace{bram, true})

	exportsOf := func(tasks []Takedown) []string {
		var names []string
		for _, task := range tasks {
			names = append(names, fmt.Sprintf("%s:%s:%s", task.ExportName, task.PersonID, task.WithdrawnOn))
		}
		slices.Sort(names)
		return names
	}
	// Anna's guardian withdraws Instagram from 2 October; the school hears
	// of it on 20 November, after a photo of 15 October went out.
	tasks, err := s.Withdraw(ctx, anna, "instagram", day("2026-10-02"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"after-backdated.jpg:S-1001:2026-10-02", "before.jpg:S-1001:2026-10-02", "on-the-day.jpg:S-1001:2026-10-02"}
	t.Logf("Instagram withdrawal: %v", exportsOf(tasks))
	if got := exportsOf(tasks); !slices.Equal(got, want) {
		t.Fatalf("take-downs %v, want %v", got, want)
	}
	task := tasks[0]
	if task.PersonName != "Anna de Vries" || task.Channel != "instagram" || task.OriginalSHA256 != strings.Repeat("ab", 32) || !task.DoneOn.IsZero() {
		t.Errorf("task = %+v", task)
	}

	// Withdrawing everything adds Facebook; the earlier date stays on
	// the Instagram tasks.
	tasks, err = s.Withdraw(ctx, anna, AllChannels, day("2026-11-01"))
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, "facebook.jpg:S-1001:2026-11-01")
	slices.Sort(want)
	if got := exportsOf(tasks); !slices.Equal(got, want) {
		t.Fatalf("after withdrawing all: %v, want %v", got, want)
	}
	// A photo published later that still shows Anna comes with its task.
	publish("late.jpg", "website", "2026-11-20", PublishedFace{anna, true})
	open, err := s.Takedowns(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 5 || !slices.ContainsFunc(open, func(t Takedown) bool { return t.ExportName == "late.jpg" && t.WithdrawnOn == day("2026-11-01") }) {
		t.Errorf("open tasks %v, want the 4 earlier ones and late.jpg", exportsOf(open))
	}

	// Marking done.
	if err := s.MarkTakedownDone(ctx, open[0].ID, day("2026-11-21")); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkTakedownDone(ctx, open[0].ID, day("2026-11-25")); err != nil {
		t.Fatal(err)
	}
	stillOpen, _ := s.Takedowns(ctx, false)
	all, _ := s.Takedowns(ctx, true)
	if len(stillOpen) != 4 || len(all) != 5 {
		t.Errorf("after marking one done: %d open, %d in all; want 4 and 5", len(stillOpen), len(all))
	}
	for _, task := range all {
		if task.ID == open[0].ID && task.DoneOn != day("2026-11-21") {
			t.Errorf("done on %s, want the first day 2026-11-21", task.DoneOn)
		}
	}
	if err := s.MarkTakedownDone(ctx, 9999, day("2026-11-21")); !errors.Is(err, ErrNotFound) {
		t.Errorf("marking an unknown task: %v", err)
	}
	if _, err := s.Withdraw(ctx, "S-404", "instagram", day("2026-11-21")); !errors.Is(err, ErrNotFound) {
		t.Errorf("withdrawing for an unknown id: %v", err)
	}
	if _, err := s.Withdraw(ctx, bram, "tiktok", day("2026-11-21")); err == nil || !strings.Contains(err.Error(), `unknown channel "tiktok"`) {
		t.Errorf("withdrawing an unknown channel: %v", err)
	}
	// The ledger outlives the child.
	if err := s.RemovePerson(ctx, anna); err != nil {
		t.Fatal(err)
	}
	if all, _ := s.Takedowns(ctx, true); len(all) != 5 || all[0].PersonName != "" {
		t.Errorf("after removing the child: %d tasks (want 5), name %q (want empty)", len(all), all[0].PersonName)
	}
}

func TestR5_LedgerNeedsPhotographerPermission(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	importTemplate(t, s)
	good := testPublication("instagram", "2026-09-10", PublishedFace{"S-1001", true}, PublishedFace{"", false})
	for _, tc := range []struct {
		name   string
		change func(*Publication)
		want   string
	}{
		{"no photographer", func(p *Publication) { p.Photographer = "" }, "no photographer (R5)"},
		{"channel not permitted", func(p *Publication) { p.PhotographerChannels = []string{"website"} }, "has not permitted Instagram (R5)"},
		{"bad SHA-256", func(p *Publication) { p.OriginalSHA256 = "abc" }, "want 64 hex digits"},
		{"no vetting staff member", func(p *Publication) { p.VettedBy = " " }, "no vetting staff member"},
		{"unknown channel", func(p *Publication) { p.Channel, p.PhotographerChannels = "tiktok", []string{"tiktok"} }, `unknown channel "tiktok"`},
	} {
		p := good
		tc.change(&p)
		if _, err := s.RecordPublication(ctx, p); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	id, err := s.RecordPublication(ctx, good)
	if err != nil {
		t.Fatal(err)
	}
	pubs, err := s.Publications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	good.ID = id
	if len(pubs) != 1 || fmt.Sprint(pubs[0]) != fmt.Sprint(good) {
		t.Errorf("ledger holds %+v, want %+v", pubs, good)
	}

	// Photographer permissions are kept per photographer.
	if err := s.SetPhotographerPermission(ctx, "Jan Smit", []string{"website", "instagram"}, day("2026-09-01")); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPhotographerPermission(ctx, "Jan Smit", []string{"tiktok"}, day("2026-09-01")); err == nil {
		t.Error("a permission for an unknown channel was accepted")
	}
	got, err := s.PhotographerChannels(ctx, "Jan Smit")
	if err != nil || !slices.Equal(got, []string{"instagram", "website"}) {
		t.Errorf("Jan Smit permits %v, %v", got, err)
	}
	if got, _ := s.PhotographerChannels(ctx, "Nobody"); len(got) != 0 {
		t.Errorf("an unknown photographer permits %v", got)
	}
}
