package vet

import (
	"context"
	"path/filepath"
	"slices"
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

// TestNewBatchForgetsThePhotographer: a new batch keeps the channel, the
// unit and the style (the teacher's class) but not the photographer (R5:
// they and their permission belong to the photos), so the next photos'
// EXIF Artist pre-fills theirs, as for a batch the CLI vets without
// --photographer, and a photo naming nobody waits for one.
func TestNewBatchForgetsThePhotographer(t *testing.T) {
	ctx := context.Background()
	store := testStore(t)
	if err := store.SetPhotographerPermission(ctx, "Ann Photographer", []string{"instagram"}, testDay); err != nil {
		t.Fatal(err)
	}
	s := Session{Store: store, Faces: NewFaces(func() (vision.FaceFinder, int, error) { return &fakeFinder{}, 1, nil })}
	if err := s.SetUp(ctx, "instagram", "upper_secondary", testDay); err != nil {
		t.Fatal(err)
	}
	s.Job.Style = vision.RedactSolid
	if err := s.SetPhotographer(ctx, nil, "Bea Photographer", []string{"instagram", "website"}); err != nil {
		t.Fatal(err)
	}
	job := s.Job.Job
	s.NewBatch()
	if s.Job.Photographer != "" || s.Job.PhotographerChannels != nil || s.Job.Job != job || s.Job.Style != vision.RedactSolid {
		t.Errorf("after NewBatch the job is %+v; want %+v in solid with no photographer", s.Job, job)
	}

	dir := t.TempDir()
	artist, nobody := filepath.Join(dir, "artist.jpg"), filepath.Join(dir, "nobody.png")
	writeJPEGWithArtist(t, artist, widthAda, 200, "Ann Photographer")
	writeTestPhoto(t, nobody, widthAda, 200)
	b, err := s.Batch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	photos, err := b.Run(ctx, []string{artist, nobody})
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]*Photo{}
	for _, p := range photos {
		byPath[p.Path] = p
	}
	if p := byPath[artist]; p.Photographer != "Ann Photographer" || !slices.Equal(p.PhotographerChannels, []string{"instagram"}) {
		t.Errorf("the photo by Ann (EXIF Artist) came out taken by %q for %v, want Ann for instagram", p.Photographer, p.PhotographerChannels)
	}
	if p := byPath[nobody]; p.Photographer != "" || p.Status != Blocked {
		t.Errorf("the photo naming nobody came out taken by %q, %s; want nobody, blocked until the teacher names them", p.Photographer, p.Status)
	}
}
