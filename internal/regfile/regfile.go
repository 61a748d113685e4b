// Package regfile opens files that Hark reads as input (audio, LMs, hotwords, replacements,
// manifests, archives) and refuses anything that is not a regular file — without blocking:
// a FIFO opened for reading blocks in open(2) until a writer comes, ignoring Ctrl-C (issue 17).
package regfile

import (
	"errors"
	"io/fs"
	"os"
)

// ErrNotRegular is what errors.Is finds in the error for a path that is a FIFO, a device, a
// socket or a directory.
var ErrNotRegular = errors.New("not a regular file")

// Error says that a path is not a regular file, and what it is instead.
type Error struct {
	Path string
	Kind string // "a named pipe", "a device", "a socket", "a directory", "a special file"
}

func (e *Error) Error() string { return e.Path + ": " + e.Kind + ", not a regular file" }

// Is makes errors.Is(err, ErrNotRegular) true.
func (e *Error) Is(target error) bool { return target == ErrNotRegular }

// Open opens path for reading if it is a regular file (following symbolic links). It opens
// with O_NONBLOCK so that a FIFO cannot hang it, checks the open file's type, and then clears
// O_NONBLOCK. Errors name path: an *Error for a file of another kind, else *fs.PathError.
func Open(path string) (*os.File, error) {
	f, err := os.OpenFile(path, openFlags, 0)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, &Error{Path: path, Kind: kind(st.Mode())}
	}
	if err := clearNonblock(f); err != nil {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	return f, nil
}

// Check reports, without opening it, whether path is a regular file (following links).
func Check(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return &Error{Path: path, Kind: kind(st.Mode())}
	}
	return nil
}

func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeCharDevice != 0 || m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m.IsDir():
		return "a directory"
	}
	return "a special file"
}
