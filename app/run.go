package app

import (
	"context"
	"path/filepath"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/driver/desktop"

	"hark/assets"
	"hark/audio"
	"hark/internal/ctl"
	"hark/internal/live"
)

// ID is the application's identifier (preferences live under it).
const ID = "dev.hark.app"

// Options override the saved settings for one run (they are not saved).
type Options struct {
	Input  string // replay this audio file (in real time) instead of capturing
	Record bool   // start dictating as soon as the model is loaded
	Model  string // model directory
	VAD    string // "silero" or "energy"
}

// Run opens the dictation window and returns when it is closed or ctx is done. It must be
// called on the main goroutine.
func Run(ctx context.Context, opts Options) error {
	a := fyneapp.NewWithID(ID)
	a.SetIcon(fyne.NewStaticResource("hark.png", assets.IconPNG()))
	w := a.NewWindow("Hark")
	deps := RealDeps()
	if opts.Input != "" {
		deps.OpenInput = func(Settings) (audio.Source, error) {
			return live.Open(live.Input{File: opts.Input})
		}
	}
	u := newUI(a, w, deps, fyne.Do)
	u.override(opts)
	w.Resize(windowSize(a.Preferences()))
	w.SetMaster()
	u.start()
	u.applyHotkey()
	defer u.closeHotkey()
	if desk, ok := a.(desktop.App); ok {
		u.setupTray(desk)
	}
	// `hark ctl toggle|start|stop|cancel|undo|status` (desktop shortcuts, Wayland).
	if srv, err := ctl.Listen(ctl.SocketPath(), u.control); err != nil {
		u.setStatus("No `hark ctl` control: " + oneLine(err))
	} else {
		defer srv.Close()
	}
	stop := context.AfterFunc(ctx, func() { fyne.Do(a.Quit) })
	defer stop()
	w.SetCloseIntercept(u.closeWindow)
	w.ShowAndRun()
	u.shutdown()
	return nil
}

// shutdown stops dictation and releases the model.
func (u *UI) shutdown() {
	u.closing.Store(true)
	u.stopReplug()
	u.mu.Lock()
	if u.reopened != nil {
		closeSource(u.reopened)
		u.reopened = nil
	}
	u.mu.Unlock()
	u.ctl.Stop()
	u.ctl.Wait()
	u.mu.Lock()
	eng := u.engine
	u.engine = nil
	u.mu.Unlock()
	if eng != nil {
		eng.Close()
	}
}

// override applies per-run options on top of the saved settings.
func (u *UI) override(o Options) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if o.Model != "" {
		u.settings.ModelDir = o.Model
	}
	if o.VAD != "" {
		u.settings.VAD = o.VAD
	}
	if o.Input != "" {
		u.inputLabel = "replaying " + filepath.Base(o.Input)
	}
	u.autoRecord = o.Record
}

// Window size preference keys.
const (
	prefWindowW = "window_width"
	prefWindowH = "window_height"
)

// windowSize is the size the window had when it was last closed (880×560 the first time).
func windowSize(p fyne.Preferences) fyne.Size {
	w, h := p.FloatWithFallback(prefWindowW, 880), p.FloatWithFallback(prefWindowH, 560)
	if w < 320 || h < 240 || w > 10000 || h > 10000 {
		w, h = 880, 560
	}
	return fyne.NewSize(float32(w), float32(h))
}

func saveWindowSize(p fyne.Preferences, s fyne.Size) {
	if s.Width >= 320 && s.Height >= 240 {
		p.SetFloat(prefWindowW, float64(s.Width))
		p.SetFloat(prefWindowH, float64(s.Height))
	}
}
