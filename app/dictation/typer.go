package dictation

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
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
	args := append(append([]string(nil), t.args...), text+" ")
	out, err := exec.Command(t.tool, args...).CombinedOutput()
	if err != nil {
		msg := strings.TrimSpace(string(out))
		if msg == "" {
			msg = err.Error()
		}
		return fmt.Errorf("typing with %s failed: %s", t.Name(), msg)
	}
	return nil
}
