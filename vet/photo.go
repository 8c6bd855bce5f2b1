package vet

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"math"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/msg"
	"github.com/photovet/photovet/vision"
)

// Status is where a photo stands in review.
type Status string

// The statuses of a photo. Only a cleared photo is exported without a
// reviewer's say.
const (
	// Cleared: every face has a decision the rules made on an identified
	// person or a reviewer's override, and the photo-level rules allow it.
	Cleared Status = "cleared"
	// NeedsReview: an unknown face is shown for a decision (it is redacted
	// meanwhile, R4; not in early childhood, where R2 hides it anyway), or
	// no face was found and nobody confirmed that.
	NeedsReview Status = "needs review"
	// Blocked: the photo must not be exported (R5, R6).
	Blocked Status = "blocked"
	// Failed: the photo could not be read or processed.
	Failed Status = "failed"
)

// Face is one face on a photo with what the matcher, the reviewer and the
// rules made of it. Box is in the coordinates of the original photo turned
// upright.
type Face struct {
	Box      image.Rectangle `json:"box"`
	Score    float64         `json:"score"`
	Detector string          `json:"detector"`

	// NearestID, Distance and NextDistance are the matcher's raw distances
	// (see consent.Face); the rules apply the threshold and margin.
	NearestID    string  `json:"nearest_id"`
	Distance     float64 `json:"-"`
	NextDistance float64 `json:"-"`

	// Candidates are the enrolled people the face lies near, nearest
	// first (vision.Match.Candidates): whom to suggest when the face is
	// not a clear match (Suggestions). In memory only, for this batch.
	Candidates []vision.Candidate `json:"-"`

	Review      consent.Review `json:"review"`
	AssignedID  string         `json:"assigned_id,omitempty"`
	AssignedKey string         `json:"assigned_key,omitempty"` // see consent.Face.AssignedKey
	Note        string         `json:"note,omitempty"`

	Decision consent.Decision `json:"decision"`

	// descriptor is kept in memory for the batch only (enrolment from a
	// reviewed face); it is never saved with the review state (R9).
	descriptor *vision.Descriptor
}

// finite returns v, or nil for an infinite distance: JSON has no
// infinity, and a missing rival (nobody else enrolled) is +Inf.
func finite(v float64) *float64 {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return nil
	}
	return &v
}

// MarshalJSON writes the face with infinite distances as null.
func (f Face) MarshalJSON() ([]byte, error) {
	type plain Face // drops the methods, so no recursion
	return json.Marshal(struct {
		plain
		Distance     *float64 `json:"distance"`
		NextDistance *float64 `json:"next_distance"`
	}{plain(f), finite(f.Distance), finite(f.NextDistance)})
}

// UnmarshalJSON reads a face written by MarshalJSON; null distances are +Inf.
func (f *Face) UnmarshalJSON(data []byte) error {
	type plain Face
	var v struct {
		plain
		Distance     *float64 `json:"distance"`
		NextDistance *float64 `json:"next_distance"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*f = Face(v.plain)
	f.Distance, f.NextDistance = math.Inf(1), math.Inf(1)
	if v.Distance != nil {
		f.Distance = *v.Distance
	}
	if v.NextDistance != nil {
		f.NextDistance = *v.NextDistance
	}
	return nil
}

// Unknown reports whether nobody was identified as the face, the matcher
// did not recognise it either, and nobody reviewed it: the faces shown
// for a decision (R4).
func (f Face) Unknown() bool {
	return f.Review == consent.NotReviewed && f.Decision.PersonID == "" && f.Decision.Recognised == ""
}

// ToConfirm reports whether the matcher recognised the face as someone
// whose consent would show it, and the reviewer has not confirmed who it
// is yet: it stays redacted until then (consent.Decide).
func (f Face) ToConfirm() bool {
	return f.Review == consent.NotReviewed && f.Decision.Recognised != ""
}

// AwaitsName reports whether the face is unknown and the reviewer must
// name it or confirm its redaction for job
// (consent.Job.UnknownFacesNeedAName).
func (f Face) AwaitsName(job consent.Job) bool {
	return f.Unknown() && job.UnknownFacesNeedAName()
}

// Undecided reports whether the face waits for the reviewer: unknown, or
// recognised and not confirmed (ToConfirm).
func (f Face) Undecided() bool { return f.Unknown() || f.ToConfirm() }

// AdultRefusal returns why the rules would not show the face as an adult
// who agreed in person, whatever note the reviewer wrote, or zero when a
// note is all they need (consent.AdultRefusal): MarkAdult is offered only
// then.
func (f Face) AdultRefusal(reg *consent.Register, job consent.Job) msg.Text {
	return consent.AdultRefusal(f.consentFace(), reg, job)
}

// Suggestions returns the people to offer the reviewer for a face nobody
// was identified as ("Rena or Nayoung?"), nearest first: its candidates
// while it is undecided, none once it is identified or reviewed. A suggestion decides nothing: the face stays redacted until
// the reviewer picks someone (R4), and the rules then decide for that
// person.
func (f Face) Suggestions() []vision.Candidate {
	if !f.Undecided() {
		return nil
	}
	return f.Candidates
}

// keepReview takes back the review the rules left on the face (c, made
// from consentFace by a rule such as consent.Face.InRegister).
func (f *Face) keepReview(c consent.Face) {
	f.Review, f.AssignedID, f.AssignedKey, f.Note = c.Review, c.AssignedID, c.AssignedKey, c.Note
}

// consentFace is what the rules engine reads of the face.
func (f Face) consentFace() consent.Face {
	return consent.Face{NearestID: f.NearestID, Distance: f.Distance, NextDistance: f.NextDistance,
		Review: f.Review, AssignedID: f.AssignedID, AssignedKey: f.AssignedKey, Note: f.Note}
}

// Descriptor returns the face's descriptor computed in this batch, if any.
// It exists in memory only, for enrolling an opted-in person (R9).
func (f Face) Descriptor() (vision.Descriptor, bool) {
	if f.descriptor == nil {
		return vision.Descriptor{}, false
	}
	return *f.descriptor, true
}

// Photo is one photo of a batch and its review state: what review needs,
// never the decoded photo itself (export loads the original again).
type Photo struct {
	Path string `json:"path"`
	// SHA256 is the original file's; for a photo of an open batch that
	// is gone or changed since it was added (Resume), the one it had then.
	SHA256 string `json:"sha256"`
	Width  int    `json:"width"` // upright
	Height int    `json:"height"`
	// Orientation is the EXIF orientation applied to the pixels.
	Orientation int `json:"orientation"`
	// Metadata is what the original carries, for the report; it is not
	// saved with the review state (it may hold the school's position).
	Metadata vision.Metadata `json:"-"`
	// Preview is the photo scaled down to PreviewSize for review, as JPEG:
	// decoded, 500 previews would take gigabytes. It is not saved with the
	// review state.
	Preview []byte `json:"-"`

	Faces []Face `json:"faces"`
	// ManualBoxes are areas the reviewer drew (a missed face, a name tag),
	// always redacted; original coordinates.
	ManualBoxes []image.Rectangle `json:"manual_boxes"`

	Photographer         string   `json:"photographer"`
	PhotographerChannels []string `json:"photographer_channels"`
	// ChildWork lists the children whose work the photo shows (R6).
	ChildWork []string `json:"child_work"`
	// ChildWorkKeys are their registration keys (see
	// consent.Photo.ChildWorkKeys).
	ChildWorkKeys map[string]string `json:"child_work_keys,omitempty"`
	// NoFaceConfirmed says the reviewer confirmed that the photo shows no
	// face.
	NoFaceConfirmed bool `json:"no_face_confirmed"`

	// Error says why the photo could not be processed (zero when it was).
	Error msg.Text `json:"error,omitzero"`

	Status Status `json:"status"`
	// Reasons say why the photo is not cleared (why it is blocked, what
	// review must do), as messages the app translates; in JSON they are
	// English sentences.
	Reasons []msg.Text `json:"reasons"`

	// reviewVersion is the version of the review state saved in the
	// register for reviewChannel that this state was read from or saved
	// as (0: none), so that a save does not undo one made elsewhere since.
	reviewVersion int64
	reviewChannel string
	// registerUnreachable is set when the photo was not processed because
	// the shared register could not be reached (see RegisterUnreachable).
	registerUnreachable bool
	// waiting is set by Decide (see WaitsForReviewer).
	waiting bool
}

// WaitsForReviewer reports whether the reviewer still has to decide on
// p's faces (unknown, or recognised and not confirmed) or confirm that it
// shows nobody, whatever else blocks it: a photo blocked by a missing
// photographer may still be reviewed meanwhile.
func (p *Photo) WaitsForReviewer() bool { return p.waiting }

// RegisterUnreachable reports whether p is Failed because the shared
// register could not be reached while it was processed, not because of
// the photo: Error then says so, and adding the photo again once the
// register answers vets it.
func (p *Photo) RegisterUnreachable() bool { return p.registerUnreachable }

// Decide applies the rules to every face and to the photo against reg and
// job, and sets Status and Reasons. reg may be nil (register unreadable):
// every face is then redacted (R4).
func (p *Photo) Decide(reg *consent.Register, job consent.Job) {
	p.Reasons, p.waiting = nil, false
	if !p.Error.IsZero() {
		p.Status, p.Reasons = Failed, []msg.Text{p.Error}
		return
	}
	// An unknown face waits for a name except in early childhood
	// (AwaitsName). A face recognised as someone whose consent would show
	// it waits for the reviewer's confirmation (consent.Decide) in every
	// unit: only the confirmation can show it.
	unknown, recognised := 0, 0
	for i := range p.Faces {
		f := &p.Faces[i]
		// A review naming someone removed from the register since no
		// longer holds: the face waits for the reviewer again.
		f.keepReview(f.consentFace().InRegister(reg))
		f.Decision = consent.Decide(f.consentFace(), reg, job)
		switch {
		case f.ToConfirm():
			recognised++
		case f.AwaitsName(job):
			unknown++
		}
	}
	// A blocked photo lists what review still needs after its refusals,
	// so that everything to fix is known at once.
	photo := consent.Photo{Photographer: p.Photographer, PhotographerChannels: p.PhotographerChannels,
		ChildWork: p.ChildWork, ChildWorkKeys: p.ChildWorkKeys}.InRegister(reg)
	p.ChildWorkKeys = photo.ChildWorkKeys
	check := consent.CheckPhoto(photo, reg, job)
	p.Reasons = append(p.Reasons, check.Reasons...)
	switch {
	case recognised == 1:
		p.Reasons = append(p.Reasons, msg.New("{{.Count}} recognised face (redacted): confirm who it is to show it", "Count", recognised))
	case recognised > 1:
		p.Reasons = append(p.Reasons, msg.New("{{.Count}} recognised faces (redacted): confirm who they are to show them", "Count", recognised))
	}
	switch {
	case unknown == 1:
		p.Reasons = append(p.Reasons, msg.New("{{.Count}} unknown face (redacted): assign it or confirm the redaction", "Count", unknown))
	case unknown > 1:
		p.Reasons = append(p.Reasons, msg.New("{{.Count}} unknown faces (redacted): assign them or confirm the redaction", "Count", unknown))
	}
	noFace := len(p.Faces) == 0 && len(p.ManualBoxes) == 0 && !p.NoFaceConfirmed
	if noFace {
		p.Reasons = append(p.Reasons, msg.New("no face found: confirm that the photo shows nobody"))
	}
	p.waiting = unknown > 0 || recognised > 0 || noFace
	switch {
	case !check.Allowed:
		p.Status = Blocked
	case len(p.Reasons) > 0:
		p.Status = NeedsReview
	default:
		p.Status = Cleared
	}
}

// PhotographerPermits reports whether the photo's photographer permits
// job's channel (R5), whatever else blocks it.
func (p *Photo) PhotographerPermits(job consent.Job) bool {
	return consent.CheckPhoto(consent.Photo{Photographer: p.Photographer, PhotographerChannels: p.PhotographerChannels}, nil, job).Allowed
}

// PreviewImage decodes the preview; it fails when the photo has none.
func (p *Photo) PreviewImage() (image.Image, error) {
	if len(p.Preview) == 0 {
		return nil, fmt.Errorf("%s has no preview", p.Path)
	}
	img, err := jpeg.Decode(bytes.NewReader(p.Preview))
	if err != nil {
		return nil, fmt.Errorf("preview of %s: %w", p.Path, err)
	}
	return img, nil
}

// redactedFaces returns the boxes of the faces the rules redact.
func (p *Photo) redactedFaces() []image.Rectangle {
	var faces []image.Rectangle
	for _, f := range p.Faces {
		if !f.Decision.Visible {
			faces = append(faces, f.Box)
		}
	}
	return faces
}

// redact returns img with every redaction of p burned in, img being the
// photo scaled by scale (1 for the original).
func (p *Photo) redact(img *image.NRGBA, style vision.RedactStyle, scale float64) *image.NRGBA {
	scaleAll := func(boxes []image.Rectangle) []image.Rectangle {
		out := make([]image.Rectangle, len(boxes))
		for i, b := range boxes {
			out[i] = image.Rect(int(float64(b.Min.X)*scale), int(float64(b.Min.Y)*scale),
				int(math.Ceil(float64(b.Max.X)*scale)), int(math.Ceil(float64(b.Max.Y)*scale)))
		}
		return out
	}
	if faces := p.redactedFaces(); len(faces) > 0 {
		img = vision.Redact(img, scaleAll(faces), style)
	}
	if len(p.ManualBoxes) > 0 {
		img = vision.RedactAreas(img, scaleAll(p.ManualBoxes), style)
	}
	return img
}

// SaveReview stores p's review state in the register for channel, so that
// review survives a restart. Descriptors and the preview are not saved.
// When the review was saved elsewhere since p's was read, nothing is saved
// and the error matches consent.ErrReviewChanged. A review read or saved
// for another channel (the batch's channel changed since) replaces the
// one saved for channel: the reviewer carried their work over.
func SaveReview(ctx context.Context, store *consent.Store, p *Photo, channel string) error {
	state, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("save review of %s: %w", p.Path, err)
	}
	read := p.reviewVersion
	if p.reviewChannel != channel {
		read = 0
	}
	version, err := store.SaveReview(ctx, consent.SavedReview{OriginalSHA256: p.SHA256, Channel: channel, Path: p.Path, State: state, Version: read})
	if err != nil {
		return err
	}
	p.reviewVersion, p.reviewChannel = version, channel
	return nil
}

// LoadReview returns the review state saved for the original with the given
// SHA-256 and channel, without a preview; the error wraps
// consent.ErrNotFound when none was saved.
func LoadReview(ctx context.Context, store *consent.Store, sha256, channel string) (*Photo, error) {
	saved, err := store.Review(ctx, sha256, channel)
	if err != nil {
		return nil, err
	}
	var p Photo
	if err := json.Unmarshal(saved.State, &p); err != nil {
		return nil, fmt.Errorf("read review of %s: %w", saved.Path, err)
	}
	p.reviewVersion, p.reviewChannel = saved.Version, channel
	return &p, nil
}
