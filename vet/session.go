package vet

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/vision"
)

// Job is what a batch is vetted for: what the rules decide against (unit,
// channel, export date), who took the photos, and how hidden faces look.
type Job struct {
	consent.Job
	// Photographer and PhotographerChannels are set on every photo of a
	// batch (R5); a reviewer may change them per photo.
	Photographer         string
	PhotographerChannels []string
	// Style is how redacted faces and boxes are hidden, in the preview of
	// the export and in the export itself.
	Style vision.RedactStyle
}

// RedactionStyle is the redaction style the settings name. Settings that
// could not be read (nil) or name a style this version does not know give
// blur: it hides as well as solid and looks calmer.
func RedactionStyle(set *consent.Settings) vision.RedactStyle {
	if set == nil {
		return vision.RedactBlur
	}
	style, err := vision.ParseRedactStyle(set.RedactionStyle)
	if err != nil {
		return vision.RedactBlur
	}
	return style
}

// Session is one vetting session, the API both front ends drive: the
// register's store, the face engine, the job, and the register as it was
// read for the job. Copy it to hand it to a goroutine: the copy keeps the
// job and register of the moment while the original may change.
type Session struct {
	Store *consent.Store
	Faces *Faces
	Job   Job
	// Register is the register as read by SetJob; nil when it could not
	// be read, and every face is then hidden (R4).
	Register *consent.Register
	// Detections, when set, keeps what the face engine found in each
	// original, so that a photo processed again is not searched again
	// (see Detections).
	Detections *Detections
}

// SetUp sets the session's job from a command line's words (see SetJob):
// unit "" is the settings' default unit type (R1), and the channel must be
// one of the register's. Unlike SetJob it fails when the register cannot
// be read: nothing would be exported.
func (s *Session) SetUp(ctx context.Context, channel, unit string, date consent.Date) error {
	set, err := s.Store.Settings(ctx)
	if err != nil {
		return err
	}
	u, err := set.BatchUnit(unit)
	if err != nil {
		return err
	}
	if !set.HasChannel(channel) {
		return fmt.Errorf("unknown channel %q (the register has %s)", channel, strings.Join(set.Channels, ", "))
	}
	return s.SetJob(ctx, consent.Job{Unit: u, Channel: channel, Date: date})
}

// SetJob reads the register again for job and resolves the redaction
// style from its settings. When the register cannot be read the job is
// set all the same, with Register nil (every face hidden, R4), and the
// error says why. Photos of the session are decided again by the caller.
func (s *Session) SetJob(ctx context.Context, job consent.Job) error {
	reg, err := s.Store.Register(ctx)
	if err != nil {
		err = fmt.Errorf("read the consent register: %w", err)
	}
	s.Register = reg
	s.Job.Job = job
	var set *consent.Settings
	if reg != nil {
		set = &reg.Settings
	}
	s.Job.Style = RedactionStyle(set)
	return err
}

// SetPhotographer records the photographer's permitted channels, sets
// them on photos (see Reviewer.SetPhotographer) and makes them the
// session's photographer, for the photos its batches process from now on.
func (s *Session) SetPhotographer(ctx context.Context, photos []*Photo, name string, channels []string) error {
	if err := s.Reviewer().SetPhotographer(ctx, photos, name, channels); err != nil {
		return err
	}
	s.Job.Photographer, s.Job.PhotographerChannels = strings.TrimSpace(name), slices.Clone(channels)
	return nil
}

// NewBatch readies the session for a new batch of photos: the channel,
// the unit and the redaction style stay (the teacher's class and where it
// publishes), the photographer and their permission go. They belong to
// the photos (R5), and the next photos may be someone else's: the
// teacher names the photographer again, or the photos' EXIF Artist
// pre-fills it, as for a batch the CLI vets without --photographer.
func (s *Session) NewBatch() {
	s.Job.Photographer, s.Job.PhotographerChannels = "", nil
}

// Batch returns the pipeline for the session's job: the face finder,
// loaded now if it was not (this blocks while the models load), the
// enrolled references, and the store, so that saved review state comes
// back and a photographer named in a photo's EXIF has their recorded
// permissions.
func (s Session) Batch(ctx context.Context) (Batch, error) {
	finder, workers, err := s.Faces.Finder()
	if err != nil {
		return Batch{}, err
	}
	matcher, err := NewMatcher(ctx, s.Store)
	if err != nil {
		return Batch{}, err
	}
	return Batch{Finder: finder, Workers: workers, Matcher: matcher, Register: s.Register, Job: s.Job.Job,
		Photographer: s.Job.Photographer, PhotographerChannels: s.Job.PhotographerChannels, Store: s.Store,
		Detections: s.Detections}, nil
}

// Reviewer applies review edits for the session's job and saves them.
func (s Session) Reviewer() Reviewer {
	return Reviewer{Store: s.Store, Register: s.Register, Job: s.Job.Job}
}

// BatchReview is what a reviewer can decide for every photo of a batch at
// once (the CLI's flags, the app's buttons).
type BatchReview struct {
	// ConfirmRecognised confirms that each face the matcher recognised
	// is the person it was recognised as (ConfirmRecognised).
	ConfirmRecognised bool
	// HideUnknown hides every face nobody was identified as (HideUnknown),
	// after the confirmations.
	HideUnknown bool
	// ConfirmNoFace confirms that nobody is on each photo in which no
	// face was found (ConfirmNoFace).
	ConfirmNoFace bool
}

// Review records the reviewer's decisions in review for every photo.
// Photos it changes are decided again and their review state saved, as
// the reviewer's decision; photos that could not be read, and nil ones,
// are left as they are.
func (s Session) Review(ctx context.Context, photos []*Photo, review BatchReview) error {
	r := s.Reviewer()
	for _, p := range photos {
		if p == nil || !p.Error.IsZero() {
			continue
		}
		var edits []Edit
		if review.ConfirmRecognised && slices.ContainsFunc(p.Faces, Face.ToConfirm) {
			edits = append(edits, ConfirmRecognised())
		}
		if review.HideUnknown && slices.ContainsFunc(p.Faces, Face.Unknown) {
			edits = append(edits, HideUnknown())
		}
		if review.ConfirmNoFace && len(p.Faces) == 0 && !p.NoFaceConfirmed {
			edits = append(edits, ConfirmNoFace(true))
		}
		if len(edits) == 0 {
			continue
		}
		if err := r.Apply(ctx, p, edits...); err != nil {
			return err
		}
	}
	return nil
}

// Export writes the cleared photos to opt.Dir for the session's job, in
// the job's redaction style (see Export).
func (s Session) Export(ctx context.Context, photos []*Photo, opt ExportOptions) ([]Outcome, error) {
	opt.Style = s.Job.Style
	return Export(ctx, s.Store, photos, s.Job.Job, opt)
}
