package lm

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"strings"

	"hark/internal/atomicfile"
	"hark/internal/regfile"
)

// Read reads a model in either format, telling them apart by content: Hark binary (by its
// magic), gzip-compressed ARPA, or ARPA text. size is the length of r if known, else -1.
func Read(r io.Reader, size int64, name string) (*Model, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	head, _ := br.Peek(len(magic))
	switch {
	case bytes.Equal(head, []byte(magic)):
		return ReadBinary(br, size, name)
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, errorf(name, 0, "gzip: %v", err)
		}
		defer zr.Close()
		return ReadARPA(zr, name)
	}
	return ReadARPA(br, name)
}

// Load reads a model file from disk (binary, ARPA or ARPA.gz).
func Load(path string) (*Model, error) {
	f, err := regfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size := int64(-1)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	return Read(f, size, path)
}

// LoadFS reads a model file from a file system (for example a model directory or an
// embedded one); label prefixes the name in errors.
func LoadFS(fsys fs.FS, name, label string) (*Model, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size := int64(-1)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	if label != "" {
		name = strings.TrimSuffix(label, "/") + "/" + name
	}
	return Read(f, size, name)
}

// Save writes m to path, as ARPA text if the name ends in .arpa, else in the binary
// format. The file appears complete or not at all.
func Save(path string, m *Model) error {
	return atomicfile.WriteFunc(path, 0o644, func(w io.Writer) error {
		if strings.HasSuffix(strings.ToLower(path), ".arpa") {
			return WriteARPA(w, m)
		}
		return WriteBinary(w, m)
	})
}

// IsFormatError reports whether err says a model file is malformed (rather than, say,
// missing).
func IsFormatError(err error) bool { return errors.Is(err, ErrFormat) }
