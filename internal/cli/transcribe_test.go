package cli

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hark/audio/audiofile"
)

// issue 18: withPath decided by string search whether a message named the file, so a file
// called "a" never got its name on "bad data"; it now asks the error's type.
func TestWithPathByType(t *testing.T) {
	if got := withPath("a", errors.New("bad data")).Error(); got != "a: bad data" {
		t.Errorf("plain error: %q", got)
	}
	_, _, err := audiofile.Open(filepath.Join(t.TempDir(), "missing.wav"))
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		t.Fatalf("%v: not a path error", err)
	}
	if got := withPath(pe.Path, err); got != err {
		t.Errorf("named twice: %q", got)
	}
	empty := filepath.Join(t.TempDir(), "empty.wav")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = audiofile.Open(empty)
	var fe *audiofile.FileError
	if !errors.As(err, &fe) || fe.Path != empty || !errors.Is(err, audiofile.ErrUnsupported) {
		t.Fatalf("%v: want an *audiofile.FileError for %s that is ErrUnsupported", err, empty)
	}
	if got := withPath(empty, err).Error(); strings.Count(got, empty) != 1 {
		t.Errorf("%q names the file %d times", got, strings.Count(got, empty))
	}
}
