package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// jobProgress is the register's progress line for its one background job
// at a time (a roster import, an enrolment): what is being done, how far,
// and Cancel for the jobs that can stop. Hidden while idle. Its methods
// run on the UI goroutine; the job reaches them through fyne.Do.
type jobProgress struct {
	box    *fyne.Container
	label  *widget.Label
	bar    *widget.ProgressBar
	cancel *widget.Button
	stop   context.CancelFunc // stops the running job; nil when it cannot be stopped
}

func newJobProgress() *jobProgress {
	p := &jobProgress{label: widget.NewLabel(""), bar: widget.NewProgressBar()}
	p.cancel = widget.NewButton(lang.L("Cancel"), p.stopJob)
	p.box = container.NewBorder(nil, nil, p.label, p.cancel, p.bar)
	p.box.Hide()
	return p
}

// running reports whether a job is under way.
func (p *jobProgress) running() bool { return p.box.Visible() }

// start shows the progress of a job described by what; stop, when not
// nil, is what Cancel calls.
func (p *jobProgress) start(what string, stop context.CancelFunc) {
	p.stop = stop
	p.label.SetText(what)
	p.bar.SetValue(0)
	if stop == nil {
		p.cancel.Hide()
	} else {
		p.cancel.Show()
	}
	p.box.Show()
}

// say replaces the description of the running job.
func (p *jobProgress) say(what string) { p.label.SetText(what) }

// set shows done of total steps.
func (p *jobProgress) set(done, total int) {
	if total > 0 {
		p.bar.SetValue(float64(done) / float64(total))
	}
}

// end hides the progress.
func (p *jobProgress) end() {
	p.stop = nil
	p.box.Hide()
}

func (p *jobProgress) stopJob() {
	if p.stop != nil {
		p.stop()
		p.label.SetText(lang.L("Stopping..."))
	}
}
