package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// levelMeter shows the input level as a horizontal bar: green while quiet, yellow when
// loud, red near clipping, and a marker while speech is detected.
type levelMeter struct {
	widget.BaseWidget
	value  float64 // 0..1
	speech bool
}

func newLevelMeter() *levelMeter {
	m := &levelMeter{}
	m.ExtendBaseWidget(m)
	return m
}

// SetLevel sets the fill (0..1) and whether speech is being heard. Call on the UI goroutine.
func (m *levelMeter) SetLevel(v float64, speech bool) {
	v = min(1, max(0, v))
	if v == m.value && speech == m.speech {
		return
	}
	m.value, m.speech = v, speech
	m.Refresh()
}

func (m *levelMeter) CreateRenderer() fyne.WidgetRenderer {
	r := &meterRenderer{m: m, bg: canvas.NewRectangle(color.Transparent), bar: canvas.NewRectangle(color.Transparent)}
	r.bg.CornerRadius = 4
	r.bar.CornerRadius = 4
	r.Refresh()
	return r
}

type meterRenderer struct {
	m       *levelMeter
	bg, bar *canvas.Rectangle
}

func (r *meterRenderer) Layout(size fyne.Size) {
	h := min(size.Height, 14)
	y := (size.Height - h) / 2
	r.bg.Move(fyne.NewPos(0, y))
	r.bg.Resize(fyne.NewSize(size.Width, h))
	r.bar.Move(fyne.NewPos(0, y))
	r.bar.Resize(fyne.NewSize(size.Width*float32(r.m.value), h))
}

func (r *meterRenderer) MinSize() fyne.Size { return fyne.NewSize(80, 14) }

func (r *meterRenderer) Refresh() {
	v := fyne.CurrentApp().Settings().ThemeVariant()
	th := fyne.CurrentApp().Settings().Theme()
	r.bg.FillColor = th.Color(theme.ColorNameInputBackground, v)
	switch {
	case r.m.value > 0.95:
		r.bar.FillColor = th.Color(theme.ColorNameError, v)
	case r.m.value > 0.85:
		r.bar.FillColor = th.Color(theme.ColorNameWarning, v)
	case r.m.speech:
		r.bar.FillColor = th.Color(theme.ColorNameSuccess, v)
	default:
		r.bar.FillColor = th.Color(theme.ColorNameDisabled, v)
	}
	r.Layout(r.m.Size())
	r.bg.Refresh()
	r.bar.Refresh()
}

func (r *meterRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.bg, r.bar} }
func (r *meterRenderer) Destroy()                     {}
