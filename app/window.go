package app

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/msg"
	"github.com/photovet/photovet/vet"
)

// mainWindow is PhotoVet's main window: the batch settings on top, the
// photos (drop zone, grid, review) and the register in tabs.
type mainWindow struct {
	fyne.Window
	store        *consent.Store
	session      *session
	version      string
	modelProblem msg.Text

	status  *widget.Label
	warning *widget.Label // the model problem, nil when the models verify
	drop    *dropZone

	channel        *settingSelect
	channelIDs     []string // the register's channels, in the order of channel's options
	unit           *settingSelect
	photographer   *photographerBar
	exportButton   *widget.Button
	newBatchButton *widget.Button
	peopleButton   *widget.Button

	photos   *photosView
	review   *reviewView
	people   *peopleView
	register *registerView
	area     *fyne.Container // holds the drop zone, the grid or the review
	tabs     *container.AppTabs

	// batchFinished, when set, is called after a batch ended and the
	// window shows its result: tests wait on it.
	batchFinished func()
	// lookups counts the ledger's answers asked for by lookUpPublished
	// and not yet in, so tests can wait for them.
	lookups sync.WaitGroup
	// jobs counts the rounds of the batch's job changes asked for
	// (askRegister), so that only the answer to the last one is applied:
	// the round's goroutine drops a replaced answer before handing it to
	// the UI goroutine, which checks again (jobDecided). change is the
	// job change under way, nil when none is. Export waits for it.
	jobs   atomic.Int64
	change *jobChange
	// jobWork counts the changes of the job still being worked out, so
	// tests can wait for them.
	jobWork sync.WaitGroup
	// jobAnswers hands a job change's answer to Fyne's goroutine: fyne.Do.
	// Fyne's test driver runs fyne.Do at once on the calling goroutine,
	// where the answer would change widgets while the test is still
	// inside the tap that asked for it (a drop-down refreshes after its
	// callback): tests keep the answers until they wait for them.
	jobAnswers uiRunner
	// exportFinished, when set, is called with the summary an export
	// showed.
	exportFinished func(exportSummary)
	// batchFile keeps the batch for the next start; nil when the data
	// directory could not be found. saveFailed is set while keeping it
	// fails, so that the failure is shown once.
	batchFile  *vet.BatchFile
	saveFailed bool
}

// windowWidth and windowHeight are the size the window opens at (see
// newMainWindow). No view may need more: one that does widens the window
// (People in this batch made it 1,222 px wide in Dutch).
const (
	windowWidth  = 1180
	windowHeight = 680
)

// newMainWindow builds the main window over the register in store.
// modelProblem, when not zero, is shown as a warning because faces cannot
// be found without the models.
func newMainWindow(a fyne.App, store *consent.Store, faces *vet.Faces, version string, modelProblem msg.Text) *mainWindow {
	w := &mainWindow{Window: a.NewWindow("PhotoVet"), store: store, version: version, modelProblem: modelProblem, jobAnswers: fyneRunner{}}
	// The batch and the face detections are kept in the data directory;
	// without it the window works all the same, keeping neither.
	dataDir, dirErr := store.Dir(context.Background())
	if dirErr != nil {
		dataDir = ""
	} else {
		file := vet.NewBatchFile(dataDir)
		w.batchFile = &file
	}
	session, sessionErr := newSession(store, faces, dataDir)
	w.session = session
	w.build()
	if err := errors.Join(dirErr, sessionErr); err != nil {
		w.showError(lang.L("PhotoVet cannot keep this batch for its next start."), err)
	}
	w.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) { w.addURIs(uris) })
	w.SetCloseIntercept(w.askClose)
	w.Canvas().SetOnTypedKey(w.typedKey)
	// A 1366x768 school laptop leaves a window about 680 px under its
	// title bar and above the taskbar (TestWindowFitsALaptop).
	w.Resize(fyne.NewSize(windowWidth, windowHeight))
	// Last, off the UI goroutine: the answer changes the widgets. The
	// register's tab reads the register when it is opened.
	w.loadJob()
	return w
}

// restoreBatch brings back the batch kept from last time: its channel,
// unit and photographer, then its photos, processed again (without
// searching them for faces again: the detections were kept) with their
// review from the register and their exports. From then on the batch is
// kept as it changes. Run calls it once the window is up.
func (w *mainWindow) restoreBatch() {
	if w.batchFile == nil {
		return
	}
	b, err := w.batchFile.Load()
	w.session.file = w.batchFile
	if err != nil {
		w.showError(lang.L("The batch from last time could not be restored."), err)
		return
	}
	// The batch's photos are processed for the job kept (they find the
	// reviews saved for its channel), and decided for it once the
	// register answers (applyJob).
	if b.Channel != "" {
		w.session.Job.Channel = b.Channel
	}
	if b.Unit != "" {
		w.session.Job.Unit = b.Unit
	}
	if b.Photographer != "" {
		w.session.Job.Photographer, w.session.Job.PhotographerChannels = b.Photographer, b.PhotographerChannels
	}
	fresh := w.session.restore(b)
	if len(fresh) > 0 {
		w.drop.setCount(w.session.size())
		w.status.SetText(lang.N("The batch from last time comes back: {{.Count}} photos.", len(fresh), map[string]any{"Count": len(fresh)}))
	}
	w.applyJob(w.session.Job.Job) // a channel no longer in the settings gives way to the first one
	if len(fresh) > 0 {
		// Processed once the register answered: for the job it allows.
		w.change.then = append(w.change.then, func() { w.process(fresh) })
	}
}

// saveBatch keeps the batch as it is now for the next start; every change
// of the batch (photos, review, job, photographer, exports) ends in
// refreshPhotos, which calls it. A failure is shown once, until saving
// works again.
func (w *mainWindow) saveBatch() {
	if w.session.file == nil {
		return
	}
	err := w.session.file.Save(w.session.openBatch())
	if err != nil && !w.saveFailed {
		w.showError(lang.L("PhotoVet cannot keep this batch for its next start."), err)
	}
	w.saveFailed = err != nil
}

// askClose is what closing the window does: while photos are being
// processed, or cleared photos have not been exported, it asks first. The
// batch is kept either way and comes back at the next start.
func (w *mainWindow) askClose() {
	running := w.session.cancel != nil
	unexported := w.session.unexported()
	if !running && unexported == 0 {
		w.closeNow()
		return
	}
	var lines []string
	if running {
		lines = append(lines, lang.L("Photos are still being looked at for faces."))
	}
	if unexported > 0 {
		lines = append(lines, lang.N("{{.Count}} cleared photos have not been exported yet.", unexported, map[string]any{"Count": unexported}))
	}
	lines = append(lines, lang.L("Close PhotoVet anyway? The batch is kept with your review and comes back when you open PhotoVet again."))
	text := widget.NewLabel(strings.Join(lines, " "))
	text.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(lang.L("Close PhotoVet?"), lang.L("Close PhotoVet"), lang.L("Keep working"), text, func(ok bool) {
		if ok {
			w.closeNow()
		}
	}, w)
	d.Resize(fyne.NewSize(520, 0))
	d.Show()
}

// closeNow keeps the batch as it is, its unprocessed photos included,
// then stops its processing and closes the window. The batch is not kept
// again after that: the stopped processing would take those photos out.
func (w *mainWindow) closeNow() {
	w.saveBatch()
	w.session.file = nil
	w.cancelBatch()
	w.Close()
}

// build makes the window's widgets and content in the current language
// from the session; it runs again when the language changes.
func (w *mainWindow) build() {
	w.status = widget.NewLabel("")
	w.status.Wrapping = fyne.TextWrapWord
	w.drop = newDropZone()
	w.drop.setCount(w.session.size())

	var add *widget.Button
	add = widget.NewButtonWithIcon(lang.L("Add photos..."), theme.FolderOpenIcon(), func() { w.askWhatToAdd(add) })
	add.Importance = widget.HighImportance
	w.exportButton = widget.NewButtonWithIcon(lang.L("Export cleared photos..."), theme.DocumentSaveIcon(), w.chooseExportFolder)
	w.exportButton.Disable()
	w.newBatchButton = widget.NewButtonWithIcon(lang.L("New batch"), theme.ContentClearIcon(), w.askNewBatch)
	w.newBatchButton.Disable()
	w.peopleButton = widget.NewButtonWithIcon(lang.L("People in this batch (P)"), theme.AccountIcon(), w.openPeople)
	w.peopleButton.Disable()

	w.channel = newSettingSelect(w.Canvas(), w.chooseChannel, w.typedKey)
	w.unit = newSettingSelect(w.Canvas(), w.chooseUnit, w.typedKey)
	w.photographer = newPhotographerBar(w.editPhotographer)
	w.photos = newPhotosView(w.session, w.openReview, w.cancelBatch)
	w.review = newReviewView(w, w.session, w.closeReview, w.photoChanged)
	if w.people != nil {
		w.people.close()
	}
	w.people = newPeopleView(w, w.session, w.closePeople)
	w.register = newRegisterView(w.Window, w.store, w.session.Faces)
	w.register.languageChanged = w.rebuild

	settings := container.NewHBox(
		widget.NewLabel(lang.L("Publish on")), w.channel,
		widget.NewLabel(lang.L("Unit")), w.unit,
	)
	actions := container.NewHBox(add, w.exportButton, w.newBatchButton)
	// The people button shares the photographer's line: the first line
	// has no room left in Dutch at 1,280 pixels.
	header := container.NewVBox(container.NewBorder(nil, nil, settings, actions), container.NewBorder(nil, nil, nil, w.peopleButton, w.photographer))
	w.warning = nil
	if !w.modelProblem.IsZero() {
		w.warning = widget.NewLabel(tr(w.modelProblem))
		w.warning.Wrapping = fyne.TextWrapWord
		w.warning.Importance = widget.DangerImportance
		header.Add(widget.NewCard("", "", container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil, w.warning)))
	}
	w.area = container.NewStack(container.NewPadded(w.drop))
	photosTab := container.NewBorder(header, nil, nil, nil, w.area)
	w.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(lang.L("Photos"), theme.MediaPhotoIcon(), photosTab),
		container.NewTabItemWithIcon(lang.L("Consent register"), theme.AccountIcon(), w.register.content()),
	)
	w.tabs.OnSelected = func(t *container.TabItem) {
		if t == w.tabs.Items[1] {
			w.register.refresh()
		} else {
			w.loadJob() // the register may have changed
		}
	}
	footer := container.NewBorder(nil, nil, nil, widget.NewLabel("PhotoVet "+w.version), w.status)
	w.SetContent(container.NewBorder(nil, footer, nil, nil, w.tabs))
	// The job the photos are decided for, until the register answers
	// loadJob: a language switch built the selectors again, empty.
	w.fillSelectors()
	w.channel.show(slices.Index(w.channelIDs, w.session.Job.Job.Channel))
	w.unit.show(slices.Index(units(), w.session.Job.Job.Unit))
	if len(w.session.photos) > 0 {
		w.showArea(w.photos)
	}
}

// rebuild builds the window again after a language switch, keeping the
// batch, the job and the tab the teacher was on.
func (w *mainWindow) rebuild() {
	tab, reviewing := w.tabs.SelectedIndex(), w.review.photo
	w.build() // shows the session's job, as decided
	selected := w.tabs.OnSelected
	w.tabs.OnSelected = nil // the register is read below, last
	w.tabs.SelectIndex(tab)
	w.tabs.OnSelected = selected
	if tab == 1 { // the switch was made in the register's settings
		w.register.tabs.SelectIndex(len(w.register.tabs.Items) - 1)
	}
	if reviewing != nil {
		w.openReview(reviewing)
	}
	if tab == 1 {
		// Last, off the UI goroutine: the answer changes the view.
		w.register.refresh()
	}
}

// loadJob reads the register again for the job the teacher wants (the
// register may have changed): the channel and unit selectors get the
// register's channels, and the current channel is kept when it still
// exists, else the first one is taken. It runs when the window opens and
// when the teacher comes back to the Photos tab.
func (w *mainWindow) loadJob() {
	w.applyJob(w.wantedJob())
}

// wantedJob is the job the teacher chose last: the one being applied,
// or the batch's when none is.
func (w *mainWindow) wantedJob() consent.Job {
	if w.change != nil {
		return w.change.job
	}
	return w.session.Job.Job
}

// chooseChannel is the teacher's choice of channel i in the selector.
func (w *mainWindow) chooseChannel(i int) {
	job := w.wantedJob()
	job.Channel = w.channelIDs[i]
	w.askJob(job)
}

// chooseUnit is the teacher's choice of unit type i in the selector.
func (w *mainWindow) chooseUnit(i int) {
	job := w.wantedJob()
	job.Unit = units()[i]
	w.askJob(job)
}

// askJob applies a job the teacher chose; while photos are in the batch
// (decided or still being processed) it asks first, because every photo
// is then decided again and who is hidden can change.
func (w *mainWindow) askJob(job consent.Job) {
	current := w.session.Job.Job
	n := w.session.size()
	if wanted := w.wantedJob(); job.Channel == wanted.Channel && job.Unit == wanted.Unit {
		return
	}
	if n == 0 || current.Channel == "" || job.Channel == current.Channel && job.Unit == current.Unit {
		// Back to the job the photos are decided for: nothing changes
		// for them, only the change under way is left.
		w.applyJob(job)
		return
	}
	var title, text, keep string
	switch {
	case job.Channel != current.Channel:
		title = lang.L("Publish on {{.Channel}}?", map[string]any{"Channel": channelName(job.Channel)})
		text = lang.L("The photos in this batch ({{.Count}}) are checked for {{.Old}}. They will all be checked again for {{.New}}, including those still being processed: who is hidden, and which photos may be exported, can change.",
			map[string]any{"Count": n, "Old": channelName(current.Channel), "New": channelName(job.Channel)})
		keep = lang.L("Keep {{.Setting}}", map[string]any{"Setting": channelName(current.Channel)})
	default:
		title = lang.L("Change the unit to {{.Unit}}?", map[string]any{"Unit": unitLabel(job.Unit)})
		text = lang.L("The photos in this batch ({{.Count}}) are checked with the rules for {{.Old}}. They will all be checked again with the rules for {{.New}}, including those still being processed: who is hidden, and which photos may be exported, can change.",
			map[string]any{"Count": n, "Old": unitLabel(current.Unit), "New": unitLabel(job.Unit)})
		keep = lang.L("Keep {{.Setting}}", map[string]any{"Setting": unitLabel(current.Unit)})
	}
	msg := widget.NewLabel(text)
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(title, lang.L("Change and check again"), keep, msg, func(ok bool) {
		if ok {
			w.applyJob(job)
		}
	}, w)
	d.Resize(fyne.NewSize(520, 0))
	d.Show()
}

// jobChange is a change of the batch's job under way: the register is
// read for it and the photos are decided for it off the UI goroutine
// (decideJob), in rounds; the photos change only once every photo of the
// batch has its copy decided for the job.
type jobChange struct {
	job consent.Job // as asked, then as the register's settings allow it
	// decided holds, per photo, its copy decided for the job and the
	// photo's review mark when it was copied.
	decided map[*vet.Photo]decidedCopy
	// keepErr is the first review that could not be carried over.
	keepErr error
	cancel  context.CancelFunc
	// status is what the status line said before the change, busy what
	// it says during it (showJobBusy).
	status, busy string
	// then is what waits for the job to be applied (a batch kept from
	// last time, to be processed for it); a change that replaces this one
	// takes it over.
	then []func()
}

// decidedCopy is a photo's copy decided for a job change, and the
// photo's review mark when it was copied.
type decidedCopy struct {
	copy *vet.Photo
	mark vet.ReviewMark
}

// applyJob sets the channel and unit for today and decides every photo
// again: it reads the register, and carries the photos' reviews over to
// a new channel, off the UI goroutine (askRegister). Until the answer is
// in, the selectors show the job the photos are decided for, the status
// line says what is being checked, and Export waits; a later change
// replaces this one.
func (w *mainWindow) applyJob(job consent.Job) {
	job.Date = consent.Today()
	replaced := w.change
	status := w.status.Text
	var then []func()
	if replaced != nil {
		status, then = replaced.status, replaced.then
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.change = &jobChange{job: job, decided: map[*vet.Photo]decidedCopy{}, cancel: cancel, status: status, then: then}
	w.showJobBusy()
	w.refreshPhotos() // Export waits
	w.askRegister(ctx, w.session.photos)
	if replaced != nil {
		replaced.cancel() // after askRegister counted: its answer is dropped
	}
}

// askRegister starts a round of the job change under way: it reads the
// register and decides copies of photos for the change's job, in the
// background, and hands the answer to jobDecided.
func (w *mainWindow) askRegister(ctx context.Context, photos []*vet.Photo) {
	asked, job, vetting, answers := w.jobs.Add(1), w.change.job, w.session.Session, w.jobAnswers
	d := copyForJob(photos)
	w.jobWork.Add(1)
	go func() {
		defer w.jobWork.Done()
		d := decideJob(ctx, vetting, job, d)
		if w.jobs.Load() == asked {
			answers.Do(func() { w.jobDecided(asked, d) })
		}
	}()
}

// uiRunner runs functions on Fyne's goroutine.
type uiRunner interface{ Do(f func()) }

// fyneRunner is Fyne's own: fyne.Do.
type fyneRunner struct{}

func (fyneRunner) Do(f func()) { fyne.Do(f) }

// showJobBusy says in the status line that the photos are being checked
// for the job under way; Export waits meanwhile.
func (w *mainWindow) showJobBusy() {
	c := w.change
	c.busy = lang.L("Reading the consent register...")
	if c.job.Channel != "" && (len(w.session.photos) > 0 || w.session.cancel != nil) {
		c.busy = lang.L("Checking the photos for {{.Channel}} ({{.Unit}}) against the consent register. Export waits until this is done.",
			map[string]any{"Channel": channelName(c.job.Channel), "Unit": unitLabel(c.job.Unit)})
	}
	w.status.SetText(c.busy)
}

// jobDecided takes a round's answer (askRegister), unless the teacher
// asked for another job since: an answer for a job left since must not
// decide the photos. Photos the reviewer changed since they were copied,
// and photos added since, are asked about again; once every photo of the
// batch has a copy decided for the job, the job applies (applyDecided).
func (w *mainWindow) jobDecided(asked int64, d decidedJob) {
	c := w.change
	if c == nil || asked != w.jobs.Load() {
		return
	}
	if job := d.vetting.Job.Job; job.Channel != c.job.Channel || job.Unit != c.job.Unit {
		// The register's settings moved the job (its channel was
		// removed, say): copies decided for it as it was are not for
		// this one.
		clear(c.decided)
		c.job = job
	}
	if d.keepErr != nil && c.keepErr == nil {
		c.keepErr = d.keepErr
	}
	for i, p := range d.photos {
		c.decided[p] = decidedCopy{copy: d.copies[i], mark: d.marks[i]}
	}
	var again []*vet.Photo
	for _, p := range w.session.photos {
		if dc, ok := c.decided[p]; !ok || dc.mark != p.ReviewMark() {
			again = append(again, p)
		}
	}
	if d.vetting.Register != nil {
		w.showChannels(d.vetting.Register.Settings)
	}
	if len(again) > 0 {
		w.showJobBusy()
		c.cancel()
		ctx, cancel := context.WithCancel(context.Background())
		c.cancel = cancel
		w.askRegister(ctx, again)
		return
	}
	w.applyDecided(d)
}

// showChannels fills the channel and unit selectors from the register's
// settings.
func (w *mainWindow) showChannels(set consent.Settings) {
	w.channelIDs = set.Channels
	w.fillSelectors()
}

// fillSelectors gives the channel and unit selectors their options: the
// register's channels as last read, and the unit types.
func (w *mainWindow) fillSelectors() {
	options := make([]string, len(w.channelIDs))
	for i, c := range w.channelIDs {
		options[i] = channelName(c)
	}
	w.channel.setOptions(options)
	var unitOptions []string
	for _, u := range units() {
		unitOptions = append(unitOptions, unitLabel(u))
	}
	w.unit.setOptions(unitOptions)
}

// applyDecided applies the job change under way, as last read (d): the
// register and the job become the batch's, every photo takes its copy
// decided for the job, the selectors show the job, and Export is offered
// again. When the register could not be read, every face stays hidden
// (R4) and the teacher is told.
func (w *mainWindow) applyDecided(d decidedJob) {
	c := w.change
	w.change = nil
	c.cancel()
	channelChanged := c.job.Channel != w.session.Job.Job.Channel
	w.session.Register, w.session.Job.Job, w.session.Job.Style = d.vetting.Register, c.job, d.vetting.Job.Style
	for _, p := range w.session.photos {
		*p = *c.decided[p].copy
		// Decided against the register as read last, as every other.
		p.Decide(w.session.Register, w.session.Job.Job)
		if channelChanged {
			// Published on the channel before? The ledger says
			// (lookUpPublished).
			delete(w.session.exported, p)
		}
	}
	if w.status.Text == c.busy { // else something newer is said there
		w.status.SetText(c.status)
	}
	switch {
	case d.readErr != nil:
		w.showError(lang.L("The consent register could not be read: every face stays hidden."), d.readErr)
	case c.keepErr != nil:
		w.showError(lang.L("Your review could not be kept for {{.Channel}}: the photos are checked for it, but what you decided may be gone after a restart.", map[string]any{"Channel": channelName(c.job.Channel)}), c.keepErr)
	}
	w.channel.show(slices.Index(w.channelIDs, c.job.Channel))
	w.unit.show(slices.Index(units(), c.job.Unit))
	w.photoChanged(nil) // the counts in the status line change with the rules
	if w.review.photo != nil {
		w.review.show(w.review.photo)
	}
	if channelChanged {
		w.lookUpPublished(w.session.photos)
	}
	for _, f := range c.then {
		f()
	}
}

// addURIs takes dropped or chosen files and folders and starts processing
// the photos among them. The window's drop callback only forwards here, so
// tests can drive it directly.
func (w *mainWindow) addURIs(uris []fyne.URI) {
	paths := make([]string, 0, len(uris))
	for _, u := range uris {
		if u.Scheme() == "file" {
			paths = append(paths, u.Path())
		}
	}
	c := vet.Collect(paths)
	fresh := w.session.newPaths(c.Photos)
	w.showCollection(c)
	if len(fresh) > 0 {
		w.process(fresh)
	}
}

func (w *mainWindow) showCollection(c vet.Collection) {
	msg := lang.N("{{.Count}} photos found.", len(c.Photos), map[string]any{"Count": len(c.Photos)})
	if skipped := len(c.Skipped) + len(c.Unreadable); skipped > 0 {
		msg = lang.N("{{.Count}} photos found; other files skipped: {{.Skipped}}.", len(c.Photos), map[string]any{"Count": len(c.Photos), "Skipped": skipped})
	}
	w.status.SetText(msg)
	w.drop.setCount(w.session.size())
}

// process runs the batch over photos in a worker; each photo appears in
// the grid as soon as it is done.
func (w *mainWindow) process(photos []vet.OpenPhoto) {
	if w.session.cancel != nil { // one batch at a time: the next waits
		w.session.pending = append(w.session.pending, photos...)
		w.saveBatch()
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.session.cancel = cancel
	w.session.running = append(w.session.running, photos...)
	w.saveBatch()
	w.newBatchButton.Disable()
	w.showArea(w.photos)
	w.photos.start(len(photos))
	vetting := w.session.Session
	go func() {
		defer cancel()
		b, err := vetting.Batch(ctx)
		if err != nil {
			fyne.Do(func() { w.batchDone(err) })
			return
		}
		b.Progress = func(pr vet.Progress) {
			thumb := thumbnail(pr.Photo)
			pub := askLedger(vetting.Store, vetting.Job.Job.Channel, pr.Photo.SHA256)
			fyne.Do(func() {
				if !w.session.add(pr.Photo, thumb, pub) {
					w.lookUpPublished([]*vet.Photo{pr.Photo})
				}
				w.photos.progress(pr.Done, pr.Total)
				w.refreshPhotos()
			})
		}
		_, err = b.Resume(ctx, photos)
		fyne.Do(func() { w.batchDone(err) })
	}()
}

// lookUpPublished asks the ledger, off the UI goroutine, where photos
// were first published on the batch's channel, and badges those it
// names (publishedFound). Until then they count as waiting for export.
func (w *mainWindow) lookUpPublished(photos []*vet.Photo) {
	store, channel := w.session.Store, w.session.Job.Job.Channel
	sums := map[*vet.Photo]string{}
	for _, p := range photos {
		if p.Error.IsZero() && w.session.exported[p] == "" {
			sums[p] = p.SHA256
		}
	}
	if store == nil || len(sums) == 0 {
		return
	}
	w.lookups.Add(1)
	go func() {
		defer w.lookups.Done()
		found := map[*vet.Photo]publication{}
		for p, sum := range sums {
			if pub := askLedger(store, channel, sum); pub.path != "" {
				found[p] = pub
			}
		}
		if len(found) > 0 {
			fyne.Do(func() { w.publishedFound(found) })
		}
	}()
}

// publishedFound badges the photos lookUpPublished found published, those
// still in the batch, when the channel is still the one asked about.
func (w *mainWindow) publishedFound(found map[*vet.Photo]publication) {
	changed := false
	for _, p := range w.session.photos {
		if pub, ok := found[p]; ok && w.session.exported[p] == "" && w.session.markPublished(p, pub) {
			changed = true
		}
	}
	if changed {
		w.refreshPhotos()
	}
}

func (w *mainWindow) batchDone(err error) {
	w.session.cancel = nil
	w.photos.stop()
	if next := w.session.pending; len(next) > 0 && err == nil {
		w.session.pending = nil
		w.process(next)
		return
	}
	// After a failure of the whole batch (the face models, the register)
	// its photos stay in it unprocessed, and are kept for the next start;
	// photos the teacher stopped are taken out, to be dropped again.
	if err == nil || errors.Is(err, context.Canceled) {
		w.session.pending = nil
		w.session.forgetUnprocessed()
	}
	switch {
	case errors.Is(err, context.Canceled):
		w.status.SetText(lang.L("Stopped. The photos done so far are shown; drop the folder again to go on."))
	case err != nil:
		w.showError(lang.L("The photos could not be processed."), err)
	default:
		w.showCounts()
	}
	w.photographer.show(w.session.photos, w.session.Job)
	w.refreshPhotos()
	if w.batchFinished != nil {
		w.batchFinished()
	}
}

func (w *mainWindow) cancelBatch() {
	if w.session.cancel != nil {
		w.session.cancel()
	}
}

// refreshPhotos updates the grid, the counts and the buttons, and keeps
// the batch for the next start.
func (w *mainWindow) refreshPhotos() {
	w.saveBatch()
	w.photos.refresh()
	// While the job changes, the photos are still decided for the one
	// before: nothing is exported under those decisions for the new one.
	if w.session.counts()[vet.Cleared] > 0 && w.change == nil {
		w.exportButton.Enable()
	} else {
		w.exportButton.Disable()
	}
	if len(w.session.photos) > 0 && w.session.cancel == nil {
		w.newBatchButton.Enable()
	} else {
		w.newBatchButton.Disable()
	}
	if len(w.session.photos) > 0 {
		w.peopleButton.Enable()
	} else {
		w.peopleButton.Disable()
	}
}

// askNewBatch starts a new batch, first asking when cleared photos have
// not been exported.
func (w *mainWindow) askNewBatch() {
	n := w.session.unexported()
	if n == 0 {
		w.newBatch()
		return
	}
	msg := widget.NewLabel(lang.N("{{.Count}} cleared photos have not been exported yet. Start a new batch anyway? Your review is kept: adding the same photos again brings it back.",
		n, map[string]any{"Count": n}))
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(lang.L("Start a new batch?"), lang.L("New batch"), lang.L("Cancel"), msg, func(ok bool) {
		if ok {
			w.newBatch()
		}
	}, w)
	d.Resize(fyne.NewSize(480, 0))
	d.Show()
}

// newBatch clears the photos, so that the next drop starts afresh.
func (w *mainWindow) newBatch() {
	if w.session.cancel != nil {
		return // the button is disabled while a batch runs
	}
	w.session.clear()
	w.session.NewBatch()
	w.review.photo = nil
	w.people.close()
	w.drop.setCount(0)
	w.showArea(container.NewPadded(w.drop))
	w.photographer.show(w.session.photos, w.session.Job)
	w.refreshPhotos()
	w.status.SetText(lang.L("Ready for the next photos."))
}

// photoChanged is called after the reviewer changed a photo, or the
// rules that decide them all changed.
func (w *mainWindow) photoChanged(*vet.Photo) {
	w.photographer.show(w.session.photos, w.session.Job)
	w.refreshPhotos()
	if w.session.cancel == nil {
		w.showCounts()
	}
}

// showCounts says in the status line where the batch stands, or that
// the photos are being checked for a job under way.
func (w *mainWindow) showCounts() {
	if w.change != nil {
		w.showJobBusy()
		return
	}
	c := w.session.counts()
	text := lang.L("Done: {{.Cleared}} cleared, {{.Review}} need review, {{.Blocked}} blocked.",
		map[string]any{"Cleared": c[vet.Cleared], "Review": c[vet.NeedsReview], "Blocked": c[vet.Blocked]})
	if n := c[vet.Failed]; n > 0 {
		text += " " + lang.L("Files that could not be read: {{.Count}}.", map[string]any{"Count": n})
	}
	w.status.SetText(text)
}

func (w *mainWindow) showArea(o fyne.CanvasObject) {
	w.area.Objects = []fyne.CanvasObject{o}
	w.area.Refresh()
}

func (w *mainWindow) openReview(p *vet.Photo) {
	w.review.show(p)
	w.showArea(w.review)
	w.Canvas().Focus(nil)
}

func (w *mainWindow) closeReview() {
	w.review.photo = nil
	w.showArea(w.photos)
	w.refreshPhotos()
}

// typedKey is the keyboard of the Photos tab: P for the people in this
// batch (Escape back from there); in the review arrows, N for the next
// photo that needs review, B for before/after, Delete for the selected
// box, Escape back to all photos. The setting drop-downs hand their keys
// here too. Keys pressed while a dialog is open do nothing behind it.
func (w *mainWindow) typedKey(e *fyne.KeyEvent) {
	if w.tabs.SelectedIndex() != 0 || w.Canvas().Overlays().Top() != nil {
		return
	}
	switch {
	case w.showing(w.people):
		w.people.typedKey(e)
	case e.Name == fyne.KeyP:
		w.openPeople()
	case w.review.photo != nil:
		w.review.typedKey(e)
	}
}

// showError tells the teacher what could not be done, with the error's
// details below.
func (w *mainWindow) showError(what string, err error) {
	showProblem(w, what, err)
}

// chooseFolder asks for a folder of photos and adds them.
func (w *mainWindow) chooseFolder() {
	showFolderDialog(w, forPhotos, lang.L("Choose a folder of photos to vet"), lang.L("Add these photos"), func(dir string) { w.addURIs([]fyne.URI{storage.NewFileURI(dir)}) },
		func(err error) { w.showError(lang.L("The folder could not be opened."), err) })
}

// choosePhotoFiles asks for photos one by one and adds each.
func (w *mainWindow) choosePhotoFiles() {
	showPhotoFilesDialog(w, func(path string) { w.addURIs([]fyne.URI{storage.NewFileURI(path)}) },
		func(err error) { w.showError(lang.L("The file could not be opened."), err) })
}

// askWhatToAdd offers a whole folder or chosen photos, below the button.
func (w *mainWindow) askWhatToAdd(button fyne.CanvasObject) {
	menu := fyne.NewMenu("",
		fyne.NewMenuItem(lang.L("A whole folder..."), w.chooseFolder),
		fyne.NewMenuItem(lang.L("Chosen photos..."), w.choosePhotoFiles))
	widget.ShowPopUpMenuAtRelativePosition(menu, w.Canvas(), fyne.NewPos(0, button.Size().Height), button)
}
