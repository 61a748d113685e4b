package dictation

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestFindTyper(t *testing.T) {
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	have := func(tools ...string) func(string) (string, error) {
		return func(name string) (string, error) {
			for _, t := range tools {
				if t == name {
					return "/usr/bin/" + name, nil
				}
			}
			return "", errors.New("not found")
		}
	}
	x11 := env(map[string]string{"DISPLAY": ":0"})
	wl := env(map[string]string{"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"})
	for _, tc := range []struct {
		name string
		env  func(string) string
		look func(string) (string, error)
		want string
		err  string
	}{
		{"x11 xdotool", x11, have("xdotool", "wtype"), "xdotool", ""},
		{"x11 nothing", x11, have(), "", "apt install xdotool"},
		{"wayland wtype first", wl, have("xdotool", "wtype"), "wtype", ""},
		{"wayland ydotool", wl, have("ydotool"), "ydotool", ""},
		{"xwayland fallback", wl, have("xdotool"), "xdotool", ""},
		{"no display", env(nil), have("xdotool"), "", "graphical session"},
	} {
		ty, err := findTyper(tc.env, tc.look)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || ty.Name() != tc.want {
			t.Errorf("%s: got %v, %v; want %s", tc.name, ty, err, tc.want)
		}
	}
}

func TestTyperRunsTool(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses a shell script")
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	tool := filepath.Join(dir, "xdotool")
	script := "#!/bin/sh\nfor a in \"$@\"; do printf '[%s]' \"$a\" >> " + log + "; done\n"
	if err := os.WriteFile(tool, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	ty := &Typer{tool: tool, args: []string{"type", "--clearmodifiers", "--delay", "4", "--"}}
	if err := ty.Type("hello -world"); err != nil {
		t.Fatal(err)
	}
	// Insert types a piece exactly, no space added; nothing for nothing.
	if err := ty.Insert(", and more"); err != nil {
		t.Fatal(err)
	}
	if err := ty.Insert(""); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(log)
	if got, want := string(b), "[type][--clearmodifiers][--delay][4][--][hello -world ][type][--clearmodifiers][--delay][4][--][, and more]"; got != want {
		t.Errorf("tool got %s, want %s", got, want)
	}
	failing := filepath.Join(dir, "wtype")
	if err := os.WriteFile(failing, []byte("#!/bin/sh\necho 'Compositor does not support the virtual keyboard protocol' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := (&Typer{tool: failing, args: []string{"--"}}).Type("x")
	if err == nil || !strings.Contains(err.Error(), "wtype failed: Compositor does not support") {
		t.Errorf("error %v", err)
	}
}

func TestEraseArgs(t *testing.T) {
	if got := strings.Join(eraseArgs("xdotool", 7), " "); got != "key --clearmodifiers --repeat 7 --delay 4 BackSpace" {
		t.Errorf("xdotool: %s", got)
	}
	if got := strings.Join(eraseArgs("wtype", 2), " "); got != "-k BackSpace -k BackSpace" {
		t.Errorf("wtype: %s", got)
	}
	if got := strings.Join(eraseArgs("ydotool", 1), " "); got != "key 14:1 14:0" {
		t.Errorf("ydotool: %s", got)
	}
	if Typed("héllo") != 6 || Typed("") != 0 {
		t.Errorf("Typed: %d %d", Typed("héllo"), Typed(""))
	}
}

func TestCueSamples(t *testing.T) {
	for _, c := range []Cue{CueStart, CueStop, CueDelivered} {
		x := CueSamples(c, 16000)
		var peak float32
		for _, v := range x {
			peak = max(peak, v, -v)
		}
		if len(x) < 1000 || len(x) > 16000/4 || peak < 0.1 || peak > 0.13 || x[0] != 0 {
			t.Errorf("cue %d: %d samples, peak %v", c, len(x), peak)
		}
	}
}

func TestPasteArgs(t *testing.T) {
	for tool, want := range map[string]string{"xdotool": "key --clearmodifiers ctrl+v", "wtype": "-M ctrl -k v -m ctrl", "ydotool": "key 29:1 47:1 47:0 29:0"} {
		if got := strings.Join(pasteArgs(tool), " "); got != want {
			t.Errorf("%s: %s", tool, got)
		}
	}
}
