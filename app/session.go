package app

import (
	"context"
	"image"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/disintegration/imaging"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/vet"
)

// thumbSize is the longest side of a grid thumbnail, in pixels.
const thumbSize = 200

// session is the batch the window shows: the photos dropped so far, with
// their review state, and the job they are vetted for. Its fields are only
// touched on Fyne's goroutine; processing runs in a worker that hands each
// photo over through fyne.Do.
type session struct {
	// Session holds the store, the face engine, the job and the register
	// as read for it; the worker gets a copy, never the session: the
	// teacher may change the job meanwhile, and add decides each photo
	// again for the job of the moment.
	vet.Session

	photos []*vet.Photo
	thumbs map[*vet.Photo]image.Image
	// exported holds the file each photo was published as on the batch's
	// channel, in this batch or before (markPublished); a published photo
	// is not exported again.
	exported map[*vet.Photo]string
	// apart holds the faces the reviewer took out of a group of faces
	// that look like one person: they stay out when the groups are made
	// again. In memory only, like the groups.
	apart map[facePlace]bool

	cancel context.CancelFunc // cancels the running batch; nil when idle
	// running are the photos of the running batch not processed yet, and
	// pending those added while it runs: with a SHA-256 and an export
	// when they come from the batch kept from last time.
	running, pending []vet.OpenPhoto

	// place holds every path added (so a second drop adds only new ones)
	// and where its photo stands in the batch: the batch kept from last
	// time first, in its order, then the photos in the order they were
	// added. The grid (and so the export's numbering) shows them in that
	// order whatever order the workers finish them in.
	place map[string]int

	// file keeps the batch for the next start; nil while it is not kept
	// (before the last one was restored, or when the data directory
	// could not be found).
	file *vet.BatchFile
}

// newSession is the session over store, with the face detections kept in
// dataDir, where the batch is kept too; dataDir "" keeps neither.
func newSession(store *consent.Store, faces *vet.Faces, dataDir string) (*session, error) {
	s := &session{Session: vet.Session{Store: store, Faces: faces},
		thumbs: map[*vet.Photo]image.Image{}, exported: map[*vet.Photo]string{},
		place: map[string]int{}, apart: map[facePlace]bool{}}
	if dataDir == "" {
		return s, nil
	}
	var err error
	s.Detections, err = vet.OpenDetections(dataDir)
	return s, err
}

// openBatch is the batch as kept for the next start.
func (s *session) openBatch() vet.OpenBatch {
	return vet.NewOpenBatch(s.Job, s.photos, s.exported, slices.Concat(s.running, s.pending))
}

// restore takes the batch kept from last time as added: its photos are
// the next to process, with what is known of them.
func (s *session) restore(b vet.OpenBatch) []vet.OpenPhoto {
	var fresh []vet.OpenPhoto
	for _, p := range b.Photos {
		if _, added := s.place[p.Path]; !added {
			s.placeNext(p.Path)
			fresh = append(fresh, p)
		}
	}
	return fresh
}

// reviewsWait is how long a change of the batch's job may take to carry
// the photos' reviews over to the new channel in a shared register (two
// round trips a photo at most): past it, the photos left are decided for
// the new channel with what carries over in memory (ChangeChannel), and
// the teacher is told that their review could not be kept.
const reviewsWait = 20 * time.Second

// decidedJob is a change of the batch's job as worked out off the UI
// goroutine (decideJob): the register read for it, the job as the
// register's settings allow it, and copies of photos decided for it.
type decidedJob struct {
	// vetting holds the register as read (nil when it could not be, and
	// every face is then hidden: R4), the job and the redaction style.
	vetting vet.Session
	// photos and copies are the photos asked about and their copies
	// decided for the job; marks their review marks when copied: a copy
	// stands for its photo only while the photo keeps its mark.
	photos, copies []*vet.Photo
	marks          []vet.ReviewMark
	// readErr says why the register could not be read, keepErr why a
	// review could not be carried over to the job's channel.
	readErr, keepErr error
}

// copyForJob copies photos for decideJob, with their review marks.
func copyForJob(photos []*vet.Photo) decidedJob {
	d := decidedJob{photos: slices.Clone(photos), copies: make([]*vet.Photo, len(photos)), marks: make([]vet.ReviewMark, len(photos))}
	for i, p := range photos {
		d.copies[i], d.marks[i] = p.Clone(), p.ReviewMark()
	}
	return d
}

// decideJob reads the register for job within registerWait and decides
// d's copies for it: each copy's review is carried over to the job's
// channel when it was the review of another channel
// (vet.Reviewer.ChangeChannel, which decides a photo already reviewed for
// the channel without touching its review), within reviewsWait. A job
// whose channel the register's settings no longer have gets the first
// one, and a unit type this version does not know the default. It runs
// off the UI goroutine, on copies: the store may take seconds to answer.
func decideJob(ctx context.Context, vetting vet.Session, job consent.Job, d decidedJob) decidedJob {
	readCtx, cancel := context.WithTimeout(ctx, registerWait)
	d.readErr = vetting.SetJob(readCtx, job)
	cancel()
	if reg := vetting.Register; reg != nil {
		if len(reg.Settings.Channels) > 0 && (job.Channel == "" || !reg.Settings.HasChannel(job.Channel)) {
			job.Channel = reg.Settings.Channels[0]
		}
		if !slices.Contains(units(), job.Unit) {
			job.Unit = reg.Settings.DefaultUnit
		}
		vetting.Job.Job = job
	}
	d.vetting = vetting
	reviewer := vetting.Reviewer()
	keepCtx, cancel := context.WithTimeout(ctx, reviewsWait)
	defer cancel()
	for _, p := range d.copies {
		if err := reviewer.ChangeChannel(keepCtx, p); err != nil && d.keepErr == nil {
			d.keepErr = err
		}
	}
	return d
}

// size is how many photos the batch holds: decided, being processed or
// waiting for it.
func (s *session) size() int { return len(s.place) }

// newPaths returns the photos to process: those not added before, and
// those whose file could not be read or changed (the teacher may have
// repaired it, or wants it vetted as it is now), whose failed photo is
// taken out of the batch.
func (s *session) newPaths(paths []string) []vet.OpenPhoto {
	var fresh []vet.OpenPhoto
	for _, path := range paths {
		i := slices.IndexFunc(s.photos, func(p *vet.Photo) bool { return p.Path == path && p.Status == vet.Failed })
		if _, added := s.place[path]; added && i < 0 {
			continue
		}
		if i >= 0 {
			delete(s.thumbs, s.photos[i])
			s.photos = slices.Delete(s.photos, i, i+1)
		}
		s.placeNext(path)
		fresh = append(fresh, vet.OpenPhoto{Path: path})
	}
	return fresh
}

// placeNext adds path at the place after every photo added so far,
// unless it has one (a failed photo added again keeps its place).
func (s *session) placeNext(path string) {
	if _, ok := s.place[path]; ok {
		return
	}
	next := 0
	for _, at := range s.place {
		next = max(next, at+1)
	}
	s.place[path] = next
}

// add records a processed photo with its thumbnail, decided for the
// session's job: the job may have changed since the batch started. The
// photo takes its place in the batch (see session.place); a photo of the
// batch kept from last time gets its export back when its original is
// still the one exported.
//
// pub is where the ledger said p was published, asked in the batch's
// worker (askLedger); add reports false when it answers for a channel
// that is no longer the batch's, and the ledger must be asked again
// (mainWindow.lookUpPublished).
func (s *session) add(p *vet.Photo, thumb image.Image, pub publication) bool {
	p.Decide(s.Register, s.Job.Job)
	at := len(s.photos)
	if place, ok := s.place[p.Path]; ok {
		at = slices.IndexFunc(s.photos, func(q *vet.Photo) bool {
			other, placed := s.place[q.Path]
			return placed && other > place
		})
		if at < 0 {
			at = len(s.photos)
		}
	}
	s.photos = slices.Insert(s.photos, at, p)
	if thumb != nil {
		s.thumbs[p] = thumb
	}
	if i := slices.IndexFunc(s.running, func(o vet.OpenPhoto) bool { return o.Path == p.Path }); i >= 0 {
		if o := s.running[i]; o.Exported != "" && p.Error.IsZero() && o.SHA256 == p.SHA256 {
			s.exported[p] = o.Exported
		}
		s.running = slices.Delete(s.running, i, i+1)
	}
	return s.exported[p] != "" || s.markPublished(p, pub)
}

// publication is where the ledger says a photo was first published on a
// channel: path "" for nowhere, or when the ledger could not say.
type publication struct {
	channel, path string
}

// askLedger asks store's ledger where the photo whose original has the
// SHA-256 sum was first published on channel. A shared register can take
// seconds to answer, so it is asked off the UI goroutine: in the batch's
// worker, or by mainWindow.lookUpPublished. When the ledger cannot be
// read within 5 s, the photo counts as not published, so as waiting:
// Export reads the ledger again and publishes nothing twice.
func askLedger(store *consent.Store, channel, sum string) publication {
	pub := publication{channel: channel}
	if store == nil || sum == "" {
		return pub
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if first, err := store.FirstPublication(ctx, sum, channel); err == nil && first != nil {
		pub.path = first.Path()
	}
	return pub
}

// markPublished records where p was first published on the batch's
// channel, as the ledger said (askLedger): a photo published from an
// earlier batch, or before the channel changed, is badged Exported and
// not counted as waiting. It reports false, and records nothing, when
// pub answers for another channel than the batch's: the channel changed
// since the ledger was asked.
func (s *session) markPublished(p *vet.Photo, pub publication) bool {
	if pub.channel != s.Job.Job.Channel {
		return false
	}
	if pub.path != "" && p.Error.IsZero() {
		s.exported[p] = pub.path
	}
	return true
}

// forgetUnprocessed unmarks the paths added whose photo was not processed
// (a stopped batch), so that dropping them again processes them.
func (s *session) forgetUnprocessed() {
	s.running = nil
	processed := make(map[string]bool, len(s.photos))
	for _, p := range s.photos {
		processed[p.Path] = true
	}
	maps.DeleteFunc(s.place, func(path string, _ int) bool { return !processed[path] })
}

// clear forgets the batch, to start a new one; call it only when no
// batch runs. Saved review state stays in the register, so a photo added
// again comes back as it was reviewed.
func (s *session) clear() {
	s.photos = nil
	s.thumbs = map[*vet.Photo]image.Image{}
	s.exported = map[*vet.Photo]string{}
	s.place = map[string]int{}
	s.running, s.pending = nil, nil
	s.apart = map[facePlace]bool{}
}

// unexported returns how many cleared photos have not been exported.
func (s *session) unexported() int {
	n := 0
	for _, p := range s.photos {
		if p.Status == vet.Cleared && s.exported[p] == "" {
			n++
		}
	}
	return n
}

// counts returns how many photos each status shows (shownStatus): every
// photo is counted once, so the counts add up to the batch.
func (s *session) counts() map[vet.Status]int {
	c := map[vet.Status]int{}
	for _, p := range s.photos {
		c[shownStatus(p)]++
	}
	return c
}

// toReview reports whether p is on the reviewer's list: it needs review,
// or it is blocked (by a missing photographer, say) while its faces wait
// for the reviewer all the same. Listed only under Blocked, a batch shot
// before the photographer was set would read "0 need review" with every
// face still undecided.
func toReview(p *vet.Photo) bool {
	return p.Status == vet.NeedsReview || p.Status == vet.Blocked && p.WaitsForReviewer()
}

// shownStatus is the status the counts and the filter give p: a photo on
// the reviewer's list needs review, even when it is blocked as well (it
// counts as blocked once reviewed, if it still is); the status line read
// "20 need review, 20 blocked" for a batch of 20.
func shownStatus(p *vet.Photo) vet.Status {
	if toReview(p) {
		return vet.NeedsReview
	}
	return p.Status
}

// filtered returns the photos with the status (shownStatus), or all for
// "", as a list of its own: the batch may change under the grid that
// shows it.
func (s *session) filtered(status vet.Status) []*vet.Photo {
	if status == "" {
		return slices.Clone(s.photos)
	}
	var out []*vet.Photo
	for _, p := range s.photos {
		if shownStatus(p) == status {
			out = append(out, p)
		}
	}
	return out
}

// nextNeedingReview returns the first photo after from (wrapping around)
// that needs review, or nil.
func (s *session) nextNeedingReview(from *vet.Photo) *vet.Photo {
	start := slices.Index(s.photos, from)
	for i := 1; i <= len(s.photos); i++ {
		p := s.photos[(start+i+len(s.photos))%len(s.photos)]
		if toReview(p) && p != from {
			return p
		}
	}
	return nil
}

// neighbour returns the photo step places from p (-1 previous, 1 next),
// or nil at either end.
func (s *session) neighbour(p *vet.Photo, step int) *vet.Photo {
	i := slices.Index(s.photos, p) + step
	if i < 0 || i >= len(s.photos) || slices.Index(s.photos, p) < 0 {
		return nil
	}
	return s.photos[i]
}

// people returns the register's people sorted by name, for choosing who a
// face is.
func (s *session) people() []*consent.Person {
	if s.Register == nil {
		return nil
	}
	var out []*consent.Person
	for _, p := range s.Register.People {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *consent.Person) int {
		if c := compareFold(a.DisplayName(), b.DisplayName()); c != 0 {
			return c
		}
		return compareFold(a.ID, b.ID)
	})
	return out
}

// thumbnail scales a photo's preview down for the grid.
func thumbnail(p *vet.Photo) image.Image {
	img, err := p.PreviewImage()
	if err != nil {
		return nil
	}
	return imaging.Fit(img, thumbSize, thumbSize, imaging.Linear)
}

func compareFold(a, b string) int {
	return strings.Compare(strings.ToLower(a), strings.ToLower(b))
}
