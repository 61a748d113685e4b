package dictation

import (
	"errors"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Clipboard is the system clipboard as delivery uses it. Copy, Restore and Set must not wait
// for a busy user interface (the window's goroutine may itself be waiting for dictation to
// stop); they take effect in the order they are called.
type Clipboard interface {
	// Copy puts the text of utterance n on the clipboard, remembering what was there before
	// n's first copy.
	Copy(n int, text string)
	// Restore puts back what was on the clipboard before utterance n was copied, if it was.
	Restore(n int)
	// Swap puts text on the clipboard and returns what was there, or fails when that cannot
	// be done in time (pasting waits for it).
	Swap(text string) (prev string, err error)
	// Set puts text on the clipboard.
	Set(text string)
}

// Keyboard types into other applications: *Typer (xdotool, wtype, ydotool), or a test's.
type Keyboard interface {
	Name() string
	Insert(text string) error
	Paste() error
	ActiveWindow() string
	EraseIn(window string, n int) error
	CanRefocus() bool
}

// FindKeyboard is FindTyper as a Keyboard (nil, not a nil *Typer, when there is none).
func FindKeyboard() (Keyboard, error) {
	t, err := FindTyper()
	if err != nil {
		return nil, err
	}
	return t, nil
}

// DeliveryOptions says where final text goes.
type DeliveryOptions struct {
	Copy  bool // put each utterance (as it stands) on the clipboard
	Type  bool // type it into the focused window
	Paste bool // with Type: paste it (Ctrl+V) instead of typing it key by key
}

// Delivery sends final utterances to other applications (Config.Deliver) and takes them
// back (Config.Retract): typing, pasting and the clipboard, for the window and `hark
// listen` alike. It remembers what it typed where, so that an undo erases exactly that, in
// the window it went to. Its methods may be called from any goroutine.
type Delivery struct {
	// Options returns the current options (settings may change between utterances).
	Options func() DeliveryOptions
	// Clipboard is the clipboard (nil: none; a failed typer then has no fallback).
	Clipboard Clipboard
	// FindTyper finds the typing tool, the first time one is needed (nil: FindKeyboard).
	FindTyper func() (Keyboard, error)
	// WaitKeys, when set, waits until no modifier key is held before typing or pasting.
	WaitKeys func()
	// PasteRestore is how long after pasting the previous clipboard is put back (0: 500 ms).
	PasteRestore time.Duration

	mu       sync.Mutex
	typer    Keyboard
	typerErr error
	found    bool
	typed    map[int]int    // characters typed per utterance N
	typedWin map[int]string // the window each utterance was typed into ("" if unknown)
}

// Deliver sends u.Append (and, once u is over, the space after it) where the options say,
// and says where it went. When typing fails, the text waits on the clipboard and the error
// is returned with where it went.
func (d *Delivery) Deliver(u Utterance) (string, error) {
	var o DeliveryOptions
	if d.Options != nil {
		o = d.Options()
	}
	var where []string
	if o.Copy && d.Clipboard != nil {
		d.Clipboard.Copy(u.N, u.Text)
		where = append(where, "copied to the clipboard")
	}
	ins := u.Append
	if !u.Open {
		ins += " " // what separates utterances
	}
	if !o.Type {
		return strings.Join(where, ", "), nil
	}
	t, err := d.findTyper()
	if err == nil && d.WaitKeys != nil {
		d.WaitKeys() // the hotkey's (or a shortcut's) modifiers may still be held
	}
	switch {
	case err != nil:
	case o.Paste && d.Clipboard != nil:
		if err = d.paste(t, u.N, ins); err == nil {
			return strings.Join(append(where, "pasted with "+t.Name()), ", "), nil
		}
	default:
		d.mu.Lock()
		_, known := d.typedWin[u.N]
		d.mu.Unlock()
		if !known { // where the text goes: undo takes it back there (first piece of an utterance)
			win := t.ActiveWindow()
			d.mu.Lock()
			d.init()
			d.typedWin[u.N] = win
			d.mu.Unlock()
		}
		if err = t.Insert(ins); err == nil {
			d.count(u.N, ins)
			return strings.Join(append(where, "typed with "+t.Name()), ", "), nil
		}
	}
	// The fallback: the text waits on the clipboard.
	if !o.Copy && d.Clipboard != nil {
		d.Clipboard.Copy(u.N, u.Text)
		where = append(where, "copied to the clipboard (paste it with Ctrl+V)")
	}
	return strings.Join(where, ", "), err
}

// Retract takes u back from where it was delivered: backspaces for what was typed or pasted,
// the previous clipboard for a copy. inHark says the undo was started in Hark's own window,
// which then has the focus: where the typing tool cannot give the focus back to the window
// the text went to (Wayland), the typed text is left in place and ErrCannotRefocus says so.
func (d *Delivery) Retract(u Utterance, inHark bool) error {
	d.mu.Lock()
	d.init()
	n, win := d.typed[u.N], d.typedWin[u.N]
	delete(d.typed, u.N)
	delete(d.typedWin, u.N)
	t := d.typer
	d.mu.Unlock()
	if d.Clipboard != nil {
		d.Clipboard.Restore(u.N)
	}
	switch {
	case n <= 0 || t == nil:
		return nil
	case inHark && !t.CanRefocus():
		return ErrCannotRefocus
	}
	return t.EraseIn(win, n)
}

// LookAgain makes the next delivery look for the typing tool again (the settings changed,
// or a tool was installed).
func (d *Delivery) LookAgain() {
	d.mu.Lock()
	d.found, d.typer, d.typerErr = false, nil, nil
	d.mu.Unlock()
}

func (d *Delivery) init() {
	if d.typed == nil {
		d.typed, d.typedWin = map[int]int{}, map[int]string{}
	}
}

func (d *Delivery) findTyper() (Keyboard, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.found {
		find := d.FindTyper
		if find == nil {
			find = FindKeyboard
		}
		d.typer, d.typerErr = find()
		d.found = true
	}
	return d.typer, d.typerErr
}

func (d *Delivery) count(n int, ins string) {
	d.mu.Lock()
	d.init()
	d.typed[n] += utf8.RuneCountInString(ins)
	d.mu.Unlock()
}

// paste puts ins on the clipboard, presses Ctrl+V, and puts the previous clipboard back
// once the target has read it.
func (d *Delivery) paste(t Keyboard, n int, ins string) error {
	prev, err := d.Clipboard.Swap(ins)
	if err != nil {
		return errors.New("pasting failed: the clipboard could not be set (" + err.Error() + ")")
	}
	err = t.Paste()
	if err == nil {
		d.count(n, ins)
	}
	wait := d.PasteRestore
	if wait <= 0 {
		wait = 500 * time.Millisecond
	}
	time.AfterFunc(wait, func() { d.Clipboard.Set(prev) })
	return err
}
