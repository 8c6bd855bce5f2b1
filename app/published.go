package app

import (
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/photovet/photovet/consent"
)

// publishedList is the register's Published tab: the ledger, newest
// first, each export with its picture, the photo it was made from, who
// vetted it and who is visible on it, so that staff can look up what went
// out long after the export's own summary was closed.
type publishedList struct {
	widget.BaseWidget
	// name returns a person's display name, "" when they have left the
	// register.
	name func(id string) string

	pubs []consent.Publication
	hint *widget.Label
	list *widget.List
}

// newPublishedList returns the Published tab, empty until show is given
// the ledger (registerView.refresh reads it).
func newPublishedList(name func(id string) string) *publishedList {
	l := &publishedList{name: name}
	l.hint = widget.NewLabel("")
	l.hint.Wrapping = fyne.TextWrapWord
	l.list = widget.NewList(
		func() int { return len(l.pubs) },
		func() fyne.CanvasObject {
			text := widget.NewLabel("\n\n")
			text.Wrapping = fyne.TextWrapWord
			thumb := canvas.NewImageFromResource(nil)
			thumb.FillMode = canvas.ImageFillContain
			thumb.SetMinSize(fyne.NewSize(takedownThumbSide, takedownThumbSide))
			return container.NewBorder(nil, nil, thumb, nil, text)
		},
		l.updateItem)
	l.ExtendBaseWidget(l)
	return l
}

// CreateRenderer implements fyne.Widget.
func (l *publishedList) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(container.NewVBox(l.hint, widget.NewSeparator()), nil, nil, nil, l.list))
}

func (l *publishedList) updateItem(i widget.ListItemID, o fyne.CanvasObject) {
	if i < 0 || i >= len(l.pubs) {
		return
	}
	p := l.pubs[i]
	c := o.(*fyne.Container)
	c.Objects[0].(*widget.Label).SetText(l.describe(p))
	thumb := c.Objects[1].(*canvas.Image)
	thumb.Resource = exportPicture(p.ExportName, p.Thumbnail)
	thumb.Refresh()
}

// exportPicture is an export's recorded picture, or a plain photo icon
// for exports recorded before the ledger kept pictures.
func exportPicture(name string, thumbnail []byte) fyne.Resource {
	if len(thumbnail) == 0 {
		return theme.FileImageIcon()
	}
	return fyne.NewStaticResource(name, thumbnail)
}

// describe is a publication as the list shows it: where and when, who
// vetted it and took it, and who is visible on it.
func (l *publishedList) describe(p consent.Publication) string {
	where := publicationLine(p.Channel, p.Path(), p.OriginalName, p.Date)
	if p.Republishes != 0 {
		where += " · " + lang.L("published again")
	}
	var visible []string
	hidden := 0
	for _, f := range p.Faces {
		switch {
		case !f.Visible:
			hidden++
		case l.name(f.PersonID) != "":
			visible = append(visible, l.name(f.PersonID))
		default:
			visible = append(visible, f.PersonID)
		}
	}
	slices.Sort(visible)
	shown := lang.L("nobody")
	if len(visible) > 0 {
		shown = strings.Join(visible, ", ")
	}
	return where + "\n" +
		lang.L("Vetted by {{.Staff}}; taken by {{.Photographer}}.", map[string]any{"Staff": p.VettedBy, "Photographer": p.Photographer}) + "\n" +
		lang.N("Visible: {{.Names}}; {{.Count}} faces hidden.", hidden, map[string]any{"Names": shown, "Count": hidden})
}

// show shows the ledger as read from the register, oldest first, or why
// it could not be read.
func (l *publishedList) show(pubs []consent.Publication, err error) {
	pubs = slices.Clone(pubs)
	slices.Reverse(pubs)
	l.pubs = pubs
	switch {
	case err != nil:
		l.hint.SetText(lang.L("The list of published photos could not be read: {{.Error}}", map[string]any{"Error": errorText(err)}))
	case len(pubs) == 0:
		l.hint.SetText(lang.L("Nothing published yet. Every photo you export is recorded here, newest first, with a picture of it as it was published."))
	default:
		l.hint.SetText(lang.N("Photos exported and recorded: {{.Count}}, newest first, each as it was published.", len(pubs), map[string]any{"Count": len(pubs)}))
	}
	l.list.Refresh()
}
