package history

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func tone(n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(i%50) / 100
	}
	return x
}

func TestAddUpdateListRemove(t *testing.T) {
	s, err := Open(t.TempDir(), -1)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 26, 3, 4, 5, 0, time.UTC)
	a, err := s.Add(tone(16000), at)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Add(tone(8000), at) // same millisecond: a distinct ID
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == b.ID || a.Status != Pending || a.Seconds != 1 {
		t.Fatalf("entries %+v %+v", a, b)
	}
	x, err := s.Audio(a.ID)
	if err != nil || len(x) != 16000 {
		t.Fatalf("audio: %d samples, %v", len(x), err)
	}
	if d := x[49] - 0.49; d > 1e-4 || d < -1e-4 {
		t.Errorf("sample 49 = %v", x[49])
	}
	a.Status, a.Raw, a.Text, a.Delivered = Decoded, "hello world", "Hello world.", "clipboard"
	if err := s.Update(a); err != nil {
		t.Fatal(err)
	}
	p, err := s.Pending()
	if err != nil || len(p) != 1 || p[0].ID != b.ID {
		t.Fatalf("pending %+v %v", p, err)
	}
	all, err := s.List()
	if err != nil || len(all) != 2 || all[0].Text != "Hello world." || all[0].Delivered != "clipboard" {
		t.Fatalf("list %+v %v", all, err)
	}
	if err := s.Remove(a.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(a.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("second remove: %v", err)
	}
	if _, err := s.Get("../etc"); !errors.Is(err, ErrNotFound) {
		t.Errorf("get ../etc: %v", err)
	}
}

func TestOrphanAudioIsPending(t *testing.T) {
	// A crash between writing the WAV and its sidecar still lists the audio as pending.
	s, _ := Open(t.TempDir(), -1)
	e, err := s.Add(tone(1600), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(s.Dir(), e.ID+".json")); err != nil {
		t.Fatal(err)
	}
	p, err := s.Pending()
	if err != nil || len(p) != 1 || p[0].ID != e.ID {
		t.Fatalf("pending %+v %v", p, err)
	}
}

func TestCapRemovesOldestFirst(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(dir, -1)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 4 {
		e, err := s.Add(tone(16000), t0.Add(time.Duration(i)*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	size, _ := s.Size()
	per := size / 4
	s.SetMaxBytes(per*2 + per/2) // room for two and a half
	e, err := s.Add(tone(16000), t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	all, _ := s.List()
	var got []string
	for _, a := range all {
		got = append(got, a.ID)
	}
	if len(got) != 2 || got[0] != ids[3] || got[1] != e.ID {
		t.Errorf("after cap: %v, want [%s %s]", got, ids[3], e.ID)
	}
	// The newest entry is kept even when it alone is over the cap.
	s.SetMaxBytes(10)
	e2, _ := s.Add(tone(16000), t0.Add(2*time.Hour))
	all, _ = s.List()
	if len(all) != 1 || all[0].ID != e2.ID {
		t.Errorf("tiny cap: %+v", all)
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/x/data")
	if d, _ := DefaultDir(); d != filepath.FromSlash("/x/data/hark/utterances") {
		t.Errorf("DefaultDir = %s", d)
	}
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", "/home/u")
	if d, _ := DefaultDir(); d != filepath.FromSlash("/home/u/.local/share/hark/utterances") {
		t.Errorf("DefaultDir = %s", d)
	}
}

func TestExtendAppendsAPiece(t *testing.T) {
	s, err := Open(t.TempDir(), -1)
	if err != nil {
		t.Fatal(err)
	}
	first, second := tone(16000), make([]float32, 8000)
	for i := range second {
		second[i] = -0.25
	}
	e, err := s.Add(first, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.Status, e.Raw, e.Text = Decoded, "hello", "Hello"
	if err := s.Update(e); err != nil {
		t.Fatal(err)
	}
	// The next piece: its audio follows the first, and the entry waits to be decoded again.
	ext, err := s.Extend(e.ID, second)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(e.ID)
	if err != nil || got.Status != Pending || got.Seconds != 1.5 || got.Text != "Hello" || got != ext {
		t.Fatalf("entry %+v (Extend returned %+v), %v", got, ext, err)
	}
	x, err := s.Audio(e.ID)
	if err != nil || len(x) != 24000 {
		t.Fatalf("audio: %d samples, %v", len(x), err)
	}
	for i, want := range [][]float32{first, second} {
		part := x[i*16000:]
		for j, v := range want {
			if d := part[j] - v; d > 1e-4 || d < -1e-4 {
				t.Fatalf("piece %d sample %d: %v, want %v", i, j, part[j], v)
			}
		}
	}
	if _, err := s.Extend(e.ID, nil); err != nil {
		t.Errorf("nothing to add: %v", err)
	}
	if _, err := s.Extend("20260101-000000-000", second); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing entry: %v", err)
	}
	if _, err := s.Extend("../x", second); err == nil {
		t.Error("invalid ID extended")
	}
}

// issue 17: the size cap deleted never-decoded (pending) utterances first, and any *.wav or
// *.json in the history directory whose name sorted before Hark's ids (a user's own files).
// Decoded utterances go first, pending ones last, and other files are neither counted nor
// touched.
func TestCapSparesPendingAndForeignFiles(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(dir, -1)
	for _, n := range []string{"0000-my-notes.wav", "a.json", "notes.txt.wav"} {
		if err := os.WriteFile(filepath.Join(dir, n), make([]byte, 100000), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 4 {
		e, err := s.Add(tone(16000), t0.Add(time.Duration(i)*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			e.Status, e.Text = Decoded, "hello"
			if err := s.Update(e); err != nil {
				t.Fatal(err)
			}
		}
		ids = append(ids, e.ID)
	}
	size, _ := s.Size()
	per := size / 4
	s.SetMaxBytes(per*2 + per/2)
	e, err := s.Add(tone(16000), t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	all, _ := s.List()
	var got []string
	for _, a := range all {
		got = append(got, a.ID)
	}
	if len(got) != 2 || got[0] != ids[0] || got[1] != e.ID {
		t.Errorf("after cap: %v, want the pending %s and the new %s", got, ids[0], e.ID)
	}
	for _, n := range []string{"0000-my-notes.wav", "a.json", "notes.txt.wav"} {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			t.Errorf("the user's file %s: %v", n, err)
		}
	}
}

// issue 17: an unwritable history directory was reported only at exit, after the utterances
// were lost. Open says so at once.
func TestOpenUnwritable(t *testing.T) {
	if os.Getuid() == 0 {
		t.Skip("root writes anywhere")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o700)
	if _, err := Open(dir, -1); err == nil || !strings.Contains(err.Error(), "not writable") {
		t.Fatalf("unwritable: %v", err)
	}
}

// FuzzSidecar: whatever a sidecar holds (a crash, a disk error, a hand edit), reading it gives
// an entry with a known status or one error naming the file; listing never panics and
// reports the bad one after the good ones.
func FuzzSidecar(f *testing.F) {
	f.Add([]byte(`{"id":"x","time":"2026-01-01T00:00:00Z","status":"decoded","seconds":1.5,"raw":"hi","text":"Hi."}`))
	f.Add([]byte(`{"status":"pending"}`))
	f.Add([]byte(`{"status":"exploded","seconds":-1}`))
	f.Add([]byte(`{not json`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		st, err := Open(dir, -1)
		if err != nil {
			t.Fatal(err)
		}
		const id = "20260101-000000-000"
		p := filepath.Join(dir, id+".json")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		e, err := st.Get(id)
		if err != nil {
			if !strings.Contains(err.Error(), p) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q does not name %s on one line", err, p)
			}
		} else if e.ID != id || (e.Status != Pending && e.Status != Decoded && e.Status != Failed && e.Status != Undone) || e.Seconds < 0 {
			t.Fatalf("entry %+v", e)
		}
		es, lerr := st.List()
		if (err == nil) != (lerr == nil) || (err == nil && len(es) != 1) {
			t.Fatalf("Get %v, List %d entries, %v", err, len(es), lerr)
		}
	})
}
