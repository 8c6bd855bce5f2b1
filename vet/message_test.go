package vet

import (
	"encoding/json"
	"image"
	"math"
	"strings"
	"testing"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/msg"
)

// joinReasons renders a photo's reasons in English, joined with "; ".
func joinReasons(ms []msg.Text) string {
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = m.String()
	}
	return strings.Join(s, "; ")
}

// TestDecideReasons checks that a blocked photo lists every reason the
// rules give, that the unknown-face reasons carry their count, and that
// the reasons are English sentences in the saved JSON.
func TestDecideReasons(t *testing.T) {
	day, err := consent.ParseDate("2026-11-21")
	if err != nil {
		t.Fatal(err)
	}
	reg := &consent.Register{Settings: consent.DefaultSettings(), People: map[string]*consent.Person{
		"C2": {ID: "C2", Name: "Ben", Role: consent.Child, Unit: consent.School},
	}}
	job := consent.Job{Unit: consent.School, Channel: "instagram", Date: day}
	unknown := Face{Box: image.Rect(0, 0, 10, 10), NextDistance: math.Inf(1)}

	blocked := &Photo{Faces: []Face{unknown}, ChildWork: []string{"C2"}}
	blocked.Decide(reg, job)
	want := "no photographer recorded: every published photo needs the photographer's permission; shows Ben's work: no Instagram work consent; " +
		"1 unknown face (redacted): assign it or confirm the redaction"
	if blocked.Status != Blocked || joinReasons(blocked.Reasons) != want {
		t.Errorf("blocked photo: %s %q, want blocked with %q", blocked.Status, joinReasons(blocked.Reasons), want)
	}

	for n, want := range map[int]string{
		1: "1 unknown face (redacted): assign it or confirm the redaction",
		3: "3 unknown faces (redacted): assign them or confirm the redaction",
	} {
		p := &Photo{Photographer: "Jan", PhotographerChannels: []string{"instagram"}}
		for range n {
			p.Faces = append(p.Faces, unknown)
		}
		p.Decide(reg, job)
		if p.Status != NeedsReview || joinReasons(p.Reasons) != want || p.Reasons[0].Args["Count"] != n {
			t.Errorf("%d unknown faces: %s %q %v, want needs review with %q", n, p.Status, joinReasons(p.Reasons), p.Reasons[0].Args, want)
		}
	}

	failed := &Photo{Error: msg.Plain("a.jpg: not a photo {{.X}}")}
	failed.Decide(reg, job)
	if failed.Status != Failed || joinReasons(failed.Reasons) != failed.Error.String() {
		t.Errorf("failed photo: %s %q, want failed with the error as it is", failed.Status, joinReasons(failed.Reasons))
	}

	data, err := json.Marshal(blocked)
	if err != nil {
		t.Fatal(err)
	}
	var saved struct {
		Reasons []string `json:"reasons"`
		Faces   []struct {
			Decision struct {
				Reason string
			} `json:"decision"`
		} `json:"faces"`
	}
	if err := json.Unmarshal(data, &saved); err != nil {
		t.Fatal(err)
	}
	if strings.Join(saved.Reasons, "; ") != want || saved.Faces[0].Decision.Reason != "unknown face" {
		t.Errorf("JSON reasons %q, face reason %q; want English sentences", saved.Reasons, saved.Faces[0].Decision.Reason)
	}
	var back Photo
	if err := json.Unmarshal(data, &back); err != nil || joinReasons(back.Reasons) != joinReasons(blocked.Reasons) {
		t.Errorf("reasons read back %q (%v), want %q", joinReasons(back.Reasons), err, joinReasons(blocked.Reasons))
	}
}

// TestPlainReasonRoundTrip checks that an error holding "{{" survives the
// saved JSON unchanged.
func TestPlainReasonRoundTrip(t *testing.T) {
	p := &Photo{Error: msg.Plain("x{{.Count}}.jpg: not a photo")}
	p.Decide(nil, consent.Job{})
	data, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back Photo
	if err := json.Unmarshal(data, &back); err != nil || joinReasons(back.Reasons) != p.Error.String() || back.Error.String() != p.Error.String() {
		t.Errorf("error %q and reasons %q read back (%v), want %q", back.Error, joinReasons(back.Reasons), err, p.Error)
	}
}
