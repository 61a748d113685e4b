package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ImportOptions configures Store.Import. The zero value installs under a name derived from
// the source, refuses to replace a model, uses the default Limits and validates nothing
// beyond the file layout.
type ImportOptions struct {
	Name   string // name to install as; "" derives it from the source's file name
	Force  bool   // replace an installed model of the same name
	Limits Limits
	// Validate, if set, checks the unpacked model directory before it is installed (the
	// command line and the app load it with ONNX Runtime and run a short clip through it).
	Validate func(ctx context.Context, dir string) error
	// Progress, if set, is called as the source is read: bytes done out of total.
	Progress func(done, total int64)
	// Create, if set, replaces the function that creates unpacked files (tests use it to
	// simulate a full disk).
	Create CreateFunc
}

// Imported describes a freshly installed model.
type Imported struct {
	Name string
	Dir  string
}

var archiveSuffix = regexp.MustCompile(`(?i)(\.tar\.(bz2|gz|xz)|\.tbz2?|\.tgz|\.txz|\.tar|\.zip)$`)

// NameFor derives an install name from an import source: the file or directory name without
// archive extensions, with characters a name cannot hold replaced by '-'.
func NameFor(src string) string {
	base := filepath.Base(filepath.Clean(src))
	base = archiveSuffix.ReplaceAllString(base, "")
	b := []byte(base)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			b[i] = '-'
		}
	}
	n := strings.TrimLeft(string(b), ".-")
	if len(n) > 64 {
		n = n[:64]
	}
	return n
}

// Import unpacks src (a model directory or a .tar.bz2, .tar.gz, .tar.xz, .tar or .zip archive
// holding one) into a temporary directory inside the store, checks its layout, runs
// opts.Validate on it and only then renames it into place. On any error nothing is left
// behind and an installed model of the same name is untouched.
func (s *Store) Import(ctx context.Context, src string, opts ImportOptions) (*Imported, error) {
	name := opts.Name
	if name == "" {
		name = NameFor(src)
	}
	final, err := s.Path(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w (choose one with --name)", src, err)
	}
	if s.Has(name) && !opts.Force {
		return nil, fmt.Errorf("%s: a model named %q is already installed (use --force to replace it, or --name to choose another name)", src, name)
	}
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("%s: cannot create the models directory: %w", s.Dir, unwrapPath(err))
	}
	s.cleanStale()
	tmp, err := os.MkdirTemp(s.Dir, tempPrefix+"*")
	if err != nil {
		return nil, fmt.Errorf("%s: cannot create a temporary directory: %w", s.Dir, unwrapPath(err))
	}
	defer os.RemoveAll(tmp)
	// Who owns it: a later import removes it at once if this process died (SIGKILL, power).
	if err := os.WriteFile(filepath.Join(tmp, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return nil, fmt.Errorf("%s: %w", tmp, unwrapPath(err))
	}
	unpacked := filepath.Join(tmp, "unpacked")
	if err := os.Mkdir(unpacked, 0o755); err != nil {
		return nil, fmt.Errorf("%s: %w", tmp, unwrapPath(err))
	}
	if err := unpack(ctx, src, unpacked, opts.Limits, opts.Create, opts.Progress); err != nil {
		return nil, err
	}
	root, err := FindModelDir(unpacked)
	if err != nil {
		return nil, relabeled{err, relabel(err.Error(), unpacked, src)}
	}
	if err := describe(root, src, name); err != nil {
		return nil, err
	}
	if opts.Validate != nil {
		if err := opts.Validate(ctx, root); err != nil {
			return nil, relabeled{err, relabel(err.Error(), unpacked, src)}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Install: move a replaced model aside first, so that a failure puts it back. Without
	// --force nothing is moved aside: the rename onto an existing model fails, so two imports
	// of one new name cannot both succeed, the later silently replacing the first (issue 17).
	old := filepath.Join(tmp, "old")
	replaced := false
	if opts.Force && s.Has(name) {
		if err := os.Rename(final, old); err != nil {
			return nil, fmt.Errorf("%s: cannot replace: %w", final, unwrapPath(err))
		}
		replaced = true
	}
	if err := os.Rename(root, final); err != nil {
		if replaced {
			_ = os.Rename(old, final)
		}
		if !opts.Force && s.Has(name) {
			return nil, fmt.Errorf("%s: a model named %q was installed meanwhile (by another import); use --force to replace it, or --name to choose another name", src, name)
		}
		return nil, fmt.Errorf("%s: cannot install: %w", final, unwrapPath(err))
	}
	return &Imported{Name: name, Dir: final}, nil
}

// relabel replaces the temporary unpack directory in a message by the import source, so
// that errors name files as the user knows them (archive.tar.bz2/folder/tokens.txt).
func relabel(msg, tmp, src string) string {
	return strings.ReplaceAll(msg, tmp, strings.TrimSuffix(src, string(filepath.Separator)))
}

// relabeled keeps the wrapped error reachable (errors.Is) under a relabelled message.
type relabeled struct {
	err error
	msg string
}

func (r relabeled) Error() string { return r.msg }
func (r relabeled) Unwrap() error { return r.err }

// FindModelDir finds the model inside an unpacked import: dir itself, or the single folder
// an archive wraps it in (sherpa-onnx archives hold one folder named after the model). It
// refuses, with a message saying what the files are, layouts that are not a single-file CTC
// model with its tokens.txt.
func FindModelDir(dir string) (string, error) {
	for depth := 0; ; depth++ {
		ents, err := os.ReadDir(dir)
		if err != nil {
			return "", fmt.Errorf("%s: %w", dir, unwrapPath(err))
		}
		var onnx, subdirs []string
		hasTokens := false
		for _, e := range ents {
			n := e.Name()
			switch {
			case e.IsDir():
				if !strings.HasPrefix(n, ".") && n != "__MACOSX" {
					subdirs = append(subdirs, n)
				}
			case strings.HasSuffix(strings.ToLower(n), ".onnx"):
				onnx = append(onnx, n)
			case n == "tokens.txt":
				hasTokens = true
			}
		}
		if len(onnx) > 0 {
			return dir, checkLayout(dir, onnx, hasTokens)
		}
		if len(subdirs) == 1 && depth < 3 {
			dir = filepath.Join(dir, subdirs[0])
			continue
		}
		return "", fmt.Errorf("%s: no model.onnx (or model.int8.onnx) found", dir)
	}
}

func checkLayout(dir string, onnx []string, hasTokens bool) error {
	sort.Strings(onnx)
	has := func(n string) bool {
		for _, o := range onnx {
			if o == n {
				return true
			}
		}
		return false
	}
	match := func(part string) bool {
		for _, o := range onnx {
			if strings.Contains(strings.ToLower(o), part) {
				return true
			}
		}
		return false
	}
	list := strings.Join(onnx, ", ")
	switch {
	case has("model.onnx") || has("model.int8.onnx"):
	case match("encoder") && match("decoder") && match("joiner"):
		return fmt.Errorf("%s: holds %s: a transducer (encoder/decoder/joiner) model, which Hark does not support (Hark runs single-file CTC models)", dir, list)
	case match("encoder") && match("decoder"):
		return fmt.Errorf("%s: holds %s: an encoder-decoder (Whisper-style) model, which Hark does not support (Hark runs single-file CTC models)", dir, list)
	case match("preprocess") || match("encode"):
		return fmt.Errorf("%s: holds %s: a multi-part encoder-decoder (Moonshine-style) model, which Hark does not support (Hark runs single-file CTC models)", dir, list)
	default:
		return fmt.Errorf("%s: holds %s but no model.onnx or model.int8.onnx; rename the CTC model file to model.onnx", dir, list)
	}
	if !hasTokens {
		return fmt.Errorf("%s: no tokens.txt beside the model (a CTC model needs its vocabulary)", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "model.json")); err == nil {
		b, err := os.ReadFile(filepath.Join(dir, "model.json"))
		if err != nil {
			return fmt.Errorf("%s/model.json: %w", dir, unwrapPath(err))
		}
		if _, err := ParseSpec(strings.NewReader(string(b))); err != nil {
			return fmt.Errorf("%s/model.json: invalid: %v", dir, err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s/model.json: %w", dir, unwrapPath(err))
	}
	return nil
}

// describe writes a model.json naming where a model without one came from, so that
// `hark models list` can say what it is; the model's own metadata still fills the rest.
func describe(dir, src, name string) error {
	p := filepath.Join(dir, "model.json")
	if _, err := os.Stat(p); err == nil {
		return nil
	}
	b, _ := json.MarshalIndent(map[string]string{
		"name":        name,
		"description": "imported from " + filepath.Base(filepath.Clean(src)),
	}, "", "  ")
	if err := os.WriteFile(p, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("%s: cannot write model.json: %w", src, unwrapPath(err))
	}
	return nil
}

// Prefixes of the store's temporary folders (hidden, so never listed as models).
const (
	tempPrefix   = ".import-"
	ownerFile    = "owner.pid" // in a temporary import directory: the importing process
	removePrefix = ".remove-"
)

// cleanStale deletes temporary folders that an import or removal killed more than a day ago
// left behind (a day, so that a slow import running in another process is never touched).
// cleanStale removes temporary directories of imports that died: at once when their owner is
// gone, after a day when the owner is unknown.
func (s *Store) cleanStale() {
	ents, err := os.ReadDir(s.Dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		n := e.Name()
		if !e.IsDir() || !(strings.HasPrefix(n, tempPrefix) || strings.HasPrefix(n, removePrefix)) {
			continue
		}
		p := filepath.Join(s.Dir, n)
		if ownerDead(p) {
			_ = os.RemoveAll(p)
			continue
		}
		if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > 24*time.Hour {
			_ = os.RemoveAll(p)
		}
	}
}
