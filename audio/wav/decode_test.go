package wav

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	gowav "github.com/go-audio/wav"

	"hark/audio"
)

func decodeAll(t *testing.T, b []byte) (*Decoder, []float32, error) {
	t.Helper()
	d, err := NewDecoder(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("NewDecoder: %v", err)
	}
	s, err := audio.ReadAll(d)
	return d, s, err
}

func TestDecodeLayouts(t *testing.T) {
	type layout struct {
		enc        Encoding
		bits       int
		channels   int
		extensible bool
		tol        float64
	}
	var layouts []layout
	for _, ch := range []int{1, 2, 3, 6, 8} {
		for _, ext := range []bool{false, true} {
			layouts = append(layouts,
				layout{PCM, 8, ch, ext, 1.0 / 50},
				layout{PCM, 16, ch, ext, 1.0 / 20000},
				layout{PCM, 24, ch, ext, 1e-6},
				layout{PCM, 32, ch, ext, 1e-6},
				layout{IEEEFloat, 32, ch, ext, 1e-6},
				layout{IEEEFloat, 64, ch, ext, 1e-6},
			)
		}
	}
	for _, l := range layouts {
		name := fmt.Sprintf("%v-%d-bit-%dch-ext=%v", l.enc, l.bits, l.channels, l.extensible)
		t.Run(name, func(t *testing.T) {
			frames := testFrames(1000, l.channels)
			s := spec{tag: l.enc, channels: l.channels, rate: 22050, bits: l.bits, dataSize: -1}
			if l.extensible {
				s.tag, s.sub = Extensible, l.enc
			}
			d, got, err := decodeAll(t, makeWAV(s, pcmBytes(l.enc, l.bits, frames)))
			if err != nil {
				t.Fatal(err)
			}
			if d.SampleRate() != 22050 || d.Channels() != l.channels || d.BitsPerSample() != l.bits ||
				d.Encoding() != l.enc || d.Extensible() != l.extensible || d.Frames() != 1000 {
				t.Errorf("format: rate %d ch %d bits %d enc %v ext %v frames %d", d.SampleRate(), d.Channels(), d.BitsPerSample(), d.Encoding(), d.Extensible(), d.Frames())
			}
			if dur, ok := d.Duration(); !ok || dur != 1000*time.Second/22050 {
				t.Errorf("duration %v, %v", dur, ok)
			}
			if len(got) != len(frames) {
				t.Fatalf("%d samples, want %d", len(got), len(frames))
			}
			for i, f := range frames {
				if math.Abs(float64(got[i])-mean(f)) > l.tol {
					t.Fatalf("sample %d = %v, want %v", i, got[i], mean(f))
				}
			}
		})
	}
}

func TestDecodeExactScaling(t *testing.T) {
	cases := []struct {
		bits int
		raw  []byte
		want []float32
	}{
		{8, []byte{0, 128, 255}, []float32{-1, 0, 127.0 / 128}},
		{16, []byte{0x00, 0x80, 0, 0, 0xFF, 0x7F}, []float32{-1, 0, 32767.0 / 32768}},
		{24, []byte{0, 0, 0x80, 0, 0, 0, 0xFF, 0xFF, 0x7F}, []float32{-1, 0, 8388607.0 / 8388608}},
		{32, []byte{0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x40}, []float32{-1, 0, 0.5}},
	}
	for _, c := range cases {
		_, got, err := decodeAll(t, makeWAV(spec{tag: PCM, channels: 1, rate: 8000, bits: c.bits, dataSize: -1}, c.raw))
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%d-bit: got %v, want %v", c.bits, got, c.want)
		}
	}
	// Float: out-of-range values are clipped and NaN becomes 0.
	raw := pcmBytes(IEEEFloat, 32, [][]float64{{2}, {-3}, {math.NaN()}, {math.Inf(1)}, {0.25}})
	_, got, err := decodeAll(t, makeWAV(spec{tag: IEEEFloat, channels: 1, rate: 8000, bits: 32, dataSize: -1}, raw))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint([]float32{1, -1, 0, 1, 0.25}) {
		t.Errorf("float clipping: got %v", got)
	}
}

func TestDecodeG711(t *testing.T) {
	// Reference values from ITU-T G.711: µ-law 0x00 = -32124, 0x80 = 32124,
	// 0xFF = 0 (the other zero is 0x7F); A-law 0xD5 = 8, 0x55 = -8, 0xAA = 32256.
	for _, c := range []struct {
		enc  Encoding
		raw  []byte
		want []int
	}{
		{MuLaw, []byte{0x00, 0x80, 0xFF, 0x7F}, []int{-32124, 32124, 0, 0}},
		{ALaw, []byte{0xD5, 0x55, 0xAA, 0x2A}, []int{8, -8, 32256, -32256}},
	} {
		_, got, err := decodeAll(t, makeWAV(spec{tag: c.enc, channels: 1, rate: 8000, bits: 8, dataSize: -1}, c.raw))
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range c.want {
			if got[i]*32768 != float32(w) {
				t.Errorf("%v byte 0x%02X: got %v, want %d", c.enc, c.raw[i], got[i]*32768, w)
			}
		}
	}
}

func TestDecodeOddBitsLeftJustified(t *testing.T) {
	// 12-bit PCM is stored left-justified in 16 bits.
	raw := []byte{0x00, 0x80, 0xF0, 0x7F}
	d, got, err := decodeAll(t, makeWAV(spec{tag: PCM, channels: 1, rate: 8000, bits: 12, dataSize: -1}, raw))
	if err != nil {
		t.Fatal(err)
	}
	if d.BitsPerSample() != 16 || d.ValidBitsPerSample() != 12 || got[0] != -1 || got[1] != 32752.0/32768 {
		t.Errorf("bits %d/%d samples %v", d.BitsPerSample(), d.ValidBitsPerSample(), got)
	}
}

func TestDecodeChunksAndPadding(t *testing.T) {
	frames := testFrames(101, 1)
	data := pcmBytes(PCM, 8, frames) // odd length: needs a pad byte
	s := spec{tag: PCM, channels: 1, rate: 16000, bits: 8, dataSize: -1,
		extraPre:  chunk("JUNK", []byte{1, 2, 3}),
		extraPost: append(chunk("LIST", []byte("INFOISFT\x05\x00\x00\x00hark\x00")), chunk("fact", []byte{101, 0, 0, 0})...),
	}
	file := append(makeWAV(s, data), chunk("LIST", []byte("trailing chunk that is not audio"))...)
	_, got, err := decodeAll(t, file)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 101 {
		t.Fatalf("got %d samples, want 101 (trailing chunks must not be decoded)", len(got))
	}
}

func TestDecodeRF64(t *testing.T) {
	frames := testFrames(50, 2)
	data := pcmBytes(PCM, 16, frames)
	ds := make([]byte, 28)
	binary.LittleEndian.PutUint64(ds[8:], uint64(len(data)))
	file := makeWAV(spec{tag: PCM, channels: 2, rate: 48000, bits: 16, dataSize: sizeUnknown, extraPre: chunk("ds64", ds)}, data)
	copy(file, "RF64")
	file = append(file, chunk("LIST", []byte("abcd"))...)
	d, got, err := decodeAll(t, file)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 50 || d.Frames() != 50 {
		t.Fatalf("got %d samples, %d declared frames; want 50", len(got), d.Frames())
	}
}

func TestDecodeStreamedSizes(t *testing.T) {
	data := pcmBytes(PCM, 16, testFrames(300, 1))
	for _, size := range []int64{sizeUnknown, 0x7FFFF000, 0x7FFFFFFF} {
		d, got, err := decodeAll(t, makeWAV(spec{tag: PCM, channels: 1, rate: 16000, bits: 16, dataSize: size}, data))
		if err != nil {
			t.Errorf("size 0x%X: %v (a streaming placeholder size is not truncation)", size, err)
		}
		if len(got) != 300 || d.Frames() != -1 {
			t.Errorf("size 0x%X: %d samples, %d frames; want 300, -1", size, len(got), d.Frames())
		}
		if _, ok := d.Duration(); ok {
			t.Errorf("size 0x%X: duration should be unknown", size)
		}
	}
}

func TestDecodeShortReads(t *testing.T) {
	frames := testFrames(2000, 3)
	file := makeWAV(spec{tag: Extensible, sub: PCM, channels: 3, rate: 44100, bits: 24, dataSize: -1}, pcmBytes(PCM, 24, frames))
	_, want, err := decodeAll(t, file)
	if err != nil {
		t.Fatal(err)
	}
	wrappers := map[string]func(io.Reader) io.Reader{
		"OneByte":     iotest.OneByteReader,
		"Half":        iotest.HalfReader,
		"DataErr":     iotest.DataErrReader,
		"NotSeekable": func(r io.Reader) io.Reader { return struct{ io.Reader }{r} },
	}
	for name, wrap := range wrappers {
		d, err := NewDecoder(wrap(bytes.NewReader(file)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// Read in awkward sizes.
		var got []float32
		buf := make([]float32, 7)
		for {
			n, err := d.Read(buf)
			got = append(got, buf[:n]...)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: decoded samples differ", name)
		}
	}
}

func TestDecodeReadError(t *testing.T) {
	file := makeWAV(spec{tag: PCM, channels: 1, rate: 16000, bits: 16, dataSize: -1}, make([]byte, 400000))
	d, err := NewDecoder(iotest.TimeoutReader(iotest.HalfReader(bytes.NewReader(file))))
	if err != nil {
		// The header came in the first read; the timeout hits the data.
		t.Fatal(err)
	}
	_, err = audio.ReadAll(d)
	if !errors.Is(err, iotest.ErrTimeout) {
		t.Fatalf("got %v, want an error wrapping the reader's error", err)
	}
}

func TestDecodeBadInput(t *testing.T) {
	good := makeWAV(spec{tag: PCM, channels: 1, rate: 16000, bits: 16, dataSize: -1}, make([]byte, 100))
	with := func(off int, v uint32, size int) []byte {
		b := bytes.Clone(good)
		if size == 2 {
			binary.LittleEndian.PutUint16(b[off:], uint16(v))
		} else {
			binary.LittleEndian.PutUint32(b[off:], v)
		}
		return b
	}
	cases := []struct {
		name        string
		file        []byte
		want        string // substring of the error
		unsupported bool
	}{
		{"empty", nil, "empty file", false},
		{"not a WAV", []byte("hello, this is a text file, not audio at all"), "not a WAV file", false},
		{"truncated RIFF header", good[:7], "truncated header", false},
		{"truncated fmt", good[:30], "truncated header", false},
		{"truncated chunk header", good[:39], "truncated header", false},
		{"no data chunk", good[:36], "no data chunk", false},
		{"zero channels", with(22, 0, 2), "zero channels", false},
		{"absurd channels", with(22, 1000, 2), "absurd channel count 1000", false},
		{"absurd rate low", with(24, 1, 4), "absurd sample rate 1 Hz", false},
		{"absurd rate high", with(24, 4000000000, 4), "absurd sample rate 4000000000 Hz", false},
		{"block align", with(32, 3, 2), "block align 3", false},
		{"fmt too short", with(16, 8, 4), "fmt chunk of 8 bytes", false},
		{"huge fmt", with(16, 0xFFFFFFF0, 4), "truncated header", false},
		{"not WAVE", append([]byte("RIFF\x10\x00\x00\x00AVI "), good[12:]...), "not WAVE", false},
		{"data before fmt", append(append([]byte("RIFF\x10\x00\x00\x00WAVE"), chunk("data", []byte{1, 2})...), good[12:]...), "data chunk before fmt", false},
		{"RIFX", append([]byte("RIFX"), good[4:]...), "big-endian", true},
		{"ADPCM", with(20, 2, 2), "encoding", true},
		{"20-bit float", with(20, 3, 2), "16-bit IEEE float", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := NewDecoder(bytes.NewReader(c.file))
			if err == nil {
				t.Fatalf("got a decoder (%d Hz, %d ch), want an error", d.SampleRate(), d.Channels())
			}
			if !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q, want one line containing %q", err, c.want)
			}
			var fe FormatError
			var ue UnsupportedError
			if c.unsupported && !errors.As(err, &ue) || !c.unsupported && !errors.As(err, &fe) {
				t.Errorf("error %q has type %T", err, err)
			}
			if !IsFormatError(err) {
				t.Errorf("IsFormatError(%q) = false", err)
			}
		})
	}
}

func TestDecodeEveryPrefix(t *testing.T) {
	// Each cut inside the header is a FormatError; each cut inside the data
	// yields the complete frames and then ErrTruncated.
	data := pcmBytes(PCM, 16, testFrames(40, 2))
	file := makeWAV(spec{tag: PCM, channels: 2, rate: 16000, bits: 16, dataSize: -1}, data)
	hdr := len(file) - len(data)
	for n := 0; n < len(file); n++ {
		d, err := NewDecoder(bytes.NewReader(file[:n]))
		if n < hdr {
			if !IsFormatError(err) {
				t.Fatalf("cut at %d: got %v, want a FormatError", n, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("cut at %d: %v", n, err)
		}
		got, err := audio.ReadAll(d)
		if !errors.Is(err, ErrTruncated) {
			t.Fatalf("cut at %d: got %v, want ErrTruncated", n, err)
		}
		if want := (n - hdr) / 4; len(got) != want {
			t.Fatalf("cut at %d: %d samples, want %d", n, len(got), want)
		}
	}
}

func TestDecodeTruncatedData(t *testing.T) {
	frames := testFrames(1000, 1)
	file := makeWAV(spec{tag: PCM, channels: 1, rate: 16000, bits: 16, dataSize: 1 << 20}, pcmBytes(PCM, 16, frames))
	d, got, err := decodeAll(t, file)
	if len(got) != 1000 {
		t.Errorf("got %d samples, want the 1000 present", len(got))
	}
	if !errors.Is(err, ErrTruncated) || !errors.Is(err, audio.ErrTruncated) {
		t.Fatalf("got %v, want ErrTruncated", err)
	}
	if !strings.Contains(err.Error(), "2000 of 1048576") {
		t.Errorf("error %q should give the byte counts", err)
	}
	if d.Frames() != 1<<19 {
		t.Errorf("declared frames %d", d.Frames())
	}
	// The error is sticky.
	if n, err2 := d.Read(make([]float32, 10)); n != 0 || err2 != err {
		t.Errorf("after truncation: %d, %v", n, err2)
	}
	// A size that is not a whole number of frames is reported too.
	file = makeWAV(spec{tag: PCM, channels: 1, rate: 16000, bits: 16, dataSize: 5}, []byte{0, 0, 0, 0, 1, 0})
	_, got, err = decodeAll(t, file)
	if len(got) != 2 || !errors.Is(err, ErrTruncated) || !strings.Contains(err.Error(), "inside a sample frame") {
		t.Errorf("odd size: %d samples, %v", len(got), err)
	}
}

func TestDecodeZeroLength(t *testing.T) {
	d, err := NewDecoder(bytes.NewReader(makeWAV(spec{tag: PCM, channels: 1, rate: 16000, bits: 16, dataSize: -1}, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := d.Read(make([]float32, 10)); n != 0 || err != io.EOF {
		t.Fatalf("got %d, %v; want 0, io.EOF", n, err)
	}
	if dur, ok := d.Duration(); !ok || dur != 0 || d.Frames() != 0 {
		t.Errorf("duration %v %v frames %d", dur, ok, d.Frames())
	}
}

// genReader produces a WAV stream of a given length on the fly.
type genReader struct {
	hdr    []byte
	left   int64 // data bytes still to produce
	block  []byte
	offset int
}

func (g *genReader) Read(p []byte) (int, error) {
	if len(g.hdr) > 0 {
		n := copy(p, g.hdr)
		g.hdr = g.hdr[n:]
		return n, nil
	}
	if g.left == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > g.left {
		p = p[:g.left]
	}
	n := 0
	for n < len(p) {
		c := copy(p[n:], g.block[g.offset:])
		n += c
		g.offset = (g.offset + c) % len(g.block)
	}
	g.left -= int64(n)
	return n, nil
}

func TestDecodeLongStreamBoundedMemory(t *testing.T) {
	// Two hours of 8 kHz mono 16-bit audio (115 MB), produced on the fly and
	// never stored; in short mode the first 10 minutes of the same file.
	const rate = 8000
	total := int64(2*3600*rate) * 2
	n := total
	if testing.Short() {
		n = int64(600*rate) * 2
	}
	hdr := makeWAV(spec{tag: PCM, channels: 1, rate: rate, bits: 16, dataSize: total}, nil)
	block := pcmBytes(PCM, 16, testFrames(4000, 1))
	g := &genReader{hdr: hdr, left: n, block: block}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	d, err := NewDecoder(g)
	if err != nil {
		t.Fatal(err)
	}
	if dur, _ := d.Duration(); dur != 2*time.Hour {
		t.Errorf("declared duration %v", dur)
	}
	buf := make([]float32, 8192)
	var got int64
	var maxHeap uint64
	for i := 0; ; i++ {
		k, err := d.Read(buf)
		got += int64(k)
		if i%4096 == 0 {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			maxHeap = max(maxHeap, m.HeapAlloc)
		}
		if err != nil {
			if n < total && errors.Is(err, ErrTruncated) {
				break
			}
			if err != io.EOF {
				t.Fatal(err)
			}
			break
		}
	}
	runtime.ReadMemStats(&after)
	if got != n/2 {
		t.Fatalf("decoded %d samples, want %d", got, n/2)
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("decoded %d MB of WAV data; allocated %d KB in total, peak heap %d KB", n>>20, allocated>>10, maxHeap>>10)
	if allocated > 4<<20 || maxHeap > before.HeapAlloc+8<<20 {
		t.Errorf("allocated %d bytes (peak heap %d) decoding a stream: memory is not bounded", allocated, maxHeap)
	}
}

func TestDecodeMatchesGoAudio(t *testing.T) {
	// Cross-check PCM decoding against github.com/go-audio/wav on files
	// written by sox (which uses WAVE_FORMAT_EXTENSIBLE above 16 bits).
	dir := t.TempDir()
	for _, c := range []struct {
		bits, ch int
	}{{16, 1}, {16, 2}, {24, 2}, {32, 1}} {
		path := filepath.Join(dir, fmt.Sprintf("s%d_%d.wav", c.bits, c.ch))
		runSox(t, "-n", "-r", "22050", "-b", fmt.Sprint(c.bits), "-c", fmt.Sprint(c.ch), path, "synth", "0.3", "sine", "300:5000", "sine", "440", "gain", "-3")
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		_, got, err := decodeAll(t, raw)
		if err != nil {
			t.Fatal(err)
		}
		ref := gowav.NewDecoder(bytes.NewReader(raw))
		buf, err := ref.FullPCMBuffer()
		if err != nil {
			t.Fatal(err)
		}
		if len(buf.Data) != len(got)*c.ch {
			t.Fatalf("%s: go-audio has %d values, we have %d frames", path, len(buf.Data), len(got))
		}
		scale := math.Ldexp(1, c.bits-1)
		for i := range got {
			var sum float64
			for k := 0; k < c.ch; k++ {
				sum += float64(buf.Data[i*c.ch+k]) / scale
			}
			if want := sum / float64(c.ch); math.Abs(float64(got[i])-want) > 1e-6 {
				t.Fatalf("%d-bit %d-ch sample %d: %v, go-audio says %v", c.bits, c.ch, i, got[i], want)
			}
		}
	}
}

func TestDecodeSoxFormats(t *testing.T) {
	// The same signal in every layout sox writes must decode alike.
	dir := t.TempDir()
	ref := filepath.Join(dir, "ref.wav")
	runSox(t, "-n", "-r", "8000", "-b", "64", "-e", "floating-point", "-c", "2", ref, "synth", "0.5", "sine", "200:3000", "sine", "300", "gain", "-6")
	refRaw, _ := os.ReadFile(ref)
	_, want, err := decodeAll(t, refRaw)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		tol  float64
	}{
		{[]string{"-b", "8", "-e", "unsigned-integer"}, 0.02},
		{[]string{"-b", "16"}, 1e-4},
		{[]string{"-b", "24"}, 1e-6},
		{[]string{"-b", "32"}, 1e-6},
		{[]string{"-b", "32", "-e", "floating-point"}, 1e-6},
		{[]string{"-e", "mu-law"}, 0.03},
		{[]string{"-e", "a-law"}, 0.03},
		{[]string{"-b", "16", "-c", "1"}, 1e-4},
		{[]string{"-b", "24", "-c", "8"}, 1e-6}, // L,R repeated 4×: same average
	} {
		out := filepath.Join(dir, "x.wav")
		args := append(append([]string{"-D", ref}, c.args...), out)
		if strings.Contains(strings.Join(c.args, " "), "-c 8") {
			args = append(args, "remix", "1", "2", "1", "2", "1", "2", "1", "2")
		}
		runSox(t, args...)
		raw, _ := os.ReadFile(out)
		d, got, err := decodeAll(t, raw)
		if err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%v: %d samples, want %d", c.args, len(got), len(want))
		}
		var maxDiff float64
		for i := range got {
			maxDiff = math.Max(maxDiff, math.Abs(float64(got[i]-want[i])))
		}
		if maxDiff > c.tol {
			t.Errorf("%v (%v %d-bit %d ch): max difference %.3g, want ≤ %.3g", c.args, d.Encoding(), d.BitsPerSample(), d.Channels(), maxDiff, c.tol)
		}
	}
}
