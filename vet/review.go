package vet

import (
	"context"
	"errors"
	"fmt"
	"image"
	"maps"
	"slices"
	"strings"

	"github.com/disintegration/imaging"
	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/msg"
	"github.com/photovet/photovet/vision"
)

// An Edit is one reviewer action on a photo (R8). Edits only record what the
// reviewer said; the rules then decide again (Reviewer.Apply), so no edit
// can show a face the rules redact.
type Edit func(*Photo) error

// MinBoxSize is the smallest side of a box the reviewer draws, in pixels of
// the original: smaller drags are taken as clicks.
const MinBoxSize = 4

func (p *Photo) face(i int) (*Face, error) {
	if i < 0 || i >= len(p.Faces) {
		return nil, fmt.Errorf("%s has no face %d", p.Path, i)
	}
	return &p.Faces[i], nil
}

// AssignFace says face i is the person with the given id; R2 and R3 then
// apply to that person.
func AssignFace(i int, personID string) Edit {
	return func(p *Photo) error {
		f, err := p.face(i)
		if err != nil {
			return err
		}
		if strings.TrimSpace(personID) == "" {
			return errors.New("assign a face: choose a person")
		}
		f.Review, f.AssignedID, f.AssignedKey, f.Note = consent.AssignedByHand, personID, "", ""
		return nil
	}
}

// ForceRedact hides face i whatever the register says.
func ForceRedact(i int) Edit {
	return func(p *Photo) error {
		f, err := p.face(i)
		if err != nil {
			return err
		}
		f.Review, f.AssignedID, f.AssignedKey, f.Note = consent.ForceRedacted, "", "", ""
		return nil
	}
}

// MarkAdult says face i is an adult outside the register who agreed in
// person; the note saying so is required.
func MarkAdult(i int, note string) Edit {
	return func(p *Photo) error {
		f, err := p.face(i)
		if err != nil {
			return err
		}
		note = strings.TrimSpace(note)
		if note == "" {
			return &msg.Error{Text: msg.New("an adult who agreed in person needs a note saying so")}
		}
		f.Review, f.AssignedID, f.AssignedKey, f.Note = consent.AdultWithNote, "", "", note
		return nil
	}
}

// ResetFace drops the reviewer's choice on face i: the matcher's
// identification counts again.
func ResetFace(i int) Edit {
	return func(p *Photo) error {
		f, err := p.face(i)
		if err != nil {
			return err
		}
		f.Review, f.AssignedID, f.AssignedKey, f.Note = consent.NotReviewed, "", "", ""
		return nil
	}
}

// ConfirmRecognised confirms, as the reviewer, that each face the matcher
// recognised as someone whose consent would show it is that person: an
// assignment by hand to them (consent.Decide then shows the face). It is
// the CLI's --confirm-recognised; the app confirms one person at a time,
// looking at their faces.
func ConfirmRecognised() Edit {
	return func(p *Photo) error {
		for i := range p.Faces {
			if f := &p.Faces[i]; f.ToConfirm() {
				f.Review, f.AssignedID, f.AssignedKey = consent.AssignedByHand, f.Decision.Recognised, ""
			}
		}
		return nil
	}
}

// HideUnknown confirms the redaction of every face that nobody was
// identified as and that has no review yet: the reviewer's "hide the
// rest" (the CLI's --redact-unknown).
func HideUnknown() Edit {
	return func(p *Photo) error {
		p.hideUnknown()
		return nil
	}
}

// hideUnknown force-redacts every unknown face (see Face.Unknown).
func (p *Photo) hideUnknown() {
	for i := range p.Faces {
		if f := &p.Faces[i]; f.Unknown() {
			f.Review = consent.ForceRedacted
		}
	}
}

// AddBox adds an area the reviewer drew (a missed face, a name tag), in
// original coordinates; it is clamped to the photo and always redacted.
func AddBox(r image.Rectangle) Edit {
	return func(p *Photo) error {
		r = r.Canon().Intersect(image.Rect(0, 0, p.Width, p.Height))
		if r.Dx() < MinBoxSize || r.Dy() < MinBoxSize {
			return fmt.Errorf("the box %v is too small to redact", r)
		}
		p.ManualBoxes = append(p.ManualBoxes, r)
		return nil
	}
}

// RemoveBox removes manual box i.
func RemoveBox(i int) Edit {
	return func(p *Photo) error {
		if i < 0 || i >= len(p.ManualBoxes) {
			return fmt.Errorf("%s has no box %d", p.Path, i)
		}
		p.ManualBoxes = slices.Delete(p.ManualBoxes, i, i+1)
		return nil
	}
}

// ConfirmNoFace records that the reviewer looked and the photo shows
// nobody (or takes the confirmation back).
func ConfirmNoFace(confirmed bool) Edit {
	return func(p *Photo) error {
		p.NoFaceConfirmed = confirmed
		return nil
	}
}

// SetChildWork records whose work (drawings, projects) the photo shows;
// none clears it.
func SetChildWork(personIDs []string) Edit {
	return func(p *Photo) error {
		// A new mark holds for whoever holds each id now (Decide).
		p.ChildWork, p.ChildWorkKeys = slices.Clone(personIDs), nil
		return nil
	}
}

// SetPhotographer records who took the photo and the channels they permit.
func SetPhotographer(name string, channels []string) Edit {
	return func(p *Photo) error {
		p.Photographer, p.PhotographerChannels = strings.TrimSpace(name), slices.Clone(channels)
		return nil
	}
}

// Reviewer applies a reviewer's edits to photos of one batch: it decides
// each photo again against Register for Job and saves its review state in
// Store, so that review survives a restart.
type Reviewer struct {
	Store    *consent.Store
	Register *consent.Register
	Job      consent.Job
}

// Apply runs the edits on p in order, then decides and saves p. An edit
// that fails leaves p as it was.
func (r Reviewer) Apply(ctx context.Context, p *Photo, edits ...Edit) error {
	if !p.Error.IsZero() {
		return &msg.Error{Text: msg.New("{{.File}} could not be read: nothing to review", "File", p.Path)}
	}
	trial := p.Clone()
	for _, edit := range edits {
		if err := edit(trial); err != nil {
			return err
		}
	}
	trial.Decide(r.Register, r.Job)
	if r.Store != nil {
		if err := SaveReview(ctx, r.Store, trial, r.Job.Channel); err != nil {
			return err
		}
	}
	*p = *trial
	return nil
}

// SetPhotographer records the photographer's permission in the register
// and sets them on every photo (R5).
func (r Reviewer) SetPhotographer(ctx context.Context, photos []*Photo, name string, channels []string) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return &msg.Error{Text: msg.New("the photographer needs a name")}
	}
	if r.Store != nil {
		if err := r.Store.SetPhotographerPermission(ctx, name, channels, r.Job.Date); err != nil {
			return err
		}
	}
	for _, p := range photos {
		if p == nil || !p.Error.IsZero() {
			continue
		}
		if err := r.Apply(ctx, p, SetPhotographer(name, channels)); err != nil {
			return err
		}
	}
	return nil
}

// Clone returns a copy of p that edits and Decide can change without
// touching p: the app hands clones to work running in the background.
func (p *Photo) Clone() *Photo {
	c := *p
	c.Faces = slices.Clone(p.Faces)
	c.ManualBoxes = slices.Clone(p.ManualBoxes)
	c.ChildWork = slices.Clone(p.ChildWork)
	c.ChildWorkKeys = maps.Clone(p.ChildWorkKeys)
	c.PhotographerChannels = slices.Clone(p.PhotographerChannels)
	c.Reasons = slices.Clone(p.Reasons)
	return &c
}

// ReviewMark identifies the review state a photo holds: the version of
// its saved review it was read as or saved to, and the channel of that
// review. Every edit a Reviewer with a store applies saves the photo, and
// so gives it a new mark; work done in the background on a copy of a
// photo (Clone) may replace the photo only while the photo's mark is the
// one the copy was taken at, else it would undo the reviewer's edit.
type ReviewMark struct {
	version int64
	channel string
}

// ReviewMark returns the mark of p's review state (see ReviewMark).
func (p *Photo) ReviewMark() ReviewMark {
	return ReviewMark{version: p.reviewVersion, channel: p.reviewChannel}
}

// ChangeChannel takes p's review over to the reviewer's channel after the
// batch's channel changed (reviews are kept for each channel) and decides
// p for the reviewer's job. The reviewer's work on p carries over as far
// as it holds on another channel (consent.Face.OnAnotherChannel: an
// adult's agreement in person does not, unless the review saved for the
// new channel has it), as the window goes on showing it, and is saved for
// the channel at once, so that a restart brings back what the reviewer
// saw; a photo without any takes the review saved for the channel
// before, if any, as vetting it afresh would, but keeps its
// photographer. When that fails p is still decided, and the error says
// why its review was not kept.
func (r Reviewer) ChangeChannel(ctx context.Context, p *Photo) error {
	if r.Store == nil || !p.Error.IsZero() || p.reviewChannel == r.Job.Channel {
		p.Decide(r.Register, r.Job)
		return nil
	}
	for i := range p.Faces {
		f := &p.Faces[i]
		f.keepReview(f.consentFace().OnAnotherChannel())
	}
	save := p.hasReviewerWork()
	saved, err := LoadReview(ctx, r.Store, p.SHA256, r.Job.Channel)
	switch {
	case errors.Is(err, consent.ErrNotFound):
		if !save {
			// p is now as vetting it afresh for the channel makes it, and
			// no longer the review of the channel before, which may hold
			// work that does not carry over (a change back reads it).
			p.reviewVersion, p.reviewChannel = 0, r.Job.Channel
		}
	case err != nil:
		p.Decide(r.Register, r.Job)
		return err
	case save:
		// What the reviewer decided for the new channel alone holds there.
		p.restoreChannelBound(saved)
	default:
		// The photographer is the one set last, for the whole batch
		// (SetPhotographer), not the one saved with the channel's review:
		// photos would otherwise go out on another person's permission
		// than their neighbours'.
		name, channels := p.Photographer, p.PhotographerChannels
		p.restore(saved)
		if name != "" && (name != p.Photographer || !slices.Equal(channels, p.PhotographerChannels)) {
			p.Photographer, p.PhotographerChannels = name, slices.Clone(channels)
			save = true
		}
	}
	p.Decide(r.Register, r.Job)
	if save {
		return SaveReview(ctx, r.Store, p, r.Job.Channel)
	}
	return nil
}

// hasReviewerWork reports whether the reviewer changed anything on p that
// a saved review keeps (see restore), the photographer aside: that is set
// for the whole batch.
func (p *Photo) hasReviewerWork() bool {
	return len(p.ManualBoxes) > 0 || len(p.ChildWork) > 0 || p.NoFaceConfirmed ||
		slices.ContainsFunc(p.Faces, func(f Face) bool { return f.Review != consent.NotReviewed })
}

// restore takes the reviewer's work from the review state saved for the
// same original: overrides on the faces found again (matched by box),
// manual boxes, photographer, child's work and the no-face confirmation.
func (p *Photo) restore(saved *Photo) {
	p.reviewVersion, p.reviewChannel = saved.reviewVersion, saved.reviewChannel
	p.ManualBoxes = slices.Clone(saved.ManualBoxes)
	p.ChildWork, p.ChildWorkKeys = slices.Clone(saved.ChildWork), maps.Clone(saved.ChildWorkKeys)
	p.NoFaceConfirmed = saved.NoFaceConfirmed
	if saved.Photographer != "" {
		p.Photographer, p.PhotographerChannels = saved.Photographer, slices.Clone(saved.PhotographerChannels)
	}
	for _, s := range saved.Faces {
		if s.Review == consent.NotReviewed {
			continue
		}
		if best := p.faceAt(s.Box); best >= 0 {
			f := &p.Faces[best]
			f.keepReview(s.consentFace())
		} else if s.Review != consent.AdultWithNote {
			// A face the reviewer dealt with and the detector no longer
			// finds stays hidden: its area becomes a manual box.
			p.ManualBoxes = append(p.ManualBoxes, s.Box)
		}
	}
}

// faceAt returns the index of p's face that box, a face's box in a saved
// review of the same original, stands for, or -1.
func (p *Photo) faceAt(box image.Rectangle) int {
	best, bestIoU := -1, 0.5 // the same photo gives the same boxes; 0.5 allows a changed detector
	for i, f := range p.Faces {
		if iou := vision.IoU(f.Box, box); iou > bestIoU {
			best, bestIoU = i, iou
		}
	}
	return best
}

// restoreChannelBound takes from the review state saved for the same
// original and another channel the reviews that hold on that channel
// only (consent.Face.OnAnotherChannel), on faces p leaves unreviewed.
func (p *Photo) restoreChannelBound(saved *Photo) {
	for _, s := range saved.Faces {
		if s.consentFace().OnAnotherChannel().Review == s.Review {
			continue
		}
		if i := p.faceAt(s.Box); i >= 0 && p.Faces[i].Review == consent.NotReviewed {
			f := &p.Faces[i]
			f.keepReview(s.consentFace())
		}
	}
}

// RedactedPreview returns the preview as export will write it, scaled
// down: every redacted face and manual box hidden in style.
func (p *Photo) RedactedPreview(style vision.RedactStyle) (image.Image, error) {
	img, err := p.PreviewImage()
	if err != nil {
		return nil, err
	}
	nrgba := imaging.Clone(img)
	if p.Width == 0 {
		return nrgba, nil
	}
	return p.redact(nrgba, style, float64(nrgba.Bounds().Dx())/float64(p.Width)), nil
}
