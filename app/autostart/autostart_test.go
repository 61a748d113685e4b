package autostart

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEnableDisable(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	want := filepath.Join(cfg, "autostart", "hark.desktop")
	if p, err := Path(); err != nil || p != want {
		t.Fatalf("Path() = %q, %v", p, err)
	}
	if Enabled() {
		t.Fatal("enabled before Enable")
	}
	if err := Disable(); err != nil {
		t.Fatalf("Disable with no entry: %v", err)
	}
	exe := filepath.Join(cfg, "my apps", "hark")
	if err := Enable(exe, "gui"); err != nil {
		t.Fatal(err)
	}
	if !Enabled() {
		t.Fatal("not enabled after Enable")
	}
	b, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, line := range []string{"[Desktop Entry]", "Type=Application", "Name=Hark", `Exec="` + exe + `" gui`} {
		if !strings.Contains(text, line+"\n") && !strings.HasPrefix(text, line+"\n") {
			t.Errorf("entry lacks %q:\n%s", line, text)
		}
	}
	if err := Disable(); err != nil || Enabled() {
		t.Fatalf("Disable: %v, still enabled %v", err, Enabled())
	}

	// Without XDG_CONFIG_HOME (or with a relative one): ~/.config.
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, v := range []string{"", "relative/dir"} {
		t.Setenv("XDG_CONFIG_HOME", v)
		if p, _ := Path(); p != filepath.Join(home, ".config", "autostart", "hark.desktop") {
			t.Errorf("XDG_CONFIG_HOME=%q: %q", v, p)
		}
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"hark":           "hark",
		"/opt/hark/hark": "/opt/hark/hark",
		"/a b/hark":      `"/a b/hark"`,
		`/x/"q"$y`:       `"/x/\"q\"\$y"`,
		"100%":           "100%%",
		"":               `""`,
	} {
		if got := quote(in); got != want {
			t.Errorf("quote(%q) = %s, want %s", in, got, want)
		}
	}
}
