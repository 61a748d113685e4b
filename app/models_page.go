package app

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hark/internal/loader"
	"hark/models"
)

// modelPage is the Models window: installed models, import with progress, switch, remove,
// information. Its state lives on the UI goroutine; imports and info run in goroutines and
// report back through u.do.
type modelPage struct {
	u     *UI
	store *models.Store
	win   fyne.Window

	entries  []models.Entry
	selected int
	list     *widget.List
	details  *widget.Label
	progress *widget.ProgressBar
	status   *widget.Label
	buttons  []*widget.Button // disabled while an import runs
	useBtn   *widget.Button
	rmBtn    *widget.Button

	mu      sync.Mutex
	running bool
	cancel  context.CancelFunc
	// done, when set (tests), is called on the UI goroutine after each import or info run.
	done func()
}

func (u *UI) modelStore() (*models.Store, error) {
	if u.deps.Models != nil {
		return u.deps.Models()
	}
	return models.DefaultStore()
}

// currentModel is the name (or directory) the window's settings load; "" is the store's default.
func (u *UI) currentModel() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.settings.ModelDir
}

// showModels opens the Models window.
func (u *UI) showModels() {
	p, err := u.newModelPage()
	if err != nil {
		u.showError(err)
		return
	}
	p.win.Show()
}

func (u *UI) newModelPage() (*modelPage, error) {
	st, err := u.modelStore()
	if err != nil {
		return nil, err
	}
	p := &modelPage{u: u, store: st, selected: -1}
	p.win = u.app.NewWindow("Hark models")
	p.details = widget.NewLabel("Select a model to see its details.")
	p.details.Wrapping = fyne.TextWrapWord
	p.progress = widget.NewProgressBar()
	p.progress.Hide()
	p.status = widget.NewLabel("")
	p.status.Wrapping = fyne.TextWrapWord
	p.list = widget.NewList(
		func() int { return len(p.entries) },
		func() fyne.CanvasObject { return widget.NewLabel("model name and size") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < len(p.entries) {
				o.(*widget.Label).SetText(p.rowText(p.entries[i]))
			}
		})
	p.list.OnSelected = func(i widget.ListItemID) { p.selected = i; p.updateButtons(); p.showInfo() }
	importArchive := widget.NewButtonWithIcon("Import archive…", theme.FileIcon(), func() {
		dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
			if err == nil && r != nil {
				path := r.URI().Path()
				r.Close()
				p.importPath(path, "")
			}
		}, p.win)
	})
	importDir := widget.NewButtonWithIcon("Import folder…", theme.FolderOpenIcon(), func() {
		dialog.ShowFolderOpen(func(l fyne.ListableURI, err error) {
			if err == nil && l != nil {
				p.importPath(l.Path(), "")
			}
		}, p.win)
	})
	p.useBtn = widget.NewButtonWithIcon("Use", theme.ConfirmIcon(), p.useSelected)
	p.rmBtn = widget.NewButtonWithIcon("Remove", theme.DeleteIcon(), func() {
		e, ok := p.selectedEntry()
		if !ok || e.Embedded {
			return
		}
		dialog.ShowConfirm("Remove model", fmt.Sprintf("Delete the model %q from this computer?", e.Name), func(yes bool) {
			if yes {
				p.remove(e.Name)
			}
		}, p.win)
	})
	p.buttons = []*widget.Button{importArchive, importDir, p.useBtn, p.rmBtn}
	hint := widget.NewLabel("Import sherpa-onnx NeMo CTC models (.tar.bz2) or Hark model folders you have downloaded; Hark never downloads anything.")
	hint.Wrapping = fyne.TextWrapWord
	bottom := container.NewVBox(container.NewHBox(importArchive, importDir, p.useBtn, p.rmBtn), p.progress, p.status, hint)
	split := container.NewHSplit(p.list, container.NewVScroll(p.details))
	split.Offset = 0.45
	p.win.SetContent(container.NewBorder(nil, bottom, nil, nil, split))
	p.win.Resize(fyne.NewSize(760, 440))
	p.win.SetOnClosed(func() {
		p.mu.Lock()
		if p.cancel != nil {
			p.cancel()
		}
		p.mu.Unlock()
	})
	p.refresh()
	return p, nil
}

// inUse reports whether the window dictates with entry e.
func (p *modelPage) inUse(e models.Entry) bool {
	cur := p.u.currentModel()
	if cur == "" {
		return e.Default
	}
	return cur == e.Name || (e.Dir != "" && cur == e.Dir)
}

func (p *modelPage) rowText(e models.Entry) string {
	mark := "  "
	if p.inUse(e) {
		mark = "● "
	}
	s := mark + e.Name
	if e.Embedded {
		s += " (built in)"
	}
	return s + "  ·  " + sizeText(e.Size)
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func (p *modelPage) refresh() {
	ents, err := p.store.List()
	if err != nil {
		p.status.SetText(oneLine(err))
	}
	p.entries = ents
	if p.selected >= len(ents) {
		p.selected = -1
		p.list.UnselectAll()
	}
	p.list.Refresh()
	p.updateButtons()
}

func (p *modelPage) selectedEntry() (models.Entry, bool) {
	if p.selected < 0 || p.selected >= len(p.entries) {
		return models.Entry{}, false
	}
	return p.entries[p.selected], true
}

func (p *modelPage) updateButtons() {
	p.mu.Lock()
	busy := p.running
	p.mu.Unlock()
	e, ok := p.selectedEntry()
	for _, b := range p.buttons {
		if busy {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	if !ok || busy {
		p.useBtn.Disable()
		p.rmBtn.Disable()
	} else if e.Embedded {
		p.rmBtn.Disable()
	}
}

// importPath imports path in the background, showing progress; name "" derives the name.
func (p *modelPage) importPath(path, name string) {
	p.mu.Lock()
	if p.running {
		p.mu.Unlock()
		return
	}
	p.running = true
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	p.mu.Unlock()
	p.updateButtons()
	p.progress.SetValue(0)
	p.progress.Show()
	p.status.SetText("Importing " + path + "…")
	check := p.u.deps.CheckModel
	if check == nil {
		check = loader.Validate
	}
	go func() {
		var last float64
		im, err := p.store.Import(ctx, path, models.ImportOptions{
			Name: name,
			Validate: func(ctx context.Context, dir string) error {
				p.u.do(func() { p.status.SetText("Checking the model…") })
				return check(ctx, dir)
			},
			Progress: func(done, total int64) {
				if total <= 0 {
					return
				}
				v := float64(done) / float64(total)
				if v-last < 0.01 && v < 1 {
					return
				}
				last = v
				p.u.do(func() { p.progress.SetValue(v) })
			},
		})
		cancel()
		p.u.do(func() {
			p.mu.Lock()
			p.running, p.cancel = false, nil
			p.mu.Unlock()
			p.progress.Hide()
			if err != nil {
				p.status.SetText("Import failed: " + oneLine(err))
			} else {
				p.status.SetText(fmt.Sprintf("Installed %s. Select it and press Use to dictate with it.", im.Name))
			}
			p.refresh()
			if p.done != nil {
				p.done()
			}
		})
	}()
}

// useSelected makes the window dictate with the selected model.
func (p *modelPage) useSelected() {
	e, ok := p.selectedEntry()
	if !ok {
		return
	}
	p.use(e.Name)
}

func (p *modelPage) use(name string) {
	p.u.mu.Lock()
	s := p.u.settings
	p.u.mu.Unlock()
	// The store's default, as `hark models default NAME` sets it: the command line and the
	// window's next start use it too.
	// "" is whatever the store's default now is (after a removal: the embedded model).
	if name != "" {
		if err := p.store.SetDefault(name); err != nil {
			p.status.SetText("Cannot make " + name + " the default: " + oneLine(err))
			return
		}
	}
	s.ModelDir = name
	p.u.applySettings(s)
	p.status.SetText("Dictating with " + name + ".")
	p.list.Refresh()
}

func (p *modelPage) remove(name string) {
	inUse := false
	for _, e := range p.entries {
		if e.Name == name && p.inUse(e) {
			inUse = true
		}
	}
	if err := p.store.Remove(name); err != nil {
		p.status.SetText(oneLine(err))
		return
	}
	p.status.SetText("Removed " + name + ".")
	p.selected = -1
	p.list.UnselectAll()
	p.refresh()
	if inUse {
		p.use("")
	}
}

// showInfo loads the selected model in the background and shows its settings, vocabulary,
// licence and speed on a few seconds of synthetic sound.
func (p *modelPage) showInfo() {
	e, ok := p.selectedEntry()
	if !ok {
		return
	}
	p.details.SetText("Loading " + e.Name + "…")
	go func() {
		text := modelInfoText(p.store, e)
		p.u.do(func() {
			if cur, ok := p.selectedEntry(); ok && cur.Name == e.Name {
				p.details.SetText(text)
			}
			if p.done != nil {
				p.done()
			}
		})
	}()
}

func modelInfoText(st *models.Store, e models.Entry) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", e.Name)
	if e.Spec.Description != "" {
		fmt.Fprintf(&b, "%s\n", e.Spec.Description)
	}
	fmt.Fprintf(&b, "\nSize: %s\n", sizeText(e.Size))
	m, err := loader.FindIn(st, e.Name)
	if err != nil {
		return b.String() + "Cannot load: " + oneLine(err)
	}
	c, err := loader.Try(context.Background(), m, 3)
	if err != nil {
		return b.String() + "Cannot run: " + oneLine(err)
	}
	m = c.Model
	lic := m.License
	if lic == "" {
		lic = "not stated (check where you got the model)"
	}
	norm := m.Normalize
	if norm == "" {
		norm = "none"
	}
	fmt.Fprintf(&b, "Vocabulary: %d tokens\n", c.Vocab)
	fmt.Fprintf(&b, "Features: %s, %d per frame, normalisation %s\n", c.Preset, c.Features, norm)
	fmt.Fprintf(&b, "Licence: %s\n", lic)
	fmt.Fprintf(&b, "Speed: %.0f× real time (measured on %.0f s of synthetic sound, one thread)\n", 1/max(c.RTF(), 1e-9), c.Audio.Seconds())
	if e.Dir != "" {
		fmt.Fprintf(&b, "Folder: %s\n", e.Dir)
	}
	return b.String()
}
