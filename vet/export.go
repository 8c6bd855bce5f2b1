package vet

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/vision"
)

// partialPrefix and partialSuffix make the temporary name of an export
// being written: hidden, and never matching a final name.
const (
	partialPrefix = "."
	partialSuffix = ".partial"
)

// ExportOptions say where and how Export writes.
type ExportOptions struct {
	// Dir is the cleared folder; it is created when missing.
	Dir string
	// Style is how faces are hidden.
	Style vision.RedactStyle
	// VettedBy is the staff member recorded in the ledger.
	VettedBy string
	// Progress, when set, is called after each photo with how many of
	// the photos were dealt with.
	Progress func(done, total int)
}

// Outcome is what Export did with one photo.
type Outcome struct {
	Photo  *Photo
	Output string // the exported file, "" when none was written
	Err    error  // why writing failed, nil when written or not exportable
}

// Export writes the cleared photos to opt.Dir (nil photos are skipped) and
// returns an outcome per photo. It reads the register
// again and re-decides every photo against it for job (a consent withdrawn
// since the batch was processed counts), so Status and Reasons of photos
// are updated. Each file is the original loaded again with every redaction
// burned in and encoded clean, under a neutral name
// (2026-11-21_instagram_001.jpg) that continues the numbering of files
// already there; the publication is recorded in the ledger before the file
// gets its final name. Export first finishes or removes what an
// interrupted export left (see Recover). Originals are only read (R10).
func Export(ctx context.Context, store *consent.Store, photos []*Photo, job consent.Job, opt ExportOptions) ([]Outcome, error) {
	if job.Date.IsZero() || job.Channel == "" {
		return nil, errors.New("export: the job needs a channel and a date")
	}
	if err := os.MkdirAll(opt.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if err := Recover(ctx, store, opt.Dir); err != nil {
		return nil, err
	}
	reg, err := store.Register(ctx)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	prefix := job.Date.String() + "_" + job.Channel + "_"
	next, err := nextNumber(opt.Dir, prefix)
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
			name := fmt.Sprintf("%s%03d.jpg", prefix, next)
			out.Err = exportPhoto(ctx, store, p, job, opt, name)
			if out.Err == nil {
				out.Output = filepath.Join(opt.Dir, name)
				next++
			}
		}
		outcomes = append(outcomes, out)
	}
	if opt.Progress != nil {
		opt.Progress(len(photos), len(photos))
	}
	return outcomes, nil
}

// exportPhoto writes one photo under name in opt.Dir and records it.
func exportPhoto(ctx context.Context, store *consent.Store, p *Photo, job consent.Job, opt ExportOptions, name string) error {
	sum, err := fileSHA256(p.Path)
	if err != nil {
		return &consent.MessageError{Message: failure(p.Path, err)}
	}
	if sum != p.SHA256 {
		return &consent.MessageError{Message: consent.Msg("{{.File}} changed since it was vetted: add it again to vet it again", "File", p.Path)}
	}
	original, err := vision.Load(p.Path)
	if err != nil {
		return &consent.MessageError{Message: failure(p.Path, err)}
	}
	img := p.redact(original.Image, opt.Style, 1)
	partial := filepath.Join(opt.Dir, partialPrefix+name+partialSuffix)
	if err := writeSynced(partial, img); err != nil {
		return err
	}
	pub := consent.Publication{
		OriginalSHA256: p.SHA256, ExportName: name, Channel: job.Channel, Date: job.Date,
		VettedBy: opt.VettedBy, Photographer: p.Photographer, PhotographerChannels: p.PhotographerChannels,
	}
	for _, f := range p.Faces {
		pub.Faces = append(pub.Faces, consent.PublishedFace{PersonID: f.Decision.PersonID, Visible: f.Decision.Visible})
	}
	for range p.ManualBoxes {
		pub.Faces = append(pub.Faces, consent.PublishedFace{})
	}
	// The ledger first: a crash before the rename leaves a partial file
	// that Recover completes, never a published file the ledger misses.
	if _, err := store.RecordPublication(ctx, pub); err != nil {
		return errors.Join(err, os.Remove(partial))
	}
	if err := os.Rename(partial, filepath.Join(opt.Dir, name)); err != nil {
		return fmt.Errorf("export %s: %w", name, err)
	}
	return syncDir(opt.Dir)
}

// writeSynced encodes img clean to path and flushes it to disk.
func writeSynced(path string, img image.Image) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, os.Remove(path))
		}
	}()
	w := bufio.NewWriter(f)
	if err := vision.EncodeClean(w, img); err != nil {
		return errors.Join(fmt.Errorf("export %s: %w", path, err), f.Close())
	}
	if err := errors.Join(w.Flush(), f.Sync(), f.Close()); err != nil {
		return fmt.Errorf("export %s: %w", path, err)
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

// Recover finishes what an export interrupted in dir left behind: a
// partial file whose publication the ledger holds is complete (it was
// flushed before the ledger entry) and gets its final name; any other
// partial file is removed. Afterwards the ledger lists exactly the exports
// in dir.
func Recover(ctx context.Context, store *consent.Store, dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("recover exports in %s: %w", dir, err)
	}
	var published map[string]bool
	for _, e := range entries {
		name, hidden := strings.CutPrefix(e.Name(), partialPrefix)
		name, partial := strings.CutSuffix(name, partialSuffix)
		if !hidden || !partial || e.IsDir() {
			continue
		}
		if published == nil {
			pubs, err := store.Publications(ctx)
			if err != nil {
				return fmt.Errorf("recover exports in %s: %w", dir, err)
			}
			published = make(map[string]bool, len(pubs))
			for _, p := range pubs {
				published[p.ExportName] = true
			}
		}
		partialPath, final := filepath.Join(dir, e.Name()), filepath.Join(dir, name)
		if _, err := os.Stat(final); published[name] && errors.Is(err, os.ErrNotExist) {
			err = os.Rename(partialPath, final)
		} else {
			err = os.Remove(partialPath)
		}
		if err != nil {
			return fmt.Errorf("recover exports in %s: %w", dir, err)
		}
	}
	return nil
}

// nextNumber returns the number after the highest prefixNNN.jpg in dir,
// counting partial files too: existing exports are never overwritten.
func nextNumber(dir, prefix string) (int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	highest := 0
	for _, e := range entries {
		name := strings.TrimSuffix(strings.TrimPrefix(e.Name(), partialPrefix), partialSuffix)
		digits, ok := strings.CutPrefix(name, prefix)
		if digits, ok = strings.CutSuffix(digits, ".jpg"); !ok {
			continue
		}
		if n, err := strconv.Atoi(digits); err == nil && n > highest {
			highest = n
		}
	}
	return highest + 1, nil
}
