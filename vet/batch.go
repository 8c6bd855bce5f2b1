package vet

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"io"
	"io/fs"
	"math"
	"runtime"
	"strings"
	"sync"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/msg"
	"github.com/photovet/photovet/vision"
)

// PreviewSize is the longest side of a photo's preview, in pixels.
const PreviewSize = 1024

// Progress reports one processed photo of a batch.
type Progress struct {
	Done, Total int
	Photo       *Photo // the photo just processed, with its decisions
}

// Batch processes photos: load, detect and describe faces, identify them
// against the references, decide with the rules.
type Batch struct {
	// Finder finds and describes faces; vision.Engine is the real one.
	Finder vision.FaceFinder
	// Workers is how many photos are processed at once: at most this many
	// decoded photos are held in memory. <= 0 means runtime.NumCPU().
	Workers int
	// Matcher holds the enrolled references; nil means nobody is enrolled.
	Matcher *vision.Matcher
	// Register and Job are what the rules decide against; a nil Register
	// redacts every face (R4).
	Register *consent.Register
	Job      consent.Job
	// Photographer and PhotographerChannels are set on every photo (R5);
	// a reviewer may change them per photo.
	Photographer         string
	PhotographerChannels []string
	// Store, when set, restores the review state saved for a photo that
	// was reviewed before for Job's channel (review survives a restart),
	// and gives the permissions of a photographer named in a photo's EXIF.
	Store *consent.Store
	// Detections, when set, keeps what the finder found in each original
	// and gives it back when the same original comes again, so that it is
	// not searched again; it needs a finder that is a
	// vision.FaceDescriber (the real engine is), and is not used with
	// others.
	Detections *Detections
	// Progress, when set, is called after each photo, from one goroutine
	// at a time.
	Progress func(Progress)
}

// NewMatcher builds a matcher from the register's reference descriptors.
// It measures distances and suggests candidates from the register's
// match threshold; the rules decide who a face is.
func NewMatcher(ctx context.Context, store *consent.Store) (*vision.Matcher, error) {
	refs, err := store.References(ctx)
	if err != nil {
		return nil, err
	}
	set, err := store.Settings(ctx)
	if err != nil {
		return nil, err
	}
	vrefs := make([]vision.Reference, 0, len(refs))
	for _, r := range refs {
		if len(r.Descriptor) != vision.DescriptorSize {
			return nil, fmt.Errorf("reference of %s has %d values, want %d", r.PersonID, len(r.Descriptor), vision.DescriptorSize)
		}
		vrefs = append(vrefs, vision.Reference{PersonID: r.PersonID, Descriptor: vision.Descriptor(r.Descriptor)})
	}
	return vision.NewMatcher(vrefs, set.MatchThreshold), nil
}

// Run processes the photos at paths (see Collect) and returns them in the
// same order. A photo that cannot be read or processed is returned with its
// Error and status Failed; the others carry on. When ctx is cancelled, Run
// stops taking new photos and returns what was processed with ctx's error
// (photos not reached, or stopped halfway, are nil).
func (b Batch) Run(ctx context.Context, paths []string) ([]*Photo, error) {
	photos := make([]OpenPhoto, len(paths))
	for i, p := range paths {
		photos[i] = OpenPhoto{Path: p}
	}
	return b.Resume(ctx, photos)
}

// Resume processes the photos of an open batch as Run does, a photo known
// by its original's SHA-256 only if the original is still that file: one
// that changed since is not processed but returned Failed, saying so (its
// review was of other pixels), and one that is gone is Failed as a missing
// file. Their review comes back from the register as for any photo.
func (b Batch) Resume(ctx context.Context, open []OpenPhoto) ([]*Photo, error) {
	workers := b.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	workers = min(workers, max(len(open), 1))
	type result struct {
		index int
		photo *Photo
	}
	jobs := make(chan int)
	results := make(chan result)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results <- result{i, b.process(ctx, open[i].Path, open[i].SHA256)}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := range open {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	photos := make([]*Photo, len(open))
	done := 0
	for r := range results {
		if r.photo == nil { // stopped by the cancellation halfway
			continue
		}
		done++
		photos[r.index] = r.photo
		if b.Progress != nil {
			b.Progress(Progress{Done: done, Total: len(open), Photo: r.photo})
		}
	}
	return photos, ctx.Err()
}

// process takes one photo through the pipeline; want, when not "", is the
// SHA-256 its original must have. The decoded photo is dropped when it
// returns: only the preview, boxes and decisions stay.
func (b Batch) process(ctx context.Context, path, want string) *Photo {
	// Until the original is read, its SHA-256 is what the batch knew of
	// it: a photo gone or changed keeps it, so that it is still known.
	p := &Photo{Path: path, SHA256: want, Photographer: b.Photographer, PhotographerChannels: b.PhotographerChannels}
	defer p.Decide(b.Register, b.Job)
	photo, sum, err := load(ctx, path)
	if err != nil && ctx.Err() != nil {
		return nil // cancelled while reading: not processed, not failed
	}
	if err != nil {
		p.Error = failure(path, err)
		return p
	}
	if want != "" && !strings.EqualFold(sum, want) {
		p.Error = msg.New("{{.File}} changed since it was added to the batch: its review was of the photo as it was. Add it again to vet it as it is now.", "File", path)
		return p
	}
	p.SHA256 = sum
	p.Width, p.Height, p.Orientation, p.Metadata = photo.Width, photo.Height, photo.Orientation, photo.Metadata
	if err := b.prefillPhotographer(ctx, p, photo.Metadata); err != nil {
		p.fail(path, err)
		return p
	}
	faces, err := b.findFaces(ctx, photo, sum)
	if err != nil && ctx.Err() != nil {
		return nil // cancelled: the photo was not processed, not failed
	}
	if err != nil {
		p.Error = msg.New("{{.File}}: the faces could not be searched: {{.Error}}", "File", path, "Error", err.Error())
		return p
	}
	p.Faces = make([]Face, 0, len(faces))
	for _, f := range faces {
		face := Face{Box: f.Box, Score: f.Score, Detector: string(f.Detector), Distance: math.Inf(1), NextDistance: math.Inf(1)}
		d := f.Descriptor
		face.descriptor = &d
		if b.Matcher != nil {
			m := b.Matcher.Match(d)
			// The rules want the distance to the nearest other person;
			// the matcher gives the margin to it.
			face.NearestID, face.Distance, face.NextDistance = m.Nearest, m.Distance, m.Distance+m.Margin
			face.Candidates = m.Candidates
		}
		p.Faces = append(p.Faces, face)
	}
	oncePerPhoto(p.Faces)
	if err := b.restoreReview(ctx, p); err != nil {
		p.fail(path, err)
		return p
	}
	if p.Preview, err = preview(photo.Image); err != nil {
		p.Error = failure(path, err)
	}
	return p
}

// findFaces finds and describes the faces in photo, whose original's
// SHA-256 is sum: through Detections when the batch keeps them and the
// finder can describe a face it found before, else with the finder.
func (b Batch) findFaces(ctx context.Context, photo *vision.Photo, sum string) ([]vision.Face, error) {
	if describer, ok := b.Finder.(vision.FaceDescriber); ok && b.Detections != nil {
		return b.Detections.find(ctx, describer, photo, sum)
	}
	return b.Finder.Find(ctx, photo)
}

// fail marks p, at path, as not processed because of err. A shared
// register that cannot be reached is told in its own words: the photo
// itself is fine, and saying it could not be read would send the teacher
// to check a photo that is not at fault.
func (p *Photo) fail(path string, err error) {
	if errors.Is(err, consent.ErrUnreachable) {
		p.Error, p.registerUnreachable = msg.FromError(err), true
		return
	}
	p.Error = failure(path, err)
}

// failure says why the photo at path could not be processed, in words a
// teacher understands for the errors they can do something about.
func failure(path string, err error) msg.Text {
	switch {
	case errors.Is(err, vision.ErrUnsupported):
		return msg.New("{{.File}}: not a JPEG, PNG or HEIC image", "File", path)
	case errors.Is(err, vision.ErrCorrupt):
		return msg.New("{{.File}}: the file is damaged or truncated", "File", path)
	case errors.Is(err, vision.ErrTooLarge):
		return msg.New("{{.File}}: the photo is too large for PhotoVet", "File", path)
	case errors.Is(err, vision.ErrTooNarrow):
		return msg.New("{{.File}}: the photo is too narrow for PhotoVet (one side is more than {{.Ratio}} times the other)", "File", path, "Ratio", vision.MaxAspectRatio)
	case errors.Is(err, vision.ErrNotRegular):
		return msg.New("{{.File}}: not a photo file but a folder, device or pipe", "File", path)
	case errors.Is(err, fs.ErrNotExist):
		return msg.New("{{.File}}: no such file (was it moved or deleted?)", "File", path)
	case errors.Is(err, fs.ErrPermission):
		return msg.New("{{.File}}: PhotoVet is not allowed to read this file", "File", path)
	}
	return msg.New("{{.File}}: {{.Error}}", "File", path, "Error", err.Error())
}

// prefillPhotographer takes the photographer from EXIF Artist, else
// Copyright, when the batch names none (R5), with the permissions the
// register holds for them.
func (b Batch) prefillPhotographer(ctx context.Context, p *Photo, m vision.Metadata) error {
	if p.Photographer != "" {
		return nil
	}
	name := strings.TrimSpace(m.Artist)
	if name == "" {
		name = strings.TrimSpace(m.Copyright)
	}
	if name == "" {
		return nil
	}
	p.Photographer = name
	if b.Store == nil {
		return nil
	}
	channels, err := b.Store.PhotographerChannels(ctx, name)
	if err != nil {
		return err
	}
	p.PhotographerChannels = channels
	return nil
}

// restoreReview applies the review state saved for p's original, if any.
func (b Batch) restoreReview(ctx context.Context, p *Photo) error {
	if b.Store == nil {
		return nil
	}
	saved, err := LoadReview(ctx, b.Store, p.SHA256, b.Job.Channel)
	if errors.Is(err, consent.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	p.restore(saved)
	return nil
}

// oncePerPhoto marks the faces that consent.RepeatedMatches says cannot be
// their nearest person as ambiguous for the rules.
func oncePerPhoto(faces []Face) {
	ids := make([]string, len(faces))
	distances := make([]float64, len(faces))
	for i, f := range faces {
		ids[i], distances[i] = f.NearestID, f.Distance
	}
	for i, repeated := range consent.RepeatedMatches(ids, distances) {
		if repeated {
			faces[i].NextDistance = faces[i].Distance
		}
	}
}

// GCPercent is the Go garbage collector's target (GOGC) that the program
// runs batches with; main sets it unless GOGC is given. A batch's live
// heap is small (a few decoded photos and scans), but each photo throws
// away tens of megabytes, so at Go's default of 100 the heap reached
// twice its live size between collections. In the real 500-photo batch
// (BenchmarkBatchRealEngine) Go's own memory reached 487 MB with 100 and
// 380 MB with 50, at the same CPU time.
const GCPercent = 50

// previewQuality is the JPEG quality of previews: for the screen only.
const previewQuality = 85

// preview scales img down so that its longest side is PreviewSize and
// encodes it as JPEG.
func preview(img *image.NRGBA) ([]byte, error) {
	data, err := vision.EncodeJPEG(vision.Fit(img, PreviewSize), previewQuality)
	if err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	return data, nil
}

// load reads the photo at path once, with vision.OpenFile (a regular file
// within the size limit; reads stop when ctx is cancelled), and returns it
// decoded with the hex SHA-256 of the file's content.
func load(ctx context.Context, path string) (*vision.Photo, string, error) {
	f, err := vision.OpenFile(ctx, path)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	h := sha256.New()
	photo, err := vision.Decode(io.TeeReader(f, h))
	if err != nil {
		return nil, "", fmt.Errorf("load photo %s: %w", path, err)
	}
	return photo, hex.EncodeToString(h.Sum(nil)), nil
}

// fileSHA256 returns the hex SHA-256 of a photo file's content, opened
// with vision.OpenFile: bounded by its size limit, but not cancellable.
func fileSHA256(path string) (string, error) {
	f, err := vision.OpenFile(context.Background(), path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
