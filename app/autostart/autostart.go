package autostart

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"hark/internal/atomicfile"
)

// FileName is the name of Hark's autostart entry.
const FileName = "hark.desktop"

// Path is where the autostart entry goes: $XDG_CONFIG_HOME/autostart/hark.desktop, or
// ~/.config/autostart/hark.desktop when XDG_CONFIG_HOME is unset or not absolute.
func Path() (string, error) {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("autostart: cannot find the home directory: %w", err)
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "autostart", FileName), nil
}

// Enabled reports whether the autostart entry exists.
func Enabled() bool {
	p, err := Path()
	if err != nil {
		return false
	}
	_, err = os.Stat(p)
	return err == nil
}

// Enable writes the autostart entry; it runs exe (the hark binary) with args at login.
func Enable(exe string, args ...string) error {
	p, err := Path()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("autostart: %w", err)
	}
	cmd := []string{quote(exe)}
	for _, a := range args {
		cmd = append(cmd, quote(a))
	}
	entry := "[Desktop Entry]\nType=Application\nName=Hark\nComment=Offline speech recognition and dictation\n" +
		"Exec=" + strings.Join(cmd, " ") + "\nIcon=hark\nTerminal=false\nCategories=Utility;Accessibility;\n" +
		"X-GNOME-Autostart-enabled=true\n"
	if err := atomicfile.WriteFile(p, []byte(entry), 0o644); err != nil {
		return fmt.Errorf("autostart: %w", err)
	}
	return nil
}

// Disable removes the autostart entry (it is not an error when there is none).
func Disable() error {
	p, err := Path()
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("autostart: %w", err)
	}
	return nil
}

// quote writes an Exec argument as the Desktop Entry specification asks: arguments with
// reserved characters in double quotes, with ", `, $ and \ escaped; % doubled.
func quote(s string) string {
	s = strings.ReplaceAll(s, "%", "%%")
	if s != "" && !strings.ContainsAny(s, " \t\n\"'\\><~|&;$*?#()`=") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "`", "\\`", `$`, `\$`)
	return `"` + r.Replace(s) + `"`
}
