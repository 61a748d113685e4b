package audiofile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"hark/audio"
	"hark/audio/wav"
)

func sox(t *testing.T, args ...string) {
	t.Helper()
	p, err := exec.LookPath("sox")
	if err != nil {
		t.Skip("sox is not installed; install it (apt-get install sox) to run this test (CI installs it)")
	}
	if out, err := exec.Command(p, args...).CombinedOutput(); err != nil {
		t.Fatalf("sox %v: %v\n%s", args, err, out)
	}
}

func readAllPath(t *testing.T, path string) ([]float32, int) {
	t.Helper()
	src, c, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := audio.ReadAll(src)
	if err != nil {
		t.Fatal(err)
	}
	return s, src.SampleRate()
}

func maxDiff(a, b []float32) float64 {
	var m float64
	for i := range min(len(a), len(b)) {
		m = math.Max(m, math.Abs(float64(a[i]-b[i])))
	}
	return m
}

// id3Tag returns a small ID3v2.3 tag with one text frame.
func id3Tag() []byte {
	frame := append([]byte("TIT2\x00\x00\x00\x06\x00\x00\x00hark\x00"), make([]byte, 20)...) // frame + padding
	size := len(frame)
	return append([]byte{'I', 'D', '3', 3, 0, 0, byte(size >> 21 & 0x7F), byte(size >> 14 & 0x7F), byte(size >> 7 & 0x7F), byte(size & 0x7F)}, frame...)
}

func prepend(t *testing.T, path string, b []byte) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := path + ".tagged"
	if err := os.WriteFile(out, append(bytes.Clone(b), raw...), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestOpenWAVAndLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "speech.data") // the name does not matter
	in := make([]float32, 44100)
	for i := range in {
		in[i] = float32(0.5 * math.Sin(2*math.Pi*440*float64(i)/44100))
	}
	if err := wav.WriteFile(path, in, 44100); err != nil {
		t.Fatal(err)
	}
	got, rate := readAllPath(t, path)
	if rate != 44100 || len(got) != len(in) || maxDiff(got, in) > 1.0/32768 {
		t.Fatalf("rate %d, %d samples, max diff %g", rate, len(got), maxDiff(got, in))
	}
	s16, err := Load(path, 16000)
	if err != nil {
		t.Fatal(err)
	}
	if len(s16) != 16000 {
		t.Fatalf("Load: %d samples, want 16000", len(s16))
	}
	if r := audio.RMS(s16[1000:15000]); math.Abs(r-0.5/math.Sqrt2) > 1e-3 {
		t.Errorf("Load: RMS %g, want %g", r, 0.5/math.Sqrt2)
	}
	if _, err := Load(path, 0); err == nil || !strings.HasPrefix(err.Error(), path) {
		t.Errorf("Load at 0 Hz: %v", err)
	}
}

func TestOpenFLAC(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		tol  float64
	}{
		{[]string{"-r", "16000", "-b", "16", "-c", "1"}, 1e-6},
		{[]string{"-r", "44100", "-b", "24", "-c", "2"}, 1e-6},
		{[]string{"-r", "8000", "-b", "8", "-c", "1"}, 1e-6},
		{[]string{"-r", "48000", "-b", "16", "-c", "6"}, 1e-6},
	} {
		name := strings.Join(c.args, "")
		flacPath := filepath.Join(dir, name+".flac")
		wavPath := filepath.Join(dir, name+".wav")
		gen := append(append([]string{"-D", "-n"}, c.args...), flacPath, "synth", "0.5", "sine", "300:3000", "gain", "-3")
		sox(t, gen...)
		sox(t, flacPath, wavPath)
		got, rate := readAllPath(t, flacPath)
		want, wrate := readAllPath(t, wavPath)
		if rate != wrate || len(got) != len(want) || len(got) == 0 {
			t.Fatalf("%s: %d Hz, %d samples; WAV has %d Hz, %d samples", name, rate, len(got), wrate, len(want))
		}
		if d := maxDiff(got, want); d > c.tol {
			t.Errorf("%s: FLAC and WAV differ by %g", name, d)
		}
		// An ID3v2 tag in front is skipped.
		tagged := prepend(t, flacPath, id3Tag())
		got2, _ := readAllPath(t, tagged)
		if len(got2) != len(got) || maxDiff(got, got2) != 0 {
			t.Errorf("%s with ID3 tag: %d samples, want %d", name, len(got2), len(got))
		}
	}
}

func TestOpenFLACTruncated(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cut.flac")
	sox(t, "-n", "-r", "16000", "-b", "16", path, "synth", "2", "sine", "440")
	raw, _ := os.ReadFile(path)
	if err := os.WriteFile(path, raw[:len(raw)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	samples, err := Load(path, 16000)
	if !errors.Is(err, audio.ErrTruncated) || !strings.HasPrefix(err.Error(), path+": ") {
		t.Fatalf("got %v, want a truncation error naming %s", err, path)
	}
	if len(samples) < 8000 || len(samples) >= 32000 {
		t.Errorf("got %d samples from half a 32000-sample file", len(samples))
	}
	// Only the header.
	if err := os.WriteFile(path, raw[:20], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Open(path); err == nil || !strings.HasPrefix(err.Error(), path+": invalid FLAC") {
		t.Errorf("FLAC header only: %v", err)
	}
}

func TestOpenMP3WithSox(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tone.mp3")
	sox(t, "-n", "-r", "16000", "-c", "2", path, "synth", "1", "sine", "440", "gain", "-6")
	for _, p := range []string{path, prepend(t, path, id3Tag())} {
		got, rate := readAllPath(t, p)
		if rate != 16000 {
			t.Errorf("%s: rate %d", p, rate)
		}
		// MP3 adds encoder delay and padding; the length is close to 1 s.
		if len(got) < 16000 || len(got) > 16000+3*1152 {
			t.Errorf("%s: %d samples, want about 16000", p, len(got))
		}
		// The tone survives lossy coding: its level is about -9 dBFS RMS.
		if r := audio.DBFS(audio.RMS(got[4000:12000])); math.Abs(r-(-9.03)) > 0.5 {
			t.Errorf("%s: level %.2f dBFS, want about -9.03", p, r)
		}
	}
}

// silentMP3 builds n MPEG-1 layer III frames (128 kbit/s, 44.1 kHz, mono)
// whose side information is all zero: a valid stream of silence.
func silentMP3(n int) []byte {
	var b []byte
	for range n {
		f := make([]byte, 417) // 144*128000/44100
		copy(f, []byte{0xFF, 0xFB, 0x90, 0xC4})
		b = append(b, f...)
	}
	return b
}

func TestOpenMP3Generated(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "silence.bin")
	if err := os.WriteFile(path, append(id3Tag(), silentMP3(10)...), 0o644); err != nil {
		t.Fatal(err)
	}
	got, rate := readAllPath(t, path)
	if rate != 44100 || len(got) != 10*1152 {
		t.Fatalf("rate %d, %d samples; want 44100, %d", rate, len(got), 10*1152)
	}
	if audio.Peak(got) != 0 {
		t.Errorf("peak %g, want silence", audio.Peak(got))
	}
	if Sniff(silentMP3(3)) != MP3 {
		t.Error("Sniff does not see MP3")
	}
}

func TestOpenUnsupported(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ogg := write("x.wav", []byte("OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00rest of an ogg page"))
	_, _, err := Open(ogg)
	want := fmt.Sprintf("%s: Ogg audio is not supported; convert it first, e.g. `sox %s out.wav` or `ffmpeg -i %s out.wav`", ogg, ogg, ogg)
	if err == nil || err.Error() != want || !errors.Is(err, ErrUnsupported) {
		t.Errorf("Ogg: got %v\nwant %s", err, want)
	}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty.wav", nil, "not a supported audio file (empty file)"},
		{"notes.txt", []byte("just some text, not audio\n"), "not a supported audio file (Hark reads WAV, FLAC and MP3)"},
		{"song.aiff", []byte("FORM\x00\x00\x10\x00AIFFCOMM"), "looks like AIFF"},
		{"song.m4a", []byte("\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00"), "looks like MP4/M4A"},
		{"clip.avi", []byte("RIFF\x00\x10\x00\x00AVI LIST"), "looks like RIFF (not WAVE)"},
		{"only-tag.mp3", id3Tag(), "only an ID3 tag"},
	}
	for _, c := range cases {
		p := write(c.name, c.data)
		src, closer, err := Open(p)
		if err == nil {
			closer.Close()
			t.Errorf("%s: opened (%d Hz)", c.name, src.SampleRate())
			continue
		}
		if !strings.HasPrefix(err.Error(), p+": ") || !strings.Contains(err.Error(), c.want) || !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: got %q, want %q after the path", c.name, err, c.want)
		}
	}
	// Broken files of a supported kind name the file and the problem.
	bad := []struct {
		name string
		data []byte
		want string
	}{
		{"zero.wav", []byte("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x00\x00\x80\x3e\x00\x00\x00\x7d\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x00"), "zero channels"},
		{"short.wav", []byte("RIFF\x24\x00"), "truncated header"},
		{"bad.flac", []byte("fLaC\x00\x00"), "invalid FLAC"},
		{"bad.mp3", append(id3Tag(), []byte("garbage garbage garbage")...), "invalid MP3"},
	}
	for _, c := range bad {
		p := write(c.name, c.data)
		_, _, err := Open(p)
		if err == nil || !strings.HasPrefix(err.Error(), p+": ") || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: got %v, want one line with %q after the path", c.name, err, c.want)
		}
	}
	if _, _, err := Open(filepath.Join(dir, "missing.wav")); err == nil || !strings.Contains(err.Error(), "missing.wav") || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, _, err := Open(dir); err == nil || !strings.Contains(err.Error(), dir+": is a directory") {
		t.Errorf("directory: %v", err)
	}
}

func TestTruncatedWAVNamesFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cut.wav")
	var buf bytes.Buffer
	if err := wav.Write(&buf, make([]float32, 1000), 16000); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes()[:1044], 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Load(path, 16000)
	if len(s) != 500 || !errors.Is(err, audio.ErrTruncated) || !strings.HasPrefix(err.Error(), path+": ") {
		t.Errorf("got %d samples, %v", len(s), err)
	}
}

func TestOpenStdin(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	in := []float32{0.25, -0.5, 0.75}
	if err := wav.Write(&buf, in, 8000); err != nil {
		t.Fatal(err)
	}
	flacPath := filepath.Join(dir, "x.flac")
	wantFLAC := 0
	if _, err := exec.LookPath("sox"); err == nil {
		sox(t, "-n", "-r", "16000", "-b", "16", flacPath, "synth", "0.1", "sine", "440")
		wantFLAC = 1600
	}
	for _, c := range []struct {
		data []byte
		file string
		n    int
	}{{buf.Bytes(), "", 3}, {nil, flacPath, wantFLAC}, {[]byte("nope"), "", -1}} {
		if c.file != "" && c.n == 0 {
			continue
		}
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		data := c.data
		if c.file != "" {
			data, _ = os.ReadFile(c.file)
		}
		go func() {
			_, _ = w.Write(data)
			w.Close()
		}()
		old := os.Stdin
		os.Stdin = r
		src, closer, err := Open("-")
		var got []float32
		if err == nil {
			got, err = audio.ReadAll(src)
			if cerr := closer.Close(); cerr != nil {
				t.Error(cerr)
			}
		}
		os.Stdin = old
		r.Close()
		if c.n < 0 {
			if err == nil || !strings.HasPrefix(err.Error(), "stdin: not a supported audio file") {
				t.Errorf("stdin garbage: %v", err)
			}
			continue
		}
		if err != nil || len(got) != c.n {
			t.Errorf("stdin: %d samples, %v; want %d", len(got), err, c.n)
		}
	}
}

func TestSniff(t *testing.T) {
	var w bytes.Buffer
	_ = wav.Write(&w, []float32{0}, 16000)
	for _, c := range []struct {
		b    []byte
		want Kind
	}{
		{nil, Unknown},
		{w.Bytes(), WAV},
		{[]byte("RIFF"), WAV},
		{[]byte("fLaC\x00\x00\x00\x22"), FLAC},
		{append(id3Tag(), "fLaC\x00"...), FLAC},
		{append(id3Tag(), silentMP3(2)...), MP3},
		{id3Tag()[:12], MP3},
		{silentMP3(2), MP3},
		{[]byte{0xFF, 0xFB, 0x90}, Unknown},         // too short for a header
		{[]byte{0xFF, 0xFB, 0xF0, 0x00}, Unknown},   // bad bitrate index
		{append(silentMP3(1), 1, 2, 3, 4), Unknown}, // no second frame where the first ends
		{[]byte{0xFF, 0xFD, 0x90, 0xC4}, MPEGLayer12},
		{[]byte{0xFF, 0xF1, 0x50, 0x80}, AAC},
		{[]byte("OggS\x00"), Ogg},
		{[]byte("\x1A\x45\xDF\xA3\x01"), Matroska},
		{[]byte("#!AMR\n"), AMR},
	} {
		if got := Sniff(c.b); got != c.want {
			t.Errorf("Sniff(% X…) = %v, want %v", c.b[:min(len(c.b), 8)], got, c.want)
		}
	}
}

func FuzzSniff(f *testing.F) {
	var w bytes.Buffer
	_ = wav.Write(&w, []float32{0.1, 0.2, -0.3}, 16000)
	f.Add(w.Bytes())
	f.Add(silentMP3(2))
	f.Add(append(id3Tag(), silentMP3(1)...))
	f.Add([]byte("fLaC\x00\x00\x00\x22\x10\x00\x10\x00\x00\x00\x0e\x00\x00\x0e\x03\xe8\x00\xf0\x00\x00\x00\x00"))
	f.Add([]byte("OggS"))
	f.Add([]byte{0xFF, 0xF1, 0x50, 0x80})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		k := Sniff(b)
		_ = k.String()
		src, err := OpenReader(bytes.NewReader(b), "fuzz")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz: ") {
				t.Fatalf("error does not name the input: %v", err)
			}
			return
		}
		buf := make([]float32, 4096)
		for total := 0; total < 1<<20; {
			n, err := src.Read(buf)
			total += n
			for _, v := range buf[:n] {
				if !(v >= -1 && v <= 1) {
					t.Fatalf("sample %v out of range", v)
				}
			}
			if err == io.EOF {
				return
			}
			if err != nil {
				if !strings.HasPrefix(err.Error(), "fuzz: ") {
					t.Fatalf("error does not name the input: %v", err)
				}
				return
			}
		}
	})
}

// issue 17: 8 and 11 kHz MP3 files were refused as "invalid MP3". They are MPEG 2.5, which the
// decoder does not read: the error says so and how to convert them.
func TestMP3MPEG25(t *testing.T) {
	if _, err := exec.LookPath("sox"); err != nil {
		t.Skip("sox not installed")
	}
	p := filepath.Join(t.TempDir(), "low.mp3")
	if out, err := exec.Command("sox", "-n", "-r", "8000", p, "synth", "0.5", "sine", "440").CombinedOutput(); err != nil {
		t.Skipf("sox cannot write MP3 here: %s", out)
	}
	_, _, err := Open(p)
	if err == nil || !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "MPEG 2.5") || !strings.Contains(err.Error(), "sox "+p) {
		t.Fatalf("8 kHz MP3: %v", err)
	}
}

// issue 17: a truncated MP3 passed without a warning (go-mp3 drops a cut-off last frame
// and ends with io.EOF). The frames are followed as they are read: a cut inside the last one
// ends the audio with audio.ErrTruncated after what was decoded; whole files, a trailing
// ID3v1 tag and junk after the frames do not.
func TestTruncatedMP3(t *testing.T) {
	whole := silentMP3(10)
	tag := append([]byte("TAG"), make([]byte, 125)...)
	for _, c := range []struct {
		name string
		data []byte
		cut  bool
	}{
		{"whole", whole, false},
		{"with an ID3v1 tag", append(append([]byte(nil), whole...), tag...), false},
		{"with junk after it", append(append([]byte(nil), whole...), "trailing junk"...), false},
		{"3 bytes short", whole[:len(whole)-3], true},
		{"200 bytes short", whole[:len(whole)-200], true},
		{"cut after a header", whole[:len(whole)-417+4], true},
		{"an ID3v2 tag first, 3 bytes short", append(id3Tag(), whole[:len(whole)-3]...), true},
	} {
		src, err := OpenReader(bytes.NewReader(c.data), "x.mp3")
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var n int
		buf := make([]float32, 4096)
		for {
			k, err := src.Read(buf)
			n += k
			if err != nil {
				if c.cut != errors.Is(err, audio.ErrTruncated) || (!c.cut && err != io.EOF) {
					t.Errorf("%s: ended with %v", c.name, err)
				}
				break
			}
		}
		if n < 9*1152 {
			t.Errorf("%s: %d samples, want the whole frames decoded", c.name, n)
		}
	}
}

// FuzzMP3Walker: whatever bytes go by, in whatever pieces, the frame walker never panics and
// agrees with itself.
func FuzzMP3Walker(f *testing.F) {
	f.Add(silentMP3(3), 7)
	f.Add(silentMP3(2)[:500], 1)
	f.Add([]byte("\xff\xfb\x90\xc4TAG"), 3)
	f.Fuzz(func(t *testing.T, data []byte, step int) {
		step = max(1, step%64+1)
		a, b := newMP3Walker(), newMP3Walker()
		a.Write(data)
		for i := 0; i < len(data); i += step {
			b.Write(data[i:min(len(data), i+step)])
		}
		ca, sa := a.truncated()
		cb, sb := b.truncated()
		if ca != cb || sa != sb || a.frames != b.frames {
			t.Fatalf("whole: %v %d (%d frames); in pieces of %d: %v %d (%d frames)", ca, sa, a.frames, step, cb, sb, b.frames)
		}
	})
}
