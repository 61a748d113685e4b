// Package atomicfile writes files so that they appear complete or not at all: the one place
// in Hark that replaces a file (outputs, models' settings, LMs, history sidecars).
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrNotRegular is wrapped by the error for a path that exists and is not a regular file (a
// device, a FIFO, a directory): such a path is never replaced.
var ErrNotRegular = errors.New("not a regular file, not replaced")

// WriteFile writes data to path atomically; see WriteFunc.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	return WriteFunc(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteFunc writes path atomically: fill writes the content (buffered) to a temporary file in
// the same directory, which is synced and renamed over path only if everything succeeded;
// otherwise it is removed and path is as it was. A new file gets perm; a replaced one keeps
// its permissions. A symbolic link is followed (its target is replaced, the link stays). A
// path that exists and is not a regular file is refused with ErrNotRegular. Errors name the
// path, in one line.
func WriteFunc(path string, perm fs.FileMode, fill func(io.Writer) error) error {
	target := path
	for range 40 { // follow links (a dangling one too: its target is created, the link kept)
		fi, err := os.Lstat(target)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			break
		}
		t, err := os.Readlink(target)
		if err != nil {
			break
		}
		if !filepath.IsAbs(t) {
			t = filepath.Join(filepath.Dir(target), t)
		}
		target = t
	}
	if fi, err := os.Stat(target); err == nil {
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("writing %s: %w", path, ErrNotRegular)
		}
		perm = fi.Mode().Perm()
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, unwrapPath(err))
	}
	tmp := f.Name()
	bw := bufio.NewWriterSize(f, 64*1024)
	err = fill(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Chmod(perm) // CreateTemp makes the file private
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, target)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, unwrapPath(err))
	}
	if d, err := os.Open(dir); err == nil { // make the rename durable; best effort
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// unwrapPath drops an *fs.PathError's own path (the temporary file's), keeping its cause, so
// that the message names the user's path only.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return fmt.Errorf("%s: %w", le.Op, le.Err)
	}
	return err
}
