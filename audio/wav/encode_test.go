package wav

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func testSignal(n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(0.8 * math.Sin(float64(i)*0.01) * math.Cos(float64(i)*0.37))
	}
	s[0], s[1], s[2] = 1, -1, 0
	return s
}

func checkRoundTrip(t *testing.T, b []byte, want []float32, rate int, exactSizes bool) {
	t.Helper()
	d, got, err := decodeAll(t, b)
	if err != nil {
		t.Fatal(err)
	}
	if d.SampleRate() != rate || d.Channels() != 1 || d.BitsPerSample() != 16 || d.Encoding() != PCM {
		t.Errorf("format %d Hz %d ch %d bits %v", d.SampleRate(), d.Channels(), d.BitsPerSample(), d.Encoding())
	}
	if exactSizes != (d.Frames() == int64(len(want))) {
		t.Errorf("declared frames %d for %d samples (exact sizes: %v)", d.Frames(), len(want), exactSizes)
	}
	if len(got) != len(want) {
		t.Fatalf("%d samples, want %d", len(got), len(want))
	}
	for i := range got {
		if math.Abs(float64(got[i]-want[i])) > 1.0/32768+1e-9 {
			t.Fatalf("sample %d: %v, want %v", i, got[i], want[i])
		}
	}
}

func TestWriteRoundTrip(t *testing.T) {
	want := testSignal(10001)
	var buf bytes.Buffer
	if err := Write(&buf, want, 16000); err != nil {
		t.Fatal(err)
	}
	if buf.Len() != 44+2*len(want) {
		t.Errorf("file is %d bytes, want %d", buf.Len(), 44+2*len(want))
	}
	checkRoundTrip(t, buf.Bytes(), want, 16000, true)
}

func TestEncoderClipsAndRounds(t *testing.T) {
	var buf bytes.Buffer
	in := []float32{2, -2, float32(math.NaN()), 0.5, -0.5, 0.6 / 32768}
	if err := Write(&buf, in, 8000); err != nil {
		t.Fatal(err)
	}
	want := []int16{32767, -32768, 0, 16384, -16384, 1}
	for i, w := range want {
		if got := int16(binary.LittleEndian.Uint16(buf.Bytes()[44+2*i:])); got != w {
			t.Errorf("sample %v -> %d, want %d", in[i], got, w)
		}
	}
}

func TestEncoderStreamingNonSeekable(t *testing.T) {
	want := testSignal(5000)
	var buf bytes.Buffer
	e, err := NewEncoder(&buf, 22050)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(want); i += 999 {
		if err := e.Write(want[i:min(i+999, len(want))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := e.Write(want); err != ErrClosed {
		t.Errorf("Write after Close: %v", err)
	}
	if got := binary.LittleEndian.Uint32(buf.Bytes()[40:]); got != sizeUnknown {
		t.Errorf("data size 0x%X on a non-seekable writer, want 0xFFFFFFFF", got)
	}
	checkRoundTrip(t, buf.Bytes(), want, 22050, false)
}

func TestEncoderFixesSizesWhenSeekable(t *testing.T) {
	want := testSignal(7777)
	path := filepath.Join(t.TempDir(), "x.wav")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// The header need not be at offset 0.
	if _, err := f.Write([]byte("prefix")); err != nil {
		t.Fatal(err)
	}
	e, err := NewEncoder(f, 48000)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Write(want[:100]); err != nil {
		t.Fatal(err)
	}
	if err := e.Write(want[100:]); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("Z")); err != nil { // position is left at the end
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(raw[:6]) != "prefix" || raw[len(raw)-1] != 'Z' {
		t.Fatalf("encoder disturbed data around the file")
	}
	file := raw[6 : len(raw)-1]
	if got := binary.LittleEndian.Uint32(file[4:]); got != uint32(len(file)-8) {
		t.Errorf("RIFF size %d, want %d", got, len(file)-8)
	}
	checkRoundTrip(t, file, want, 48000, true)
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.wav")
	want := testSignal(3000)
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, want, 16000); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	checkRoundTrip(t, raw, want, 16000, true)
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only out.wav (temporary file left?)", len(entries))
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v", st.Mode())
	}
	if p, err := exec.LookPath("soxi"); err == nil {
		out, err := exec.Command(p, "-D", path).Output()
		if err != nil || strings.TrimSpace(string(out)) != "0.187500" {
			t.Errorf("soxi -D: %q, %v; want 0.187500", out, err)
		}
	}

	bad := filepath.Join(dir, "missing", "out.wav")
	err = WriteFile(bad, want, 16000)
	if err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("writing into a missing directory: %v", err)
	}
	err = WriteFile(path, want, 5)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "5 Hz") {
		t.Errorf("bad rate: %v", err)
	}
	if raw2, _ := os.ReadFile(path); !bytes.Equal(raw, raw2) {
		t.Error("a failed WriteFile changed the existing file")
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n < len(p) {
		return 0, io.ErrShortWrite
	}
	w.n -= len(p)
	return len(p), nil
}

func TestEncoderWriteErrors(t *testing.T) {
	if _, err := NewEncoder(io.Discard, 100); err == nil {
		t.Error("rate 100 Hz accepted")
	}
	e, err := NewEncoder(&failWriter{n: 100}, 16000)
	if err != nil {
		t.Fatal(err) // header is buffered
	}
	err = e.Write(make([]float32, 100000))
	if err == nil {
		err = e.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "short write") {
		t.Errorf("got %v, want the writer's error", err)
	}
}

func TestDecodeReadsEncoderOutputWithSox(t *testing.T) {
	// sox must read what we write, and we must read what sox writes.
	dir := t.TempDir()
	ours := filepath.Join(dir, "ours.wav")
	want := testSignal(8000)
	if err := WriteFile(ours, want, 8000); err != nil {
		t.Fatal(err)
	}
	back := filepath.Join(dir, "back.wav")
	runSox(t, ours, "-b", "16", back)
	raw, _ := os.ReadFile(back)
	checkRoundTrip(t, raw, want, 8000, true)
}
