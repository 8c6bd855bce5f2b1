package vet

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"image"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/disintegration/imaging"
	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/msg"
	"github.com/photovet/photovet/vision"
)

// An export is written to a temporary file named tempPrefix, random
// letters and digits, tempSuffix: hidden, never a final name, and not a
// name anyone else gives a file. Recover touches only such files, and
// only those the register's claims name.
const (
	tempPrefix = ".photovet-export-"
	tempSuffix = ".partial"
)

// ExportOptions say where and how Export writes.
type ExportOptions struct {
	// Dir is the cleared folder; it is created when missing.
	Dir string
	// Style is how faces are hidden.
	Style vision.RedactStyle
	// VettedBy is the staff member recorded in the ledger.
	VettedBy string
	// Republish exports a photo that the ledger already holds for the
	// channel (the same original) again, as the reviewer asked: the
	// ledger records a re-publication. Without it such a photo is not
	// exported again (Outcome.Earlier).
	Republish bool
	// Progress, when set, is called after each photo with how many of
	// the photos were dealt with.
	Progress func(done, total int)
}

// Outcome is what Export did with one photo.
type Outcome struct {
	Photo  *Photo
	Output string // the exported file, "" when none was written
	// Republished is set when Output publishes again a photo the ledger
	// already held for the channel (ExportOptions.Republish).
	Republished bool
	// Earlier is the photo's publication to the channel already in the
	// ledger when Export did not publish it again; nil otherwise.
	Earlier *consent.Publication
	// Learned is how many faces the reviewer named in the photo joined
	// the person's references when it was published (see
	// learnFromReview).
	Learned int
	Err     error // why writing failed, nil when written or not exportable
}

// Export writes the cleared photos to opt.Dir (nil photos are skipped) and
// returns an outcome per photo. It reads the register again and re-decides
// every photo against it for job (a consent withdrawn since the batch was
// processed counts), so Status and Reasons of photos are updated. A photo
// already published to the channel is not exported again unless
// opt.Republish. Each file is the original loaded again with every
// redaction burned in and encoded clean, under a neutral name that the
// register gives (2026-11-21_instagram_004.jpg: the fourth Instagram
// export of the day, in whatever folder) and that no file in the folder
// has. Its ledger row and its final name come together: the export is
// claimed in the register, written to a temporary file, published in the
// ledger, then given its name, and any failure undoes all of it. Export
// first finishes or removes what an interrupted export left in the folder
// (see Recover). Faces the reviewer named by hand in a published photo
// join the person's references where the register's rules allow
// (Outcome.Learned). Originals are only read (R10).
func Export(ctx context.Context, store *consent.Store, photos []*Photo, job consent.Job, opt ExportOptions) ([]Outcome, error) {
	if job.Date.IsZero() || job.Channel == "" {
		return nil, errors.New("export: the job needs a channel and a date")
	}
	folder, err := filepath.Abs(opt.Dir)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if err := Recover(ctx, store, folder); err != nil {
		return nil, err
	}
	reg, err := store.Register(ctx)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	outcomes := make([]Outcome, 0, len(photos))
	for i, p := range photos {
		if opt.Progress != nil && i > 0 {
			opt.Progress(i, len(photos))
		}
		if err := ctx.Err(); err != nil {
			return outcomes, err
		}
		if p == nil { // not reached by a cancelled batch
			continue
		}
		p.Decide(reg, job)
		out := Outcome{Photo: p}
		if p.Status == Cleared {
			exportPhoto(ctx, store, job, opt, folder, &out)
		}
		outcomes = append(outcomes, out)
	}
	if opt.Progress != nil {
		opt.Progress(len(photos), len(photos))
	}
	return outcomes, nil
}

// exportPhoto writes out.Photo to folder, records it, and fills in out.
func exportPhoto(ctx context.Context, store *consent.Store, job consent.Job, opt ExportOptions, folder string, out *Outcome) {
	p := out.Photo
	if !opt.Republish {
		earlier, err := store.FirstPublication(ctx, p.SHA256, job.Channel)
		if err != nil {
			out.Err = fmt.Errorf("export %s: %w", p.Path, err)
			return
		}
		if earlier != nil {
			out.Earlier = earlier
			return
		}
	}
	sum, err := fileSHA256(p.Path)
	if err != nil {
		out.Err = &msg.Error{Text: failure(p.Path, err)}
		return
	}
	if sum != p.SHA256 {
		out.Err = &msg.Error{Text: msg.New("{{.File}} changed since it was vetted: add it again to vet it again", "File", p.Path)}
		return
	}
	original, err := vision.Load(p.Path)
	if err != nil {
		out.Err = &msg.Error{Text: failure(p.Path, err)}
		return
	}
	img := p.redact(original.Image, opt.Style, 1)
	thumb, err := thumbnail(img)
	if err != nil {
		out.Err = fmt.Errorf("export %s: %w", p.Path, err)
		return
	}
	pub := consent.Publication{
		OriginalSHA256: p.SHA256, Folder: folder, Channel: job.Channel, Date: job.Date,
		VettedBy: opt.VettedBy, Photographer: p.Photographer, PhotographerChannels: p.PhotographerChannels,
		OriginalName: filepath.Base(p.Path), Thumbnail: thumb,
	}
	for _, f := range p.Faces {
		pub.Faces = append(pub.Faces, consent.PublishedFace{PersonID: f.Decision.PersonID, Visible: f.Decision.Visible})
	}
	for range p.ManualBoxes {
		pub.Faces = append(pub.Faces, consent.PublishedFace{})
	}
	e, err := claimExport(ctx, store, pub, opt.Republish)
	if err != nil {
		out.Err = err
		return
	}
	published, err := e.complete(ctx, img)
	if ape, ok := errors.AsType[*consent.AlreadyPublishedError](err); ok {
		// Published meanwhile, by another export. Whatever of this one
		// could not be removed, the next Recover in the folder removes.
		out.Earlier = &ape.Earlier
		return
	}
	if err != nil {
		out.Err = err
		return
	}
	out.Output, out.Republished = published.Path(), published.Republishes != 0
	// The export is done; a claim left behind is tidied by the next
	// export into the folder, and references not added are added at the
	// next export of a photo of the person, but the teacher hears of
	// either failure.
	learned, learnErr := learnFromReview(ctx, store, p)
	out.Learned = learned
	out.Err = errors.Join(e.release(ctx), learnErr)
}

// thumbnailSide is the long side, in pixels, of the picture the ledger
// keeps of each export: enough to recognise a post in a list of them.
const thumbnailSide = 160

// thumbnail returns a small JPEG of img, the export as it is published
// (redacted): what staff look for when a post must come down.
func thumbnail(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := vision.EncodeClean(&buf, imaging.Fit(img, thumbnailSide, thumbnailSide, imaging.Box)); err != nil {
		return nil, fmt.Errorf("thumbnail: %w", err)
	}
	return buf.Bytes(), nil
}

// exportFile is one export being written: its claim in the register and
// its temporary file, open and locked for as long as this export runs, so
// that Recover in any process (this one too) leaves it alone.
type exportFile struct {
	store     *consent.Store
	claim     consent.ExportClaim
	temp      *os.File
	published bool // in the ledger
	placed    bool // the file has its final name
}

func (e *exportFile) tempPath() string  { return filepath.Join(e.claim.Folder, e.claim.Temp) }
func (e *exportFile) finalPath() string { return filepath.Join(e.claim.Folder, e.claim.Name) }

// claimExport reserves the next free export name in pub.Folder and
// creates the export's temporary file, in one transaction of the register.
func claimExport(ctx context.Context, store *consent.Store, pub consent.Publication, republish bool) (*exportFile, error) {
	e := &exportFile{store: store}
	temp := tempPrefix + rand.Text() + tempSuffix
	tempPath := filepath.Join(pub.Folder, temp)
	claim, err := store.ClaimExport(ctx, pub, consent.ClaimOptions{Temp: temp, Republish: republish, Create: func(name string) error {
		if _, err := os.Lstat(filepath.Join(pub.Folder, name)); err == nil {
			return consent.ErrNameTaken
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		f, err := os.OpenFile(tempPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return err
		}
		e.temp = f
		// Where the file system cannot lock, Recover cannot tell a live
		// export from an abandoned one either, and leaves it alone.
		tryLock(f)
		return nil
	}})
	if err != nil {
		if e.temp != nil {
			err = errors.Join(err, e.temp.Close(), os.Remove(tempPath))
		}
		return nil, fmt.Errorf("export: %w", err)
	}
	e.claim = claim
	return e, nil
}

// complete writes img clean to the temporary file, publishes the export
// in the ledger and gives the file its final name. On failure it undoes
// what it did: no ledger row, no file.
func (e *exportFile) complete(ctx context.Context, img image.Image) (consent.Publication, error) {
	if err := e.write(img); err != nil {
		return consent.Publication{}, e.undo(err)
	}
	// The ledger first: a file under its final name is always in it.
	pub, err := e.store.PublishExport(ctx, e.claim.PublicationID)
	if err != nil {
		return consent.Publication{}, e.undo(err)
	}
	e.published = true
	if err := e.place(); err != nil {
		return consent.Publication{}, e.undo(err)
	}
	return pub, nil
}

// write encodes img clean to the temporary file and flushes it to disk.
func (e *exportFile) write(img image.Image) error {
	w := bufio.NewWriter(e.temp)
	if err := vision.EncodeClean(w, img); err != nil {
		return fmt.Errorf("export %s: %w", e.claim.Name, err)
	}
	if err := errors.Join(w.Flush(), e.temp.Sync()); err != nil {
		return fmt.Errorf("export %s: %w", e.claim.Name, err)
	}
	return nil
}

// place gives the complete temporary file its final name without ever
// replacing a file of that name: it links the name to the file and
// removes the temporary name. Where the file system has no hard links
// (FAT and exFAT memory sticks) it renames the file after checking that
// the name is free: only a program outside the register could take it in
// between.
func (e *exportFile) place() error {
	temp, final := e.tempPath(), e.finalPath()
	err := os.Link(temp, final)
	switch {
	case err == nil:
		e.placed = true
		err = os.Remove(temp)
	case linkUnsupported(err):
		err = e.renameIfFree(temp, final)
	}
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("export: a file named %s appeared in %s while the export was written: %w", e.claim.Name, e.claim.Folder, err)
	}
	if err != nil {
		return fmt.Errorf("export %s: %w", e.claim.Name, err)
	}
	return syncDir(e.claim.Folder)
}

func (e *exportFile) renameIfFree(temp, final string) error {
	if _, err := os.Lstat(final); err == nil {
		return &fs.PathError{Op: "export", Path: final, Err: fs.ErrExist}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.Rename(temp, final); err != nil {
		return err
	}
	e.placed = true
	return nil
}

// undo removes what the export wrote and its claim, and returns cause
// with whatever failed on the way. The order keeps the register and the
// folder in a state Recover understands if this process dies half-way:
// a published export loses its file before its ledger row, and its row
// before its temporary file when the final name is not its own.
func (e *exportFile) undo(cause error) error {
	// A cancelled export still tidies up after itself.
	ctx := context.Background()
	defer e.temp.Close()
	if e.published && !e.placed {
		if err := e.store.AbandonExport(ctx, e.claim.PublicationID); err != nil {
			return errors.Join(cause, err) // the temporary file stays for Recover
		}
		return errors.Join(cause, removeIfThere(e.tempPath()))
	}
	if e.placed {
		if err := removeIfThere(e.finalPath()); err != nil {
			return errors.Join(cause, err) // file and row both stay
		}
	}
	if err := removeIfThere(e.tempPath()); err != nil {
		return errors.Join(cause, err)
	}
	return errors.Join(cause, e.store.AbandonExport(ctx, e.claim.PublicationID))
}

// release ends a complete export: its claim goes, then its lock.
func (e *exportFile) release(ctx context.Context) error {
	return errors.Join(e.store.ReleaseExport(context.WithoutCancel(ctx), e.claim.PublicationID), e.temp.Close())
}

func removeIfThere(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return errors.Join(d.Sync(), d.Close())
}

// Recover finishes what exports into dir left behind when their process
// ended before they were done, and touches nothing else: only the exports
// the register has claims for in dir, through the temporary files the
// claims name, and only when no live process holds them (an export holds
// a lock on its file while it runs). A claimed export whose file is
// complete and in the ledger gets its final name and stays; one not yet
// in the ledger (its file may be incomplete) is removed with its
// temporary file. Afterwards the ledger lists exactly the exports in dir
// that no other process is writing.
func Recover(ctx context.Context, store *consent.Store, dir string) error {
	folder, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("recover exports in %s: %w", dir, err)
	}
	claims, err := store.ExportClaims(ctx, folder)
	if err != nil {
		return fmt.Errorf("recover exports in %s: %w", dir, err)
	}
	for _, c := range claims {
		if !isTempName(c.Temp) {
			continue // not a name Export gives: not ours to touch
		}
		if err := recoverClaim(ctx, store, c); err != nil {
			return fmt.Errorf("recover export %s in %s: %w", c.Name, dir, err)
		}
	}
	return nil
}

// isTempName reports whether name is one Export gives its temporary files.
func isTempName(name string) bool {
	random, ok := strings.CutPrefix(name, tempPrefix)
	if random, ok = strings.CutSuffix(random, tempSuffix); !ok || random == "" {
		return false
	}
	return strings.Trim(random, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") == ""
}

// recoverClaim finishes or removes one claimed export whose process has
// ended, and leaves it alone while its process lives.
func recoverClaim(ctx context.Context, store *consent.Store, c consent.ExportClaim) error {
	e := &exportFile{store: store, claim: c}
	temp, there, err := openLocked(e.tempPath())
	switch {
	case err != nil:
		return err
	case !there:
		return recoverWithoutTemp(ctx, e)
	case temp == nil:
		return nil // its process lives
	}
	e.temp = temp
	defer temp.Close() // undo closes it too: the second close does nothing
	// The claim as it is now: its process may have got further after
	// the claims were read, and cannot get further while the lock holds.
	claims, err := store.ExportClaims(ctx, c.Folder)
	if err != nil {
		return err
	}
	i := 0
	for i < len(claims) && claims[i].PublicationID != c.PublicationID {
		i++
	}
	if i == len(claims) {
		return nil // done meanwhile
	}
	e.claim = claims[i]
	if !e.claim.Published {
		// The file may be incomplete: the export never happened.
		if err := removeIfThere(e.tempPath()); err != nil {
			return err
		}
		return store.AbandonExport(ctx, c.PublicationID)
	}
	e.published = true
	finalInfo, err := os.Lstat(e.finalPath())
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// Complete and in the ledger: it gets its name, or, when that
		// fails, the export is undone.
		if err := e.place(); err != nil {
			return e.undo(nil)
		}
	case err != nil:
		return err
	default:
		tempInfo, err := temp.Stat()
		if err != nil {
			return err
		}
		if !os.SameFile(tempInfo, finalInfo) {
			// Another program took the name before the export got it:
			// the export is undone.
			return e.undo(nil)
		}
		// Linked under its name; only the temporary name is left.
		if err := removeIfThere(e.tempPath()); err != nil {
			return err
		}
	}
	return store.ReleaseExport(ctx, c.PublicationID)
}

// recoverWithoutTemp deals with a claimed export whose temporary file is
// gone: its process either put the file under its final name (which it
// keeps locked until it is done), or was removing what it wrote.
func recoverWithoutTemp(ctx context.Context, e *exportFile) error {
	final, there, err := openLocked(e.finalPath())
	switch {
	case err != nil:
		return err
	case !there:
		// Nothing was exported: the ledger row goes too.
		return e.store.AbandonExport(ctx, e.claim.PublicationID)
	case final == nil:
		return nil // its process lives
	}
	defer final.Close()
	// A pending export never has its final name, so the file is that of
	// a published one (a pending claim, whose file under that name is
	// someone else's, stays out of the ledger and is kept).
	return e.store.ReleaseExport(ctx, e.claim.PublicationID)
}

// openLocked opens path and takes its lock. It returns the file, locked;
// or nil and whether a file is there: one a live process holds (or on a
// file system that cannot lock, or that was replaced meanwhile).
func openLocked(path string) (*os.File, bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, true, err
	}
	if !tryLock(f) {
		return nil, true, f.Close()
	}
	opened, err := f.Stat()
	if err != nil {
		return nil, true, errors.Join(err, f.Close())
	}
	if now, err := os.Lstat(path); err != nil || !os.SameFile(opened, now) {
		return nil, true, f.Close()
	}
	return f, true, nil
}
