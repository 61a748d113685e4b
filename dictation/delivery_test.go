package dictation

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// memClipboard is a clipboard in memory.
type memClipboard struct {
	mu   sync.Mutex
	text string
	prev map[int]string
}

func (c *memClipboard) Copy(n int, text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.prev[n]; !ok {
		c.prev[n] = c.text
	}
	c.text = text
}

func (c *memClipboard) Restore(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.prev[n]; ok {
		delete(c.prev, n)
		c.text = p
	}
}

func (c *memClipboard) Swap(text string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.text
	c.text = text
	return p, nil
}

func (c *memClipboard) Set(text string) { c.mu.Lock(); c.text = text; c.mu.Unlock() }

func (c *memClipboard) get() string { c.mu.Lock(); defer c.mu.Unlock(); return c.text }

// fakeTool writes a typing tool NAME into a directory that logs its arguments, one call a
// line; its log is returned by the function.
func fakeTool(t *testing.T, name string) (*Typer, func() []string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("uses a shell script")
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	tool := filepath.Join(dir, name)
	script := "#!/bin/sh\nfor a in \"$@\"; do printf '[%s]' \"$a\" >> " + log + "; done\necho >> " + log + "\n"
	if err := os.WriteFile(tool, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return &Typer{tool: tool, args: []string{"--"}}, func() []string {
		b, _ := os.ReadFile(log)
		return strings.Split(strings.TrimSpace(string(b)), "\n")
	}
}

// The delivery rules the window and hark listen share: the text of each piece, the space once
// an utterance is over, the clipboard as a fallback, and an undo that takes back exactly what
// was typed — or, where the focus cannot be given back (Wayland), leaves it and says so.
func TestDelivery(t *testing.T) {
	ty, calls := fakeTool(t, "wtype")
	cb := &memClipboard{text: "precious", prev: map[int]string{}}
	opts := DeliveryOptions{Type: true}
	d := &Delivery{Options: func() DeliveryOptions { return opts }, Clipboard: cb,
		FindTyper: func() (Keyboard, error) { return ty, nil }, PasteRestore: time.Millisecond}

	where, err := d.Deliver(Utterance{N: 1, Text: "Hello", Append: "Hello", Open: true})
	if err != nil || where != "typed with wtype" {
		t.Fatalf("%q %v", where, err)
	}
	if _, err := d.Deliver(Utterance{N: 1, Text: "Hello world.", Append: " world."}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(calls(), "|"); got != "[--][Hello]|[--][ world. ]" {
		t.Errorf("typed %q", got)
	}
	// From Hark's own window on Wayland: nothing erased, and why.
	if err := d.Retract(Utterance{N: 1}, true); !errors.Is(err, ErrCannotRefocus) {
		t.Errorf("undo in Hark on Wayland: %v", err)
	}
	if n := len(calls()); n != 2 {
		t.Errorf("%d calls after the refused undo", n)
	}
	// Typed again, then undone from elsewhere: 12 backspaces ("Hello world. ").
	d.Deliver(Utterance{N: 2, Text: "Hello world.", Append: "Hello world."})
	if err := d.Retract(Utterance{N: 2}, false); err != nil {
		t.Fatal(err)
	}
	last := calls()[len(calls())-1]
	if strings.Count(last, "BackSpace") != len("Hello world. ") {
		t.Errorf("erase call %q", last)
	}

	// Copy: the clipboard holds the utterance, and undo puts back what was there.
	opts = DeliveryOptions{Copy: true}
	if where, _ := d.Deliver(Utterance{N: 3, Text: "Copied."}); where != "copied to the clipboard" || cb.get() != "Copied." {
		t.Errorf("%q, clipboard %q", where, cb.get())
	}
	d.Retract(Utterance{N: 3}, true)
	if cb.get() != "precious" {
		t.Errorf("after undo the clipboard holds %q", cb.get())
	}

	// No typing tool: the text waits on the clipboard, with the error.
	d2 := &Delivery{Options: func() DeliveryOptions { return DeliveryOptions{Type: true} }, Clipboard: cb,
		FindTyper: func() (Keyboard, error) { return nil, ErrNoTyper }}
	where, err = d2.Deliver(Utterance{N: 1, Text: "Waiting."})
	if !errors.Is(err, ErrNoTyper) || !strings.Contains(where, "clipboard") || cb.get() != "Waiting." {
		t.Errorf("%q %v, clipboard %q", where, err, cb.get())
	}
}
