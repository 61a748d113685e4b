package wav

import (
	"encoding/binary"
	"math"
	"os/exec"
	"testing"
)

// spec describes a WAV file for makeWAV.
type spec struct {
	tag        Encoding // written format tag (Extensible → sub-format sub)
	sub        Encoding
	channels   int
	rate       int
	bits       int
	validBits  int
	blockAlign int // 0: computed
	dataSize   int64
	extraPre   []byte // raw chunks before fmt
	extraPost  []byte // raw chunks between fmt and data
}

func chunk(id string, body []byte) []byte {
	b := make([]byte, 8, 8+len(body)+1)
	copy(b, id)
	binary.LittleEndian.PutUint32(b[4:], uint32(len(body)))
	b = append(b, body...)
	if len(body)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

// makeWAV builds a WAV file holding data. dataSize < 0 means len(data).
func makeWAV(s spec, data []byte) []byte {
	ba := s.blockAlign
	if ba == 0 {
		ba = s.channels * ((s.bits + 7) / 8)
	}
	fmtBody := make([]byte, 16)
	binary.LittleEndian.PutUint16(fmtBody[0:], uint16(s.tag))
	binary.LittleEndian.PutUint16(fmtBody[2:], uint16(s.channels))
	binary.LittleEndian.PutUint32(fmtBody[4:], uint32(s.rate))
	binary.LittleEndian.PutUint32(fmtBody[8:], uint32(s.rate*ba))
	binary.LittleEndian.PutUint16(fmtBody[12:], uint16(ba))
	binary.LittleEndian.PutUint16(fmtBody[14:], uint16(s.bits))
	if s.tag == Extensible {
		ext := make([]byte, 24)
		binary.LittleEndian.PutUint16(ext[0:], 22)
		vb := s.validBits
		if vb == 0 {
			vb = s.bits
		}
		binary.LittleEndian.PutUint16(ext[2:], uint16(vb))
		binary.LittleEndian.PutUint32(ext[4:], 0)
		binary.LittleEndian.PutUint16(ext[8:], uint16(s.sub))
		copy(ext[10:], subtypeGUIDTail)
		fmtBody = append(fmtBody, ext...)
	}
	var body []byte
	body = append(body, "WAVE"...)
	body = append(body, s.extraPre...)
	body = append(body, chunk("fmt ", fmtBody)...)
	body = append(body, s.extraPost...)
	dc := chunk("data", data)
	if s.dataSize >= 0 {
		binary.LittleEndian.PutUint32(dc[4:], uint32(s.dataSize))
	}
	body = append(body, dc...)
	out := append([]byte("RIFF"), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(out[4:], uint32(len(body)))
	return append(out, body...)
}

// pcmBytes encodes frames (frames[i][c]) in the given layout.
func pcmBytes(enc Encoding, bits int, frames [][]float64) []byte {
	var b []byte
	for _, f := range frames {
		for _, v := range f {
			switch {
			case enc == IEEEFloat && bits == 32:
				b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(v)))
			case enc == IEEEFloat && bits == 64:
				b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
			case bits == 8:
				b = append(b, byte(int(math.Round(v*127))+128))
			case bits == 16:
				b = binary.LittleEndian.AppendUint16(b, uint16(int16(math.Round(v*32767))))
			case bits == 24:
				x := int32(math.Round(v * 8388607))
				b = append(b, byte(x), byte(x>>8), byte(x>>16))
			case bits == 32:
				b = binary.LittleEndian.AppendUint32(b, uint32(int32(math.Round(v*2147483647))))
			}
		}
	}
	return b
}

func testFrames(n, channels int) [][]float64 {
	frames := make([][]float64, n)
	for i := range frames {
		frames[i] = make([]float64, channels)
		for c := range frames[i] {
			frames[i][c] = 0.9 * math.Sin(float64(i)*0.05*float64(c+1)+float64(c))
		}
	}
	return frames
}

func mean(f []float64) float64 {
	var s float64
	for _, v := range f {
		s += v
	}
	return s / float64(len(f))
}

func needSox(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("sox")
	if err != nil {
		t.Skip("sox is not installed; install it (apt-get install sox) to run this comparison (CI installs it)")
	}
	return p
}

func runSox(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command(needSox(t), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("sox %v: %v\n%s", args, err, out)
	}
}
