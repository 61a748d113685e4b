package models

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const fixtures = "../testdata/models/import"

func newStore(t *testing.T) *Store {
	t.Helper()
	d := t.TempDir()
	return &Store{Dir: filepath.Join(d, "data", "hark", "models"), Settings: filepath.Join(d, "config", "hark", "models.json")}
}

// assertClean checks that the models directory holds exactly the named models and no
// leftovers of a failed import.
func assertClean(t *testing.T, s *Store, want ...string) {
	t.Helper()
	ents, err := os.ReadDir(s.Dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("models directory holds %v, want %v", got, want)
	}
}

// oneLine checks that an error is a single line naming what it should.
func oneLine(t *testing.T, err error, wants ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one mentioning %q", wants)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("error spans lines: %q", msg)
	}
	for _, w := range wants {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not mention %q", msg, w)
		}
	}
}

func TestNameFor(t *testing.T) {
	for in, want := range map[string]string{
		"/x/sherpa-onnx-nemo-ctc-en-conformer-small.tar.bz2": "sherpa-onnx-nemo-ctc-en-conformer-small",
		"model.TAR.GZ":     "model",
		"a b/c d.zip":      "c-d",
		"dir/my model/":    "my-model",
		".hidden.tar.xz":   "hidden",
		"stt_en_citrinet":  "stt_en_citrinet",
		"x.tgz":            "x",
		"weird:name!.tar":  "weird-name-",
		"../../etc/passwd": "passwd",
	} {
		if got := NameFor(in); got != want {
			t.Errorf("NameFor(%q) = %q, want %q", in, got, want)
		}
	}
	for _, bad := range []string{"", "default", ".x", "-x", "a/b", "a b", strings.Repeat("x", 65), "..", "é"} {
		if ValidName(bad) == nil {
			t.Errorf("ValidName(%q) accepted", bad)
		}
	}
}

func TestImportFormats(t *testing.T) {
	cases := []struct {
		src, name, onnx string
	}{
		{"sherpa-onnx-nemo-ctc-en-conformer-small.tar.bz2", "sherpa-onnx-nemo-ctc-en-conformer-small", "model.int8.onnx"},
		{"sherpa-onnx-nemo-ctc-en-citrinet-512.tar.gz", "sherpa-onnx-nemo-ctc-en-citrinet-512", "model.onnx"},
		{"sherpa-onnx-zipformer-ctc-en.zip", "sherpa-onnx-zipformer-ctc-en", "model.onnx"},
		{"hark-tones.tar.xz", "hark-tones", "model.onnx"},
		{"../tones", "tones", "model.onnx"},
	}
	s := newStore(t)
	var names []string
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if strings.HasSuffix(c.src, ".xz") {
				if _, err := exec.LookPath("xz"); err != nil {
					t.Skip("xz not installed")
				}
			}
			var calls int
			var last, total int64
			validated := ""
			im, err := s.Import(context.Background(), filepath.Join(fixtures, c.src), ImportOptions{
				Progress: func(d, tot int64) { calls++; last, total = d, tot },
				Validate: func(_ context.Context, dir string) error { validated = dir; return nil },
			})
			if err != nil {
				t.Fatal(err)
			}
			names = append(names, c.name)
			if im.Name != c.name {
				t.Errorf("installed as %q, want %q", im.Name, c.name)
			}
			if validated == "" || strings.HasPrefix(validated, im.Dir) {
				t.Errorf("validated %q: want the temporary directory, before install", validated)
			}
			if calls == 0 || last != total || total <= 0 {
				t.Errorf("progress: %d calls, last %d of %d", calls, last, total)
			}
			m, err := s.Open(c.name)
			if err != nil {
				t.Fatal(err)
			}
			if m.ONNXName != c.onnx || len(m.Tokens) == 0 {
				t.Errorf("loaded %s with %d token bytes", m.ONNXName, len(m.Tokens))
			}
		})
	}
	ents, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != len(names)+1 || !ents[0].Embedded || !ents[0].Default {
		t.Fatalf("list: %+v", ents)
	}
	assertClean(t, s, sortedCopy(names)...)
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	for i := range c {
		for j := i + 1; j < len(c); j++ {
			if c[j] < c[i] {
				c[i], c[j] = c[j], c[i]
			}
		}
	}
	return c
}

func TestStoreDefaultAndRemove(t *testing.T) {
	s := newStore(t)
	if s.DefaultModel() != DefaultName {
		t.Fatal("fresh store: default is not the embedded model")
	}
	oneLine(t, s.Remove(DefaultName), "cannot be removed")
	oneLine(t, s.SetDefault("nope"), "no such model")
	oneLine(t, s.Remove("nope"), "no such model")
	if _, err := s.Import(context.Background(), "../testdata/models/tones", ImportOptions{Name: "t1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDefault("t1"); err != nil {
		t.Fatal(err)
	}
	if s.DefaultModel() != "t1" {
		t.Fatalf("default %q", s.DefaultModel())
	}
	ents, _ := s.List()
	if len(ents) != 2 || ents[0].Default || !ents[1].Default || ents[1].Spec.Name != "tones" || ents[1].Size == 0 {
		t.Fatalf("list: %+v", ents)
	}
	if err := s.Remove("t1"); err != nil {
		t.Fatal(err)
	}
	if s.DefaultModel() != DefaultName {
		t.Fatal("removing the default model did not restore the embedded default")
	}
	assertClean(t, s)
}

func TestImportExistingName(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if _, err := s.Import(ctx, "../testdata/models/tones", ImportOptions{Name: "m"}); err != nil {
		t.Fatal(err)
	}
	_, err := s.Import(ctx, "../testdata/models/tones-int8", ImportOptions{Name: "m"})
	oneLine(t, err, "already installed", "--force")
	// A failed forced import keeps the old model.
	_, err = s.Import(ctx, filepath.Join(fixtures, "refuse/no-tokens"), ImportOptions{Name: "m", Force: true})
	oneLine(t, err, "no tokens.txt")
	b, _ := os.ReadFile(filepath.Join(s.Dir, "m", "model.json"))
	if !bytes.Contains(b, []byte(`"tones"`)) {
		t.Fatalf("old model damaged: %s", b)
	}
	if _, err := s.Import(ctx, "../testdata/models/tones-int8", ImportOptions{Name: "m", Force: true}); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(filepath.Join(s.Dir, "m", "model.json"))
	if !bytes.Contains(b, []byte(`"tones-int8"`)) {
		t.Fatalf("not replaced: %s", b)
	}
	_, err = s.Import(ctx, "../testdata/models/tones", ImportOptions{Name: "default"})
	oneLine(t, err, "reserved")
	assertClean(t, s, "m")
}

func TestImportRefusesLayouts(t *testing.T) {
	for dir, want := range map[string]string{
		"transducer": "transducer",
		"whisper":    "Whisper",
		"no-tokens":  "no tokens.txt",
		"no-model":   "no model.onnx",
	} {
		t.Run(dir, func(t *testing.T) {
			s := newStore(t)
			_, err := s.Import(context.Background(), filepath.Join(fixtures, "refuse", dir), ImportOptions{})
			oneLine(t, err, want)
			assertClean(t, s)
		})
	}
}

func TestImportValidateFailure(t *testing.T) {
	s := newStore(t)
	_, err := s.Import(context.Background(), filepath.Join(fixtures, "sherpa-onnx-nemo-ctc-en-conformer-small.tar.bz2"), ImportOptions{
		Validate: func(_ context.Context, dir string) error {
			return errors.New(filepath.Join(dir, "tokens.txt") + ": has 10 tokens but the model outputs 29")
		},
	})
	oneLine(t, err, "sherpa-onnx-nemo-ctc-en-conformer-small.tar.bz2/sherpa-onnx-nemo-ctc-en-conformer-small/tokens.txt: has 10 tokens")
	if strings.Contains(err.Error(), ".import-") {
		t.Errorf("error names the temporary directory: %v", err)
	}
	assertClean(t, s)
}

type entry struct {
	name, link string
	typ        byte
	body       []byte
}

func writeTarGz(t *testing.T, entries []entry) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Linkname: e.link, Typeflag: e.typ, Mode: 0o644, Size: int64(len(e.body))}
		if e.typ == tar.TypeDir || e.typ == tar.TypeSymlink || e.typ == tar.TypeLink {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			if _, err := tw.Write(e.body); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	p := filepath.Join(t.TempDir(), "model.tar.gz")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func toneFiles(t *testing.T) []entry {
	t.Helper()
	var out []entry
	for _, n := range []string{"model.onnx", "tokens.txt"} {
		b, err := os.ReadFile(filepath.Join("../testdata/models/tones", n))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, entry{name: "m/" + n, typ: tar.TypeReg, body: b})
	}
	return out
}

func TestImportHostileArchives(t *testing.T) {
	good := toneFiles(t)
	cases := []struct {
		name    string
		entries []entry
		lim     Limits
		want    string
	}{
		{"traversal", append(good, entry{name: "m/../../evil.txt", typ: tar.TypeReg, body: []byte("x")}), Limits{}, "path traversal"},
		{"absolute", append(good, entry{name: "/tmp/evil.txt", typ: tar.TypeReg, body: []byte("x")}), Limits{}, "absolute path"},
		{"symlink-out", append(good, entry{name: "m/lm.bin", typ: tar.TypeSymlink, link: "../../../etc/passwd"}), Limits{}, "outside the archive"},
		{"symlink-abs", append(good, entry{name: "m/lm.bin", typ: tar.TypeSymlink, link: "/etc/passwd"}), Limits{}, "outside the archive"},
		{"hardlink-out", append(good, entry{name: "m/x", typ: tar.TypeLink, link: "../etc/passwd"}), Limits{}, "outside the archive"},
		{"bomb-size", append(good, entry{name: "m/big.bin", typ: tar.TypeReg, body: make([]byte, 1<<20)}), Limits{MaxBytes: 100 << 10}, "--max-size"},
		{"bomb-files", append(good, manyFiles(50)...), Limits{MaxFiles: 20}, "--max-files"},
		{"device", append(good, entry{name: "m/dev", typ: tar.TypeFifo}), Limits{}, "special file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStore(t)
			p := writeTarGz(t, c.entries)
			_, err := s.Import(context.Background(), p, ImportOptions{Limits: c.lim})
			oneLine(t, err, c.want, p)
			if c.lim != (Limits{}) && !errors.Is(err, ErrLimit) {
				t.Errorf("%v is not ErrLimit", err)
			}
			assertClean(t, s)
			if _, err := os.Stat(filepath.Join(filepath.Dir(s.Dir), "evil.txt")); err == nil {
				t.Error("evil.txt written outside")
			}
		})
	}
	// The same archive with the caps raised (the flag's purpose) imports.
	s := newStore(t)
	if _, err := s.Import(context.Background(), writeTarGz(t, append(good, manyFiles(50)...)), ImportOptions{Limits: Limits{MaxFiles: 100}}); err != nil {
		t.Fatal(err)
	}
	// Links that stay inside are skipped, not followed.
	s = newStore(t)
	if _, err := s.Import(context.Background(), writeTarGz(t, append(good, entry{name: "m/alias.onnx", typ: tar.TypeSymlink, link: "model.onnx"})), ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(s.Dir, "model", "alias.onnx")); err == nil {
		t.Error("internal symlink was created")
	}
}

func manyFiles(n int) []entry {
	var out []entry
	for i := range n {
		out = append(out, entry{name: "m/test_wavs/" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + ".wav", typ: tar.TypeReg, body: []byte("RIFF")})
	}
	return out
}

func TestImportHostileZip(t *testing.T) {
	for name, mk := range map[string]func(*zip.Writer){
		"traversal": func(zw *zip.Writer) { w, _ := zw.Create("../evil.txt"); w.Write([]byte("x")) },
		"absolute":  func(zw *zip.Writer) { w, _ := zw.Create("/evil.txt"); w.Write([]byte("x")) },
		"symlink": func(zw *zip.Writer) {
			h := &zip.FileHeader{Name: "m/lm.bin"}
			h.SetMode(fs.ModeSymlink | 0o777)
			w, _ := zw.CreateHeader(h)
			w.Write([]byte("../../../etc/passwd"))
		},
	} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			for _, e := range toneFiles(t) {
				w, _ := zw.Create(e.name)
				w.Write(e.body)
			}
			mk(zw)
			zw.Close()
			p := filepath.Join(t.TempDir(), "m.zip")
			os.WriteFile(p, buf.Bytes(), 0o644)
			s := newStore(t)
			_, err := s.Import(context.Background(), p, ImportOptions{})
			oneLine(t, err, "refusing")
			assertClean(t, s)
		})
	}
}

func TestImportTruncated(t *testing.T) {
	for _, src := range []string{"sherpa-onnx-nemo-ctc-en-conformer-small.tar.bz2", "sherpa-onnx-nemo-ctc-en-citrinet-512.tar.gz", "sherpa-onnx-zipformer-ctc-en.zip", "hark-tones.tar.xz"} {
		t.Run(src, func(t *testing.T) {
			if strings.HasSuffix(src, ".xz") {
				if _, err := exec.LookPath("xz"); err != nil {
					t.Skip("xz not installed")
				}
			}
			b, err := os.ReadFile(filepath.Join(fixtures, src))
			if err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(t.TempDir(), src)
			os.WriteFile(p, b[:len(b)*2/3], 0o644)
			s := newStore(t)
			_, err = s.Import(context.Background(), p, ImportOptions{})
			oneLine(t, err, "truncated", p)
			assertClean(t, s)
		})
	}
	s := newStore(t)
	p := filepath.Join(t.TempDir(), "junk.tar.gz")
	os.WriteFile(p, []byte("not an archive at all"), 0o644)
	_, err := s.Import(context.Background(), p, ImportOptions{})
	oneLine(t, err, "not a model directory or a supported archive")
	_, err = s.Import(context.Background(), filepath.Join(t.TempDir(), "missing.tar.gz"), ImportOptions{})
	oneLine(t, err, "missing.tar.gz", "cannot open")
	_, err = s.Import(context.Background(), "../testdata/models/tones/model.onnx", ImportOptions{})
	oneLine(t, err, "import the directory")
	assertClean(t, s)
}

// fullDisk accepts limit bytes in all, then fails as a full disk does.
type fullDisk struct {
	f    *os.File
	left *int64
}

func (d fullDisk) Write(p []byte) (int, error) {
	if int64(len(p)) > *d.left {
		n, _ := d.f.Write(p[:*d.left])
		*d.left = 0
		return n, &fs.PathError{Op: "write", Path: d.f.Name(), Err: syscall.ENOSPC}
	}
	*d.left -= int64(len(p))
	return d.f.Write(p)
}

func (d fullDisk) Close() error { return d.f.Close() }

func TestImportDiskFull(t *testing.T) {
	for _, src := range []string{"sherpa-onnx-nemo-ctc-en-conformer-small.tar.bz2", "sherpa-onnx-zipformer-ctc-en.zip", "../tones"} {
		t.Run(filepath.Base(src), func(t *testing.T) {
			s := newStore(t)
			left := int64(2000)
			create := func(p string, perm fs.FileMode) (io.WriteCloser, error) {
				f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
				if err != nil {
					return nil, err
				}
				return fullDisk{f, &left}, nil
			}
			_, err := s.Import(context.Background(), filepath.Join(fixtures, src), ImportOptions{Create: create})
			oneLine(t, err, "cannot write", "no space left on device")
			assertClean(t, s)
		})
	}
}

func TestImportCancelled(t *testing.T) {
	s := newStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Import(ctx, filepath.Join(fixtures, "sherpa-onnx-nemo-ctc-en-citrinet-512.tar.gz"), ImportOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
	assertClean(t, s)
}

func FuzzUnpack(f *testing.F) {
	for _, n := range []string{"sherpa-onnx-nemo-ctc-en-citrinet-512.tar.gz", "sherpa-onnx-zipformer-ctc-en.zip", "sherpa-onnx-nemo-ctc-en-conformer-small.tar.bz2"} {
		if b, err := os.ReadFile(filepath.Join(fixtures, n)); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		p := filepath.Join(dir, "in")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "out")
		os.Mkdir(out, 0o755)
		err := unpack(context.Background(), p, out, Limits{MaxBytes: 1 << 20, MaxFiles: 100}, nil, nil)
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("multi-line error %q", err)
		}
		filepath.WalkDir(dir, func(q string, d fs.DirEntry, _ error) error {
			if d != nil && d.Type()&fs.ModeSymlink != 0 {
				t.Errorf("symlink %s created", q)
			}
			return nil
		})
	})
}

func TestImportXZWithoutProgram(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	s := newStore(t)
	_, err := s.Import(context.Background(), filepath.Join(fixtures, "hark-tones.tar.xz"), ImportOptions{})
	oneLine(t, err, "hark-tones.tar.xz", "need the xz program", "import the directory")
	assertClean(t, s)
}

func TestImportStoreParentAndStale(t *testing.T) {
	s := newStore(t)
	// A stale temporary folder from a killed import is cleaned; a fresh one is kept.
	stale := filepath.Join(s.Dir, ".import-old")
	fresh := filepath.Join(s.Dir, ".import-new")
	for _, d := range []string{stale, fresh} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-48 * time.Hour)
	os.Chtimes(stale, old, old)
	// Importing a folder that contains the store itself does not copy the import into itself.
	root := filepath.Dir(s.Dir)
	for _, n := range []string{"model.onnx", "tokens.txt"} {
		b, _ := os.ReadFile(filepath.Join("../testdata/models/tones", n))
		os.WriteFile(filepath.Join(root, n), b, 0o644)
	}
	if _, err := s.Import(context.Background(), root, ImportOptions{Name: "self"}); err != nil {
		t.Fatal(err)
	}
	assertClean(t, s, ".import-new", "self")
	if _, err := os.Stat(filepath.Join(s.Dir, "self", "models")); err != nil {
		t.Errorf("the store folder itself should be copied as an ordinary folder: %v", err)
	}
	if _, err := os.Stat(filepath.Join(s.Dir, "self", "models", ".import-new")); err == nil {
		t.Error("temporary folder copied")
	}
}

// issue 17: directory imports followed symbolic links to outside the directory (a test copied
// /etc/shadow into the store). Such a link is refused, as in archives; a link that stays
// inside the directory is followed.
func TestImportDirSymlinks(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	src := t.TempDir()
	for _, f := range []string{"model.json", "model.onnx", "tokens.txt"} {
		b, err := os.ReadFile(filepath.Join("../testdata/models/tones", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	outside := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(outside, []byte("top secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("model.json", filepath.Join(src, "inside.json")); err != nil {
		t.Skip(err)
	}
	if _, err := s.Import(ctx, src, ImportOptions{Name: "inside"}); err != nil {
		t.Fatalf("a link inside the directory: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(s.Dir, "inside", "inside.json")); err != nil || !bytes.Contains(b, []byte("tones")) {
		t.Fatalf("inside link not copied: %q %v", b, err)
	}
	if err := os.Symlink(outside, filepath.Join(src, "notes.txt")); err != nil {
		t.Fatal(err)
	}
	_, err := s.Import(ctx, src, ImportOptions{Name: "evil"})
	oneLine(t, err, "notes.txt", "outside")
	assertClean(t, s, "inside")
	filepath.WalkDir(s.Dir, func(p string, d fs.DirEntry, err error) error {
		if b, _ := os.ReadFile(p); bytes.Contains(b, []byte("top secret")) {
			t.Errorf("%s holds the outside file", p)
		}
		return nil
	})
}

// issue 17: SIGKILLed imports left .import-NNN/ copies for 24 h (14 kills left 114 MB); the
// next import removes those whose process is gone at once, and leaves a live one alone.
func TestImportCleansKilledImports(t *testing.T) {
	s := newStore(t)
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skip(err)
	}
	mk := func(name string, pid int) string {
		d := filepath.Join(s.Dir, name)
		if err := os.MkdirAll(filepath.Join(d, "unpacked"), 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(d, "unpacked", "model.onnx"), make([]byte, 1000), 0o644)
		os.WriteFile(filepath.Join(d, ownerFile), []byte(strconv.Itoa(pid)), 0o644)
		return d
	}
	gone := mk(tempPrefix+"111", dead.Process.Pid)
	live := mk(tempPrefix+"222", os.Getpid())
	if _, err := s.Import(context.Background(), "../testdata/models/tones", ImportOptions{Name: "m"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(gone); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a dead import's directory is still there: %v", err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("a live import's directory was removed: %v", err)
	}
}

// issue 17: two imports of the same new name both printed "installed", the later silently
// replacing the first. Without --force the second fails.
func TestImportSameNameConcurrently(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	errs := make(chan error, 2)
	for _, src := range []string{"../testdata/models/tones", "../testdata/models/tones-int8"} {
		go func() {
			_, err := s.Import(ctx, src, ImportOptions{Name: "same"})
			errs <- err
		}()
	}
	ok := 0
	for range 2 {
		if err := <-errs; err == nil {
			ok++
		} else if !strings.Contains(err.Error(), "already installed") && !strings.Contains(err.Error(), "installed meanwhile") {
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d of 2 imports of one new name succeeded, want 1", ok)
	}
	assertClean(t, s, "same")
}
