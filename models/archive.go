package models

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"hark/internal/regfile"
)

// Default caps on what one import may unpack. Real CTC models are at most a few hundred
// megabytes (NeMo Conformer-CTC large in fp32 is about 0.5 GB) in a handful of files.
const (
	DefaultMaxBytes = 4 << 30
	DefaultMaxFiles = 1000
)

// Limits caps what an import may unpack, against archive bombs. Zero fields mean the defaults.
type Limits struct {
	MaxBytes int64 // total bytes of all files written
	MaxFiles int   // number of files and directories written
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxFiles <= 0 {
		l.MaxFiles = DefaultMaxFiles
	}
	return l
}

// ErrLimit is wrapped by errors from an unpack that went over its Limits.
var ErrLimit = errors.New("over the import limit")

// CreateFunc creates a file for writing during an unpack; tests replace it to simulate a
// full disk.
type CreateFunc func(path string, perm fs.FileMode) (io.WriteCloser, error)

func createFile(p string, perm fs.FileMode) (io.WriteCloser, error) {
	return os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
}

// unpacker writes archive entries below root, refusing anything that would land outside it
// and anything over its limits.
type unpacker struct {
	ctx    context.Context
	src    string // archive path, for errors
	root   string
	lim    Limits
	create CreateFunc
	bytes  int64
	files  int
}

// archiveKind names the container formats Unpack understands.
type archiveKind int

const (
	notArchive archiveKind = iota
	kindTar
	kindGzip
	kindBzip2
	kindXz
	kindZip
)

// sniff identifies an archive by its first bytes (not its name).
func sniff(head []byte) archiveKind {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return kindZip
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return kindGzip
	case bytes.HasPrefix(head, []byte("BZh")):
		return kindBzip2
	case bytes.HasPrefix(head, []byte{0xfd, '7', 'z', 'X', 'Z', 0}):
		return kindXz
	case len(head) >= 262 && string(head[257:262]) == "ustar":
		return kindTar
	}
	return notArchive
}

// unpack extracts the archive or copies the directory src into dst (which must exist and
// be empty). progress, if not nil, is called with bytes of src consumed and src's size.
func unpack(ctx context.Context, src, dst string, lim Limits, create CreateFunc, progress func(done, total int64)) error {
	if create == nil {
		create = createFile
	}
	u := &unpacker{ctx: ctx, src: src, root: dst, lim: lim.withDefaults(), create: create}
	st, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("%s: cannot open: %w", src, unwrapPath(err))
	}
	if st.IsDir() {
		return u.copyDir(src, progress)
	}
	f, err := regfile.Open(src)
	if err != nil {
		return fmt.Errorf("%s: cannot open: %w", src, unwrapPath(err))
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	kind := sniff(head)
	if kind == kindZip {
		return u.unzip(f, st.Size(), progress)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	var r io.Reader = &countingReader{r: f, total: st.Size(), progress: progress}
	r = bufio.NewReaderSize(r, 1<<16)
	switch kind {
	case kindTar:
	case kindGzip:
		zr, err := gzip.NewReader(r)
		if err != nil {
			return fmt.Errorf("%s: truncated or corrupt gzip archive: %v", src, err)
		}
		defer zr.Close()
		r = zr
	case kindBzip2:
		r = bzip2.NewReader(r)
	case kindXz:
		xr, stop, err := xzReader(ctx, src, r)
		if err != nil {
			return err
		}
		defer stop()
		r = xr
	default:
		if strings.HasSuffix(strings.ToLower(src), ".onnx") {
			return fmt.Errorf("%s: import the directory holding the model (model.onnx and tokens.txt), not the .onnx file", src)
		}
		return fmt.Errorf("%s: not a model directory or a supported archive (.tar.bz2, .tar.gz, .tar.xz, .tar, .zip)", src)
	}
	return u.untar(r)
}

// xzReader decompresses through the xz program, since Go's standard library has no xz.
func xzReader(ctx context.Context, src string, r io.Reader) (io.Reader, func(), error) {
	bin, err := exec.LookPath("xz")
	if err != nil {
		return nil, nil, fmt.Errorf("%s: .tar.xz archives need the xz program, which is not installed (install xz-utils, or unpack the archive yourself and import the directory)", src)
	}
	cctx, cancel := context.WithCancel(ctx)
	cmd := exec.CommandContext(cctx, bin, "-dc")
	cmd.Stdin = r
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		return nil, nil, fmt.Errorf("%s: xz: %w", src, err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, nil, fmt.Errorf("%s: xz: %w", src, err)
	}
	xr := &xzOut{r: out, cmd: cmd, stderr: &stderr}
	return xr, func() { cancel(); xr.wait() }, nil
}

type xzOut struct {
	r      io.Reader
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	done   bool
	err    error
}

func (x *xzOut) wait() error {
	if !x.done {
		x.done = true
		x.err = x.cmd.Wait()
	}
	return x.err
}

func (x *xzOut) Read(p []byte) (int, error) {
	n, err := x.r.Read(p)
	if err == io.EOF {
		if werr := x.wait(); werr != nil {
			msg := strings.TrimSpace(strings.SplitN(x.stderr.String(), "\n", 2)[0])
			if msg == "" {
				msg = werr.Error()
			}
			return n, errors.New(msg)
		}
	}
	return n, err
}

type countingReader struct {
	r        io.Reader
	n, total int64
	progress func(done, total int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.progress != nil && n > 0 {
		c.progress(c.n, c.total)
	}
	return n, err
}

func (u *unpacker) corrupt(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: truncated archive (unexpected end of data)", u.src)
	}
	return fmt.Errorf("%s: truncated or corrupt archive: %v", u.src, err)
}

func (u *unpacker) untar(r io.Reader) error {
	tr := tar.NewReader(r)
	for {
		if err := u.ctx.Err(); err != nil {
			return err
		}
		h, err := tr.Next()
		if err == io.EOF {
			if u.files == 0 {
				return fmt.Errorf("%s: empty archive", u.src)
			}
			return nil
		}
		if err != nil {
			return u.corrupt(err)
		}
		switch h.Typeflag {
		case tar.TypeDir:
			err = u.dir(h.Name)
		case tar.TypeReg:
			if h.Size > u.lim.MaxBytes-u.bytes {
				return u.tooBig()
			}
			err = u.file(h.Name, fs.FileMode(h.Mode), tr, h.Size)
		case tar.TypeSymlink, tar.TypeLink:
			err = u.link(h.Name, h.Linkname, h.Typeflag == tar.TypeLink)
		case tar.TypeXGlobalHeader:
		default:
			err = fmt.Errorf("%s: entry %q is a special file (type %q), which a model archive never holds", u.src, h.Name, string(h.Typeflag))
		}
		if err != nil {
			return err
		}
	}
}

func (u *unpacker) unzip(f *os.File, size int64, progress func(done, total int64)) error {
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return fmt.Errorf("%s: truncated or corrupt zip archive: %v", u.src, err)
	}
	if len(zr.File) == 0 {
		return fmt.Errorf("%s: empty archive", u.src)
	}
	var done int64
	for _, zf := range zr.File {
		if err := u.ctx.Err(); err != nil {
			return err
		}
		mode := zf.Mode()
		switch {
		case mode.IsDir():
			err = u.dir(zf.Name)
		case mode&fs.ModeSymlink != 0:
			var target []byte
			rc, oerr := zf.Open()
			if oerr != nil {
				return u.corrupt(oerr)
			}
			target, err = io.ReadAll(io.LimitReader(rc, 4096))
			rc.Close()
			if err != nil {
				return u.corrupt(err)
			}
			err = u.link(zf.Name, string(target), false)
		case mode.IsRegular():
			if zf.UncompressedSize64 > uint64(u.lim.MaxBytes-u.bytes) {
				return u.tooBig()
			}
			rc, oerr := zf.Open()
			if oerr != nil {
				return u.corrupt(oerr)
			}
			err = u.file(zf.Name, mode, rc, int64(zf.UncompressedSize64))
			rc.Close()
		default:
			err = fmt.Errorf("%s: entry %q is a special file, which a model archive never holds", u.src, zf.Name)
		}
		if err != nil {
			return err
		}
		done += int64(zf.CompressedSize64)
		if progress != nil {
			progress(min(done, size), size)
		}
	}
	if progress != nil {
		progress(size, size)
	}
	return nil
}

// copyDir copies the regular files below dir (following symlinks to files).
func (u *unpacker) copyDir(dir string, progress func(done, total int64)) error {
	var total, done int64
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
				total += fi.Size()
			}
		}
		return nil
	})
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return fmt.Errorf("%s: cannot read: %w", dir, unwrapPath(err))
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("%s: cannot read: %w", p, unwrapPath(err))
		}
		if cerr := u.ctx.Err(); cerr != nil {
			return cerr
		}
		// A symbolic link is followed only if it stays inside the directory, as in archives
		// (issue 17: a link to /etc/shadow was copied into the store).
		if d.Type()&fs.ModeSymlink != 0 {
			t, err := filepath.EvalSymlinks(p)
			if err != nil {
				return nil // dangling: not part of a model
			}
			if r, err := filepath.Rel(realDir, t); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
				return fmt.Errorf("%s: is a link to %s, outside the directory; refusing to import it", p, t)
			}
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			// Skip version control and the store's own temporary folders (importing a
			// folder that holds the model store must not copy the import into itself).
			if n := d.Name(); n == ".git" || strings.HasPrefix(n, tempPrefix) || strings.HasPrefix(n, removePrefix) {
				return filepath.SkipDir
			}
			return u.dir(rel)
		}
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() {
			return nil // dangling links, sockets and the like are not part of a model
		}
		if fi.Size() > u.lim.MaxBytes-u.bytes {
			return u.tooBig()
		}
		f, err := regfile.Open(p)
		if err != nil {
			return fmt.Errorf("%s: cannot read: %w", p, unwrapPath(err))
		}
		defer f.Close()
		err = u.file(rel, fi.Mode(), &countingReader{r: f}, fi.Size())
		done += fi.Size()
		if err == nil && progress != nil {
			progress(done, total)
		}
		return err
	})
}

func (u *unpacker) tooBig() error {
	return fmt.Errorf("%s: unpacks to more than %d bytes (an archive bomb?); raise the limit with --max-size: %w", u.src, u.lim.MaxBytes, ErrLimit)
}

// target maps an entry name to a path below root, refusing absolute names and names that
// climb out with "..".
func (u *unpacker) target(name string) (string, error) {
	n := strings.ReplaceAll(name, "\\", "/")
	if strings.HasPrefix(n, "/") || (len(n) >= 2 && n[1] == ':') {
		return "", fmt.Errorf("%s: entry %q has an absolute path; refusing to unpack it", u.src, name)
	}
	for _, part := range strings.Split(n, "/") {
		if part == ".." {
			return "", fmt.Errorf("%s: entry %q climbs out of the archive with \"..\" (path traversal); refusing to unpack it", u.src, name)
		}
	}
	c := path.Clean(n)
	if c == "." || c == "" {
		return "", nil
	}
	return filepath.Join(u.root, filepath.FromSlash(c)), nil
}

func (u *unpacker) count() error {
	u.files++
	if u.files > u.lim.MaxFiles {
		return fmt.Errorf("%s: holds more than %d files (an archive bomb?); raise the limit with --max-files: %w", u.src, u.lim.MaxFiles, ErrLimit)
	}
	return nil
}

func (u *unpacker) dir(name string) error {
	p, err := u.target(name)
	if err != nil || p == "" {
		return err
	}
	if err := u.count(); err != nil {
		return err
	}
	if err := os.MkdirAll(p, 0o755); err != nil {
		return fmt.Errorf("%s: cannot create %s: %w", u.src, name, unwrapPath(err))
	}
	return nil
}

// link handles symbolic and hard links: those that point outside the archive are refused;
// those that stay inside are skipped (a model never needs them, and not creating links
// means no later entry can be written through one).
func (u *unpacker) link(name, target string, hard bool) error {
	if _, err := u.target(name); err != nil {
		return err
	}
	t := strings.ReplaceAll(target, "\\", "/")
	resolved := t
	if !hard {
		resolved = path.Join(path.Dir(strings.ReplaceAll(name, "\\", "/")), t)
	}
	if strings.HasPrefix(t, "/") || resolved == ".." || strings.HasPrefix(path.Clean(resolved), "../") {
		return fmt.Errorf("%s: entry %q is a link to %q, outside the archive; refusing to unpack it", u.src, name, target)
	}
	return nil
}

type writeErr struct{ err error }

func (w writeErr) Error() string { return w.err.Error() }

type trackingWriter struct{ w io.Writer }

func (t trackingWriter) Write(p []byte) (int, error) {
	n, err := t.w.Write(p)
	if err != nil {
		err = writeErr{err}
	}
	return n, err
}

func (u *unpacker) file(name string, mode fs.FileMode, r io.Reader, size int64) error {
	p, err := u.target(name)
	if err != nil {
		return err
	}
	if p == "" {
		return fmt.Errorf("%s: entry %q is not a file name", u.src, name)
	}
	if err := u.count(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("%s: cannot create the folder for %s: %w", u.src, name, unwrapPath(err))
	}
	w, err := u.create(p, mode.Perm()&0o755|0o600)
	if err != nil {
		return fmt.Errorf("%s: cannot create %s: %w", u.src, name, unwrapPath(err))
	}
	// Copy at most one byte more than the limit allows, to notice an entry that lies about
	// its size.
	room := u.lim.MaxBytes - u.bytes
	n, err := io.Copy(trackingWriter{w}, io.LimitReader(r, room+1))
	u.bytes += n
	cerr := w.Close()
	var we writeErr
	switch {
	case errors.As(err, &we):
		return fmt.Errorf("%s: cannot write %s: %w", u.src, name, unwrapPath(we.err))
	case err != nil:
		return u.corrupt(err)
	case cerr != nil:
		return fmt.Errorf("%s: cannot write %s: %w", u.src, name, unwrapPath(cerr))
	case n > room:
		return u.tooBig()
	case size >= 0 && n != size:
		return fmt.Errorf("%s: truncated archive (%s has %d of %d bytes)", u.src, name, n, size)
	}
	return nil
}

// unwrapPath drops the *PathError wrapper (whose temporary path means nothing to a user).
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
