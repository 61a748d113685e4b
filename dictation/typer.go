package dictation

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrNoTyper says that no tool to type into other windows is installed; its message names
// what to install.
var ErrNoTyper = errors.New("typing into other windows needs xdotool on X11 (apt install xdotool) or wtype on Wayland (apt install wtype)")

// Typer types text into the window that has the keyboard focus, with whichever tool the
// session supports: xdotool on X11, wtype (or ydotool) on Wayland.
type Typer struct {
	tool string   // path of the tool
	args []string // arguments before the text
}

// FindTyper picks the typing tool for this desktop session, or returns ErrNoTyper.
func FindTyper() (*Typer, error) { return findTyper(os.Getenv, exec.LookPath) }

func findTyper(getenv func(string) string, look func(string) (string, error)) (*Typer, error) {
	type cand struct {
		tool string
		args []string
	}
	var cands []cand
	wayland := getenv("WAYLAND_DISPLAY") != ""
	x11 := getenv("DISPLAY") != ""
	if wayland {
		cands = append(cands, cand{"wtype", []string{"--"}}, cand{"ydotool", []string{"type", "--"}})
	}
	if x11 {
		// --clearmodifiers: the shortcut that triggered dictation may still be held.
		cands = append(cands, cand{"xdotool", []string{"type", "--clearmodifiers", "--delay", "4", "--"}})
	}
	if !wayland && !x11 {
		return nil, errors.New("typing into other windows needs a graphical session (no DISPLAY or WAYLAND_DISPLAY)")
	}
	for _, c := range cands {
		if p, err := look(c.tool); err == nil {
			return &Typer{tool: p, args: c.args}, nil
		}
	}
	return nil, ErrNoTyper
}

// Name is the tool's name.
func (t *Typer) Name() string {
	i := strings.LastIndexAny(t.tool, `/\`)
	return t.tool[i+1:]
}

// Type sends text (followed by a space, so consecutive utterances stay apart) as key
// presses.
func (t *Typer) Type(text string) error {
	if text == "" {
		return nil
	}
	return t.Insert(text + " ")
}

// Insert sends text exactly as it is as key presses (the pieces of an utterance that comes
// in pieces, the separating space only after the last).
func (t *Typer) Insert(text string) error {
	if text == "" {
		return nil
	}
	return t.run("typing", append(append([]string(nil), t.args...), text)...)
}

// run runs the tool; a failure says what was being done and what the tool said.
func (t *Typer) run(doing string, args ...string) error {
	out, err := exec.Command(t.tool, args...).CombinedOutput()
	if err != nil {
		msg := strings.TrimSpace(string(out))
		if msg == "" {
			msg = err.Error()
		}
		return fmt.Errorf("%s with %s failed: %s", doing, t.Name(), msg)
	}
	return nil
}

// Erase sends n backspaces (undoing n typed characters).
func (t *Typer) Erase(n int) error {
	if n <= 0 {
		return nil
	}
	return t.run("erasing", eraseArgs(t.Name(), n)...)
}

// CanRefocus says whether the tool can give the keyboard focus back to the window it typed
// into (xdotool on X11); on Wayland no tool may, so erasing goes to whatever has the focus.
func (t *Typer) CanRefocus() bool { return t.Name() == "xdotool" }

// ErrCannotRefocus says why an undo started from Hark's own window left typed text in place.
var ErrCannotRefocus = errors.New("the text typed into the other window was left there: on Wayland Hark cannot give that window the focus back, and erasing from here would erase in Hark's own window; remove it there by hand, or undo by voice (\"scratch that\") or with the hotkey while that window has the focus")

// ActiveWindow names the window that has the keyboard focus, where the tool can tell (xdotool
// on X11), else "".
func (t *Typer) ActiveWindow() string {
	if t.Name() != "xdotool" {
		return ""
	}
	out, err := exec.Command(t.tool, "getactivewindow").Output()
	if err != nil {
		// No window manager to ask (_NET_ACTIVE_WINDOW): the X server's input focus.
		if out, err = exec.Command(t.tool, "getwindowfocus").Output(); err != nil {
			return ""
		}
	}
	return strings.TrimSpace(string(out))
}

// EraseIn sends n backspaces to window (an ActiveWindow value), focusing it first, so that
// an undo started from Hark's own window takes the text back from the app that received it
// rather than from Hark's window (issue 17). With window "" it is Erase.
func (t *Typer) EraseIn(window string, n int) error {
	if window == "" || t.Name() != "xdotool" {
		return t.Erase(n)
	}
	if n <= 0 {
		return nil
	}
	args := append([]string{"windowactivate", "--sync", window}, eraseArgs("xdotool", n)...)
	if t.run("erasing", args...) == nil {
		return nil
	}
	// Without a window manager (_NET_ACTIVE_WINDOW) windowactivate fails: set the input focus
	// directly instead.
	args[0] = "windowfocus"
	return t.run("erasing", args...)
}

// eraseArgs are the arguments that make tool press BackSpace n times.
func eraseArgs(tool string, n int) []string {
	var args []string
	switch tool {
	case "wtype":
		for range n {
			args = append(args, "-k", "BackSpace")
		}
	case "ydotool":
		args = []string{"key"}
		for range n {
			args = append(args, "14:1", "14:0") // KEY_BACKSPACE down, up
		}
	default: // xdotool
		args = []string{"key", "--clearmodifiers", "--repeat", strconv.Itoa(n), "--delay", "4", "BackSpace"}
	}
	return args
}

// Typed is how many characters Type sends for text (the text and a space).
func Typed(text string) int {
	if text == "" {
		return 0
	}
	return utf8.RuneCountInString(text) + 1
}

// Paste presses Ctrl+V in the focused window (after the text was put on the clipboard).
func (t *Typer) Paste() error {
	return t.run("pasting", pasteArgs(t.Name())...)
}

func pasteArgs(tool string) []string {
	switch tool {
	case "wtype":
		return []string{"-M", "ctrl", "-k", "v", "-m", "ctrl"}
	case "ydotool":
		return []string{"key", "29:1", "47:1", "47:0", "29:0"} // KEY_LEFTCTRL, KEY_V
	}
	return []string{"key", "--clearmodifiers", "ctrl+v"}
}
