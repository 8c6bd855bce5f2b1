package app

import (
	"context"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/photovet/photovet/vet"
)

// photographerBar says who took the batch's photos and what they permit
// (R5), and offers to set it.
type photographerBar struct {
	widget.BaseWidget
	label *widget.Label
	edit  *widget.Button
}

func newPhotographerBar(edit func([]*vet.Photo)) *photographerBar {
	b := &photographerBar{label: widget.NewLabel("")}
	b.label.Wrapping = fyne.TextWrapWord
	b.edit = widget.NewButtonWithIcon(lang.L("Set photographer..."), theme.AccountIcon(), func() { edit(nil) })
	b.ExtendBaseWidget(b)
	b.show(nil, vet.Job{})
	return b
}

// show describes the photographers of photos for the job's channel, or
// the job's photographer (for the photos dropped from now on) while no
// photo says anything.
func (b *photographerBar) show(photos []*vet.Photo, job vet.Job) {
	channel := job.Channel
	names := map[string]bool{}
	var permitted, missing int
	for _, p := range photos {
		if !p.Error.IsZero() {
			continue
		}
		names[p.Photographer] = true
		if p.PhotographerPermits(job.Job) {
			permitted++
		} else {
			missing++
		}
	}
	// Failed photos are never published: with no other, no photo says
	// anything about the permission, which is not "every photo has it".
	switch checked := permitted + missing; {
	case checked == 0 && job.Photographer == "":
		b.label.SetText(lang.L("Photographer: not set yet. Every published photo needs the photographer's permission; set it before or after adding photos."))
	case checked == 0:
		b.label.SetText(lang.L("Photographer: {{.Name}}, who permits {{.Channels}}.", map[string]any{"Name": job.Photographer, "Channels": channelList(job.PhotographerChannels)}))
	case missing == 0:
		b.label.SetText(lang.L("Photographer: {{.Names}}. Permission for {{.Channel}}: yes, for every photo.", map[string]any{"Names": nameList(names), "Channel": channelName(channel)}))
	default:
		b.label.SetText(lang.N("Photographer: {{.Names}}. {{.Missing}} photos lack the photographer's permission for {{.Channel}}: choose \"Set photographer...\".",
			missing, map[string]any{"Names": nameList(names), "Missing": missing, "Channel": channelName(channel)}))
	}
	b.label.Importance = widget.MediumImportance
	if missing > 0 {
		b.label.Importance = widget.WarningImportance
	}
	b.label.Refresh()
}

func nameList(names map[string]bool) string {
	var list []string
	for n := range names {
		if n == "" {
			n = lang.L("not set")
		}
		list = append(list, n)
	}
	slices.Sort(list)
	return strings.Join(list, ", ")
}

func channelList(channels []string) string {
	if len(channels) == 0 {
		return lang.L("no channel")
	}
	names := make([]string, len(channels))
	for i, c := range channels {
		names[i] = channelName(c)
	}
	return strings.Join(names, ", ")
}

// CreateRenderer puts the button after the sentence.
func (b *photographerBar) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, widget.NewIcon(theme.MediaPhotoIcon()), b.edit, b.label))
}

// editPhotographer asks who took the photos and what they permit, and
// applies it to only (one photo from the review) or, when only is nil, to
// the whole batch and the photos dropped from now on.
func (w *mainWindow) editPhotographer(only []*vet.Photo) {
	ctx := context.Background()
	name := widget.NewEntry()
	name.SetPlaceHolder(lang.L("Name of who took the photos"))
	options := make([]string, len(w.channelIDs))
	for i, c := range w.channelIDs {
		options[i] = channelName(c)
	}
	channels := widget.NewCheckGroup(options, nil)
	channels.Horizontal = true
	setChannels := func(ids []string) {
		var sel []string
		for i, c := range w.channelIDs {
			if slices.Contains(ids, c) {
				sel = append(sel, options[i])
			}
		}
		channels.SetSelected(sel)
	}
	// Known photographers bring their recorded permission along.
	name.OnChanged = func(s string) {
		if ids, err := w.store.PhotographerChannels(ctx, strings.TrimSpace(s)); err == nil && len(ids) > 0 {
			setChannels(ids)
		}
	}
	start, startChannels := w.session.Job.Photographer, w.session.Job.PhotographerChannels
	scope := w.session.photos
	if only != nil {
		scope = only
	}
	for _, p := range scope {
		if p.Photographer != "" {
			start, startChannels = p.Photographer, p.PhotographerChannels
			break
		}
	}
	name.SetText(start)
	setChannels(startChannels)
	title := lang.L("Photographer of all photos")
	if only != nil {
		title = lang.L("Photographer of this photo")
	}
	explain := widget.NewLabel(lang.L("Photos may only be published where the photographer agreed. Tick every channel they permit; their answer is kept in the register."))
	explain.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Photographer"), name),
		widget.NewFormItem(lang.L("Permits"), channels),
	)
	d := dialog.NewCustomConfirm(title, lang.L("Apply"), lang.L("Cancel"), container.NewVBox(explain, form), func(ok bool) {
		if !ok {
			return
		}
		var ids []string
		for i, o := range options {
			if slices.Contains(channels.Selected, o) {
				ids = append(ids, w.channelIDs[i])
			}
		}
		w.applyPhotographer(only, name.Text, ids)
	}, w)
	// The name is what is typed first, and Enter applies it.
	name.OnSubmitted = func(string) { d.Confirm() }
	d.Resize(fyne.NewSize(720, 320))
	d.Show()
	w.Canvas().Focus(name)
}

// applyPhotographer records the photographer and their permitted channels
// and sets them on only, or on the whole batch and the photos dropped from
// now on when only is nil.
func (w *mainWindow) applyPhotographer(only []*vet.Photo, name string, channels []string) {
	var err error
	if only == nil {
		err = w.session.SetPhotographer(context.Background(), w.session.photos, name, channels)
	} else {
		err = w.session.Reviewer().SetPhotographer(context.Background(), only, name, channels)
	}
	if err != nil {
		w.showError(lang.L("The photographer could not be recorded."), err)
		return
	}
	w.photoChanged(nil)
	if w.review.photo != nil {
		w.review.show(w.review.photo)
	}
}
