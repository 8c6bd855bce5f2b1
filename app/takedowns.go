package app

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/photovet/photovet/consent"
)

// takedownList is the register's Take-downs tab: the published photos of
// people who withdrew their consent (R7), each with a Done button.
type takedownList struct {
	widget.BaseWidget
	win   fyne.Window
	store *consent.Store
	ctx   context.Context
	today func() consent.Date
	// counted is called with the number of open tasks after each load,
	// for the tab's title.
	counted func(open int)

	tasks    []consent.Takedown
	hint     *widget.Label
	showDone *widget.Check
	list     *widget.List
}

func newTakedownList(ctx context.Context, win fyne.Window, store *consent.Store, today func() consent.Date, counted func(open int)) *takedownList {
	l := &takedownList{win: win, store: store, ctx: ctx, today: today, counted: counted}
	l.hint = widget.NewLabel("")
	l.hint.Wrapping = fyne.TextWrapWord
	l.showDone = widget.NewCheck(lang.L("Also show the finished ones"), func(bool) { l.load() })
	l.list = widget.NewList(
		func() int { return len(l.tasks) },
		func() fyne.CanvasObject {
			text := widget.NewLabel("\n")
			text.Wrapping = fyne.TextWrapWord
			done := widget.NewButtonWithIcon(lang.L("Done"), theme.ConfirmIcon(), nil)
			done.Importance = widget.HighImportance
			finished := widget.NewLabel("")
			thumb := canvas.NewImageFromResource(nil)
			thumb.FillMode = canvas.ImageFillContain
			thumb.SetMinSize(fyne.NewSize(takedownThumbSide, takedownThumbSide))
			return container.NewBorder(nil, nil, thumb, container.NewStack(done, finished), text)
		},
		l.updateItem)
	l.ExtendBaseWidget(l)
	return l
}

// CreateRenderer implements fyne.Widget.
func (l *takedownList) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(container.NewVBox(l.hint, l.showDone, widget.NewSeparator()), nil, nil, nil, l.list))
}

func (l *takedownList) updateItem(i widget.ListItemID, o fyne.CanvasObject) {
	if i < 0 || i >= len(l.tasks) {
		return
	}
	t := l.tasks[i]
	c := o.(*fyne.Container)
	c.Objects[0].(*widget.Label).SetText(describeTakedown(t))
	thumb := c.Objects[1].(*canvas.Image)
	thumb.Resource = exportPicture(t.ExportName, t.Thumbnail)
	thumb.Refresh()
	right := c.Objects[2].(*fyne.Container)
	done, finished := right.Objects[0].(*widget.Button), right.Objects[1].(*widget.Label)
	if t.DoneOn.IsZero() {
		done.OnTapped = func() { l.tapDone(t.ID) }
		done.Show()
		finished.Hide()
	} else {
		done.Hide()
		finished.SetText(lang.L("Done on {{.Date}}", map[string]any{"Date": t.DoneOn.String()}))
		finished.Show()
	}
}

// takedownThumbSide is the size of a task's picture in the list: enough
// to tell the post among others on the channel.
const takedownThumbSide = 96

// describeTakedown is a task as the list shows it: who, where, and since
// when.
func describeTakedown(t consent.Takedown) string {
	name := t.PersonName
	if name == "" {
		name = lang.L("someone who has left the register ({{.ID}})", map[string]any{"ID": t.PersonID})
	}
	return name + " · " + takedownLine(t) + "\n" +
		lang.L("To be removed from {{.Date}}: consent ended then.", map[string]any{"Date": t.WithdrawnOn.String()})
}

// takedownLine describes a take-down task's publication in one line.
func takedownLine(t consent.Takedown) string {
	return publicationLine(t.Channel, t.ExportPath(), t.OriginalName, t.PublishedOn)
}

// publicationLine describes a publication in one line, with the name of
// the photo staff chose when the ledger has it.
func publicationLine(channel, path, original string, on consent.Date) string {
	values := map[string]any{"Channel": channelName(channel), "File": path, "Date": on.String(), "Original": original}
	if original == "" {
		return lang.L("{{.Channel}}: {{.File}}, published on {{.Date}}", values)
	}
	return lang.L("{{.Channel}}: {{.File}} (the photo {{.Original}}), published on {{.Date}}", values)
}

// load reloads the tasks from the register.
func (l *takedownList) load() {
	l.show(l.store.Takedowns(l.ctx, l.showDone.Checked))
}

// show shows tasks as read from the register, or why they could not be.
func (l *takedownList) show(tasks []consent.Takedown, err error) {
	open := 0
	for _, t := range tasks {
		if t.DoneOn.IsZero() {
			open++
		}
	}
	l.tasks = tasks
	switch {
	case err != nil:
		l.hint.SetText(lang.L("The take-down list could not be read: {{.Error}}", map[string]any{"Error": err.Error()}))
	case open == 0:
		l.hint.SetText(lang.L("Nothing to take down. When someone withdraws a consent, the photos already published with them appear here."))
	default:
		l.hint.SetText(lang.L("These published photos show someone who withdrew their consent (open tasks: {{.Count}}). Remove each photo from its channel (delete the post, or the file on the website), then press \"Done\".", map[string]any{"Count": open}))
	}
	if l.counted != nil {
		l.counted(open)
	}
	l.list.Refresh()
}

// markDone records that the photo of task id was taken down today.
func (l *takedownList) markDone(id int64) error {
	if err := l.store.MarkTakedownDone(l.ctx, id, l.today()); err != nil {
		return fmt.Errorf("mark take-down %d done: %w", id, err)
	}
	l.load()
	return nil
}

// tapDone is the Done button of task id.
func (l *takedownList) tapDone(id int64) {
	if err := l.markDone(id); err != nil {
		showProblem(l.win, lang.L("The task could not be marked done."), err)
	}
}
