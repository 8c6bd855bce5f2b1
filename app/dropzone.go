package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// dropZone is the large target that tells the teacher what to do first.
type dropZone struct {
	widget.BaseWidget
	hint *widget.Label
}

func newDropZone() *dropZone {
	z := &dropZone{hint: widget.NewLabel("")}
	z.hint.Alignment = fyne.TextAlignCenter
	z.hint.Wrapping = fyne.TextWrapWord
	z.setCount(0)
	z.ExtendBaseWidget(z)
	return z
}

func (z *dropZone) setCount(n int) {
	if n == 0 {
		z.hint.SetText(lang.L("Drag photos or a whole folder from your phone, camera card or file manager " +
			"and drop them here, or choose \"Add photos...\".\n\nPhotoVet finds every face, checks it " +
			"against the consent register and blurs every child who may not be shown. Your originals are never changed."))
		return
	}
	z.hint.SetText(lang.N("{{.Count}} photos added. Drop more here, or choose \"Add photos...\".", n, map[string]any{"Count": n}))
}

func (z *dropZone) CreateRenderer() fyne.WidgetRenderer {
	border := canvas.NewRectangle(color.Transparent)
	border.StrokeColor = theme.Color(theme.ColorNamePrimary)
	border.StrokeWidth = 3
	border.CornerRadius = 16
	title := canvas.NewText(lang.L("Drop photos here"), theme.Color(theme.ColorNameForeground))
	title.TextSize = theme.TextHeadingSize() * 1.4
	title.TextStyle.Bold = true
	title.Alignment = fyne.TextAlignCenter
	icon := widget.NewIcon(theme.UploadIcon())
	iconBox := container.NewCenter(container.NewGridWrap(fyne.NewSize(96, 96), icon))
	content := container.NewCenter(container.NewVBox(iconBox, title,
		container.NewGridWrap(fyne.NewSize(560, 120), z.hint)))
	return widget.NewSimpleRenderer(container.NewStack(border, content))
}
