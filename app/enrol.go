package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/vet"
)

// The portrait enrolment of the register: reference faces of the people
// with a face recognition opt-in (R9), from a folder of portraits named by
// id, in the background.

// choosePortraits asks for the folder of portraits and enrols them.
func (v *registerView) choosePortraits() {
	showFolderDialog(v.win, forPortraits, lang.L("Choose the folder of portraits"), lang.L("Enrol these portraits"), v.enrol, func(err error) { v.showError(lang.L("The folder could not be opened."), err) })
}

// enrol stores reference faces from the portraits in dir (see vet.Enroll).
// It runs in the background and shows the result when done.
func (v *registerView) enrol(dir string) {
	ctx, cancel := context.WithCancel(v.ctx)
	if !v.startJob(lang.L("Preparing face recognition..."), cancel) {
		cancel()
		return
	}
	faces := v.faces
	v.work.Add(1)
	go func() {
		defer v.work.Done()
		defer cancel()
		result, err := v.enrolPortraits(ctx, faces, dir)
		fyne.Do(func() { v.enrolDone(result, err) })
	}()
}

// enrolDone ends the enrolment: the table shows who is recognised now,
// and a dialog who was enrolled and why the others were not.
func (v *registerView) enrolDone(result []vet.Enrolment, err error) {
	v.endJob()
	v.showEnrolment(result, err)
	v.refresh() // last: its answer changes the view
}

// errNoFaceFinder marks an enrolment that failed because the face finder
// could not be loaded, not because of the portraits.
var errNoFaceFinder = errors.New("face recognition is not available")

// enrolPortraits is enrol's background work: it loads the face finder from
// faces and enrols the portraits in dir.
func (v *registerView) enrolPortraits(ctx context.Context, faces *vet.Faces, dir string) ([]vet.Enrolment, error) {
	if faces == nil {
		return nil, errNoFaceFinder
	}
	finder, workers, err := faces.Finder()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errNoFaceFinder, err)
	}
	fyne.Do(func() { v.progress.say(lang.L("Reading the portraits...")) })
	result, err := vet.Enroll(ctx, v.store, finder, workers, dir, func(p vet.Progress) {
		fyne.Do(func() { v.progress.set(p.Done, p.Total) })
	})
	if err != nil {
		return nil, fmt.Errorf("enrol portraits: %w", err)
	}
	return result, nil
}

// showEnrolment tells the teacher who was enrolled and why the others were
// not.
func (v *registerView) showEnrolment(result []vet.Enrolment, err error) {
	switch {
	case errors.Is(err, context.Canceled):
		v.showResult(lang.L("Enrolment stopped"), lang.L("Enrolment was stopped. No face data was stored."))
		return
	case errors.Is(err, errNoFaceFinder):
		v.showError(lang.L("Face recognition is not ready on this computer, so no portraits can be enrolled yet. Ask your IT contact to install the face models (see the warning on the Photos tab)."), err)
		return
	case err != nil:
		v.showError(lang.L("The portraits could not be enrolled. Choose a folder of portrait photos named by each person's id, for example S-1001.jpg, or a folder per person named by their id."), err)
		return
	}
	var done, failed []string // failed: a line per person, then their problems
	notEnrolled := 0
	for _, e := range result {
		name := e.PersonID
		if v.reg != nil && v.reg.People[e.PersonID] != nil {
			name = v.reg.People[e.PersonID].DisplayName() + " (" + e.PersonID + ")"
		}
		if e.Enrolled() {
			done = append(done, name)
			continue
		}
		var why string
		switch {
		case errors.Is(e.Err, consent.ErrNoBiometricOptIn):
			why = lang.L("no face recognition opt-in is recorded, so PhotoVet may not store their face (they can still be assigned by hand)")
		case errors.Is(e.Err, consent.ErrNotFound):
			why = lang.L("nobody in the register has this id: name the portrait after the id in the roster")
		case e.Used == 0:
			why = lang.L("no usable portrait: a portrait must show exactly one face")
		default:
			why = errorText(e.Err)
		}
		notEnrolled++
		failed = append(failed, "• "+name+": "+why)
		for _, p := range e.Problems {
			failed = append(failed, "    "+tr(p))
		}
	}
	lines := []string{lang.L("People enrolled: {{.Count}}.", map[string]any{"Count": len(done)})}
	if len(done) > 0 {
		lines = append(lines, strings.Join(done, ", "))
	}
	if notEnrolled > 0 {
		lines = append(lines, "", lang.L("Not enrolled: {{.Count}}.", map[string]any{"Count": notEnrolled}))
		lines = append(lines, failed...)
	}
	lines = append(lines, "", lang.L("Next: drop photos on the main window. PhotoVet now recognises the enrolled people."))
	v.showResult(lang.L("Portraits enrolled"), lines...)
}
