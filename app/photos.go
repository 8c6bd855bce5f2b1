package app

import (
	"image"
	"image/color"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/photovet/photovet/vet"
)

// filterStatuses are the grid's filters in order; "" shows every photo.
func filterStatuses() []vet.Status {
	return []vet.Status{"", vet.NeedsReview, vet.Blocked, vet.Cleared, vet.Failed}
}

// statusLabel is a status in the teacher's words.
func statusLabel(s vet.Status) string {
	switch s {
	case vet.Cleared:
		return lang.L("Cleared")
	case vet.NeedsReview:
		return lang.L("Needs review")
	case vet.Blocked:
		return lang.L("Blocked")
	case vet.Failed:
		return lang.L("Could not be read")
	default:
		return lang.L("All")
	}
}

// photoStatusLabel is a photo's status in the teacher's words, as the
// filters count it (shownStatus): one not vetted because the shared
// register was lost is not called unreadable.
func photoStatusLabel(p *vet.Photo) string {
	if p.RegisterUnreachable() {
		return lang.L("Register unreachable")
	}
	return statusLabel(shownStatus(p))
}

// statusColor is the badge colour of a status.
func statusColor(s vet.Status) color.Color {
	switch s {
	case vet.Cleared:
		return color.NRGBA{R: 0x2e, G: 0x9d, B: 0x4f, A: 0xff}
	case vet.NeedsReview:
		return color.NRGBA{R: 0xe0, G: 0x8a, B: 0x00, A: 0xff}
	case vet.Blocked:
		return color.NRGBA{R: 0xd0, G: 0x31, B: 0x2d, A: 0xff}
	default:
		return color.NRGBA{R: 0x70, G: 0x70, B: 0x70, A: 0xff}
	}
}

// photosView is the batch: progress while processing, the filters with
// their counts, and the thumbnail grid.
type photosView struct {
	widget.BaseWidget
	session *session
	open    func(*vet.Photo)

	progressBar *widget.ProgressBar
	progressBox *fyne.Container
	filter      *widget.RadioGroup
	hint        *widget.Label
	grid        *widget.GridWrap
	shown       []*vet.Photo // the grid's items under the current filter
}

func newPhotosView(s *session, open func(*vet.Photo), cancel func()) *photosView {
	v := &photosView{session: s, open: open}
	v.progressBar = widget.NewProgressBar()
	v.progressBar.TextFormatter = func() string {
		return lang.L("{{.Done}} of {{.Total}} photos", map[string]any{"Done": int(v.progressBar.Value), "Total": int(v.progressBar.Max)})
	}
	cancelButton := widget.NewButtonWithIcon(lang.L("Cancel"), theme.CancelIcon(), cancel)
	v.progressBox = container.NewBorder(nil, nil, widget.NewLabel(lang.L("Looking for faces...")), cancelButton, v.progressBar)
	v.progressBox.Hide()
	v.filter = widget.NewRadioGroup(nil, func(string) { v.refresh() })
	v.filter.Horizontal = true
	v.filter.Required = true
	v.hint = widget.NewLabel("")
	v.hint.Wrapping = fyne.TextWrapWord
	v.grid = widget.NewGridWrap(
		func() int { return len(v.shown) },
		func() fyne.CanvasObject { return newThumbTile() },
		func(id widget.GridWrapItemID, o fyne.CanvasObject) {
			if id < len(v.shown) {
				o.(*thumbTile).set(v.shown[id], s.thumbs[v.shown[id]], s.exported[v.shown[id]] != "")
			}
		})
	v.grid.OnSelected = func(id widget.GridWrapItemID) {
		v.grid.UnselectAll()
		if id < len(v.shown) {
			v.open(v.shown[id])
		}
	}
	v.ExtendBaseWidget(v)
	v.refresh()
	return v
}

// status is the filter's status ("" for all).
func (v *photosView) status() vet.Status {
	i := v.filter.Selected
	for j, o := range v.filter.Options {
		if o == i {
			return filterStatuses()[j]
		}
	}
	return ""
}

// refresh updates the counts, the filter and the grid.
func (v *photosView) refresh() {
	current := v.status()
	counts := v.session.counts()
	var options []string
	selected := ""
	for _, st := range filterStatuses() {
		n := counts[st]
		if st == "" {
			n = len(v.session.photos)
		} else if n == 0 && st == vet.Failed {
			continue
		}
		o := lang.L("{{.Status}} ({{.Count}})", map[string]any{"Status": statusLabel(st), "Count": n})
		options = append(options, o)
		if st == current {
			selected = o
		}
	}
	v.filter.Options = options
	if selected == "" {
		selected = options[0]
	}
	v.filter.Selected = selected
	v.filter.Refresh()
	v.shown = v.session.filtered(v.status())
	switch {
	case counts[vet.NeedsReview] > 0:
		v.hint.SetText(lang.L("Click a photo to check it. Photos marked \"Needs review\" have faces to name or to confirm, or no face at all: decide on them before export."))
	case counts[vet.Blocked] > 0:
		v.hint.SetText(lang.L("Blocked photos cannot be exported: click one to see why and what fixes it."))
	case counts[vet.Cleared] > 0 && v.session.unexported() == 0:
		v.hint.SetText(lang.L("Every cleared photo is exported. Add more photos, or start a new batch."))
	case len(v.session.photos) > 0:
		v.hint.SetText(lang.L("Every photo is decided. Check a few, then choose \"Export cleared photos...\"."))
	default:
		v.hint.SetText("")
	}
	v.grid.Refresh()
}

func (v *photosView) start(total int) {
	v.progressBar.Max = float64(total)
	v.progressBar.SetValue(0)
	v.progressBox.Show()
}

func (v *photosView) progress(done, total int) {
	v.progressBar.Max = float64(total)
	v.progressBar.SetValue(float64(done))
}

func (v *photosView) stop() { v.progressBox.Hide() }

// CreateRenderer lays the view out: progress and filters above the grid.
func (v *photosView) CreateRenderer() fyne.WidgetRenderer {
	top := container.NewVBox(v.progressBox, v.filter, v.hint)
	return widget.NewSimpleRenderer(container.NewBorder(top, nil, nil, nil, v.grid))
}

// thumbTile is one photo in the grid: the thumbnail, its status badge and
// its file name.
type thumbTile struct {
	widget.BaseWidget
	image  *canvas.Image
	badge  *canvas.Rectangle
	status *canvas.Text
	name   *widget.Label
}

func newThumbTile() *thumbTile {
	t := &thumbTile{image: canvas.NewImageFromImage(nil), badge: canvas.NewRectangle(color.Transparent),
		status: canvas.NewText("", color.White), name: widget.NewLabel("")}
	t.image.FillMode = canvas.ImageFillContain
	t.image.ScaleMode = canvas.ImageScaleFastest
	t.image.SetMinSize(fyne.NewSize(thumbSize, thumbSize*3/4))
	t.badge.CornerRadius = 6
	t.status.TextStyle.Bold = true
	t.status.TextSize = theme.CaptionTextSize() + 1
	t.name.Truncation = fyne.TextTruncateEllipsis
	t.ExtendBaseWidget(t)
	return t
}

func (t *thumbTile) set(p *vet.Photo, thumb image.Image, exported bool) {
	t.image.Image = thumb
	t.image.Refresh()
	t.badge.FillColor = statusColor(shownStatus(p))
	t.badge.Refresh()
	t.status.Text = photoStatusLabel(p)
	if exported {
		t.status.Text = lang.L("Exported")
	}
	t.status.Refresh()
	t.name.SetText(baseName(p.Path))
}

// CreateRenderer stacks the badge over the thumbnail's top left corner.
func (t *thumbTile) CreateRenderer() fyne.WidgetRenderer {
	badge := container.NewStack(t.badge, container.NewPadded(t.status))
	top := container.NewHBox(badge)
	return widget.NewSimpleRenderer(container.NewBorder(nil, t.name, nil, nil,
		container.NewStack(t.image, container.NewVBox(top))))
}

// baseName is a path's file name.
func baseName(path string) string { return filepath.Base(path) }
