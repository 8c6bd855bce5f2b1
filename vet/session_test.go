package vet

import (
	"context"
	"strings"
	"testing"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/vision"
)

func TestRedactionStyle(t *testing.T) {
	tests := []struct {
		name string
		set  *consent.Settings
		want vision.RedactStyle
	}{
		{"settings not read", nil, vision.RedactBlur},
		{"blur", &consent.Settings{RedactionStyle: "blur"}, vision.RedactBlur},
		{"solid", &consent.Settings{RedactionStyle: "solid"}, vision.RedactSolid},
		{"a style this version does not know", &consent.Settings{RedactionStyle: "pixelate"}, vision.RedactBlur},
		{"empty", &consent.Settings{}, vision.RedactBlur},
	}
	for _, tt := range tests {
		if got := RedactionStyle(tt.set); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestSessionSetUp: the job comes from the command line's words and the
// register's settings, style included, and the session's batch and
// reviewer work for it with the store.
func TestSessionSetUp(t *testing.T) {
	ctx := context.Background()
	store := testStore(t)
	set, err := store.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	set.RedactionStyle = string(vision.RedactSolid)
	set.DefaultUnit = consent.UpperSecondary
	if err := store.SetSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		channel, unit string
		want          consent.Job
		wantErr       string
	}{
		{"instagram", "", consent.Job{Unit: consent.UpperSecondary, Channel: "instagram", Date: testDay}, ""},
		{"website", "early_childhood", consent.Job{Unit: consent.EarlyChildhood, Channel: "website", Date: testDay}, ""},
		{"tiktok", "", consent.Job{}, `unknown channel "tiktok"`},
		{"instagram", "college", consent.Job{}, "college"},
	}
	for _, tt := range tests {
		s := Session{Store: store, Faces: NewFaces(func() (vision.FaceFinder, int, error) { return &fakeFinder{}, 1, nil })}
		err := s.SetUp(ctx, tt.channel, tt.unit, testDay)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("SetUp(%q, %q) = %v, want an error about %q", tt.channel, tt.unit, err, tt.wantErr)
			}
			continue
		}
		if err != nil || s.Job.Job != tt.want || s.Job.Style != vision.RedactSolid || s.Register == nil {
			t.Errorf("SetUp(%q, %q) = %v: job %+v, register %v; want %+v in solid", tt.channel, tt.unit, err, s.Job, s.Register != nil, tt.want)
		}
		b, err := s.Batch(ctx)
		if err != nil || b.Store != store || b.Job != tt.want || b.Workers != 1 || b.Matcher == nil {
			t.Errorf("Batch() = %+v, %v; want the store, the job and the enrolled references", b, err)
		}
	}
}
