package models

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"hark/internal/atomicfile"
)

// Store is the set of installed models: one directory per model under Dir, plus a small
// settings file remembering which model is the user's default.
type Store struct {
	Dir      string // models directory, e.g. ~/.local/share/hark/models
	Settings string // settings file, e.g. ~/.config/hark/models.json
}

// DefaultStore is the store in the XDG base directories: $XDG_DATA_HOME/hark/models
// (default ~/.local/share/hark/models) and $XDG_CONFIG_HOME/hark/models.json (default
// ~/.config/hark/models.json).
func DefaultStore() (*Store, error) {
	data, err := xdgDir("XDG_DATA_HOME", ".local/share")
	if err != nil {
		return nil, err
	}
	conf, err := xdgDir("XDG_CONFIG_HOME", ".config")
	if err != nil {
		return nil, err
	}
	return &Store{Dir: filepath.Join(data, "hark", "models"), Settings: filepath.Join(conf, "hark", "models.json")}, nil
}

func xdgDir(env, fallback string) (string, error) {
	if d := os.Getenv(env); d != "" && filepath.IsAbs(d) {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the model store: $%s is not set and %w", env, err)
	}
	return filepath.Join(home, filepath.FromSlash(fallback)), nil
}

// Entry is one model in the store's listing.
type Entry struct {
	Name     string
	Dir      string // "" for the embedded model
	Embedded bool
	Default  bool  // the model used when no --model is given
	Size     int64 // bytes on disk (the ONNX file for the embedded model)
	Spec     Spec  // model.json, if any
}

// ValidName reports whether name can name an installed model: 1 to 64 letters, digits,
// '.', '_' or '-', not starting with '.' or '-', and not the embedded model's name.
func ValidName(name string) error {
	if name == DefaultName {
		return fmt.Errorf("model name %q is reserved for the embedded model", name)
	}
	if name == "" || len(name) > 64 || name[0] == '.' || name[0] == '-' {
		return fmt.Errorf("invalid model name %q (use 1-64 letters, digits, '.', '_' or '-', not starting with '.' or '-')", name)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return fmt.Errorf("invalid model name %q (use 1-64 letters, digits, '.', '_' or '-', not starting with '.' or '-')", name)
		}
	}
	return nil
}

// Path is the directory an installed model named name lives in (whether or not it exists).
func (s *Store) Path(name string) (string, error) {
	if err := ValidName(name); err != nil {
		return "", err
	}
	return filepath.Join(s.Dir, name), nil
}

// Has reports whether a model named name is installed.
func (s *Store) Has(name string) bool {
	p, err := s.Path(name)
	if err != nil {
		return false
	}
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// Open loads the model named name: the embedded model for "default", else an installed one.
func (s *Store) Open(name string) (*Model, error) {
	if name == DefaultName {
		return Default()
	}
	p, err := s.Path(name)
	if err != nil {
		return nil, err
	}
	if !s.Has(name) {
		return nil, fmt.Errorf("%s: no such model (see `hark models list`)", name)
	}
	return LoadDir(p)
}

// List returns the embedded model followed by the installed models in name order.
// Directories that are not loadable models are listed with an empty Spec.
func (s *Store) List() ([]Entry, error) {
	def := s.DefaultModel()
	out := []Entry{{Name: DefaultName, Embedded: true, Default: def == DefaultName}}
	if m, err := Default(); err == nil {
		out[0].Spec, out[0].Size = m.Spec, int64(len(m.ONNX))
	}
	ents, err := os.ReadDir(s.Dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return out, fmt.Errorf("%s: cannot list models: %w", s.Dir, err)
	}
	var names []string
	for _, e := range ents {
		if e.IsDir() && ValidName(e.Name()) == nil {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, n := range names {
		dir := filepath.Join(s.Dir, n)
		e := Entry{Name: n, Dir: dir, Default: def == n, Size: dirSize(dir)}
		if b, err := os.ReadFile(filepath.Join(dir, "model.json")); err == nil {
			if sp, err := ParseSpec(strings.NewReader(string(b))); err == nil {
				e.Spec = sp
			}
		}
		out = append(out, e)
	}
	return out, nil
}

func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// Remove deletes an installed model. The embedded model cannot be removed; removing the
// user's default model makes the embedded model the default again.
func (s *Store) Remove(name string) error {
	if name == DefaultName {
		return fmt.Errorf("%s: the embedded model cannot be removed", name)
	}
	p, err := s.Path(name)
	if err != nil {
		return err
	}
	if !s.Has(name) {
		return fmt.Errorf("%s: no such model (see `hark models list`)", name)
	}
	// Rename first so that a half-finished removal never leaves a half model under its name.
	tmp, err := os.MkdirTemp(s.Dir, removePrefix+"*")
	if err != nil {
		return fmt.Errorf("%s: cannot remove: %w", p, err)
	}
	if err := os.Rename(p, filepath.Join(tmp, name)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("%s: cannot remove: %w", p, err)
	}
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("%s: cannot remove: %w", p, err)
	}
	if s.DefaultModel() == name {
		return s.SetDefault(DefaultName)
	}
	return nil
}

type settings struct {
	Default string `json:"default,omitempty"`
}

// DefaultModel is the name of the model used when none is given: the one stored with
// SetDefault if it is still installed, else the embedded model.
func (s *Store) DefaultModel() string {
	b, err := os.ReadFile(s.Settings)
	if err != nil {
		return DefaultName
	}
	var st settings
	if json.Unmarshal(b, &st) != nil || st.Default == "" || (st.Default != DefaultName && !s.Has(st.Default)) {
		return DefaultName
	}
	return st.Default
}

// SetDefault stores name as the model to use when none is given.
func (s *Store) SetDefault(name string) error {
	if name != DefaultName && !s.Has(name) {
		if err := ValidName(name); err != nil {
			return err
		}
		return fmt.Errorf("%s: no such model (see `hark models list`)", name)
	}
	b, _ := json.MarshalIndent(settings{Default: name}, "", "  ")
	if err := os.MkdirAll(filepath.Dir(s.Settings), 0o755); err != nil {
		return fmt.Errorf("%s: %w", s.Settings, err)
	}
	return atomicfile.WriteFile(s.Settings, append(b, '\n'), 0o644)
}
