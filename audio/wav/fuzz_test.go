package wav

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
)

func FuzzDecode(f *testing.F) {
	var w bytes.Buffer
	if err := Write(&w, testSignal(64), 16000); err != nil {
		f.Fatal(err)
	}
	f.Add(w.Bytes())
	f.Add(makeWAV(spec{tag: Extensible, sub: PCM, channels: 3, rate: 44100, bits: 24, dataSize: -1}, pcmBytes(PCM, 24, testFrames(10, 3))))
	f.Add(makeWAV(spec{tag: IEEEFloat, channels: 2, rate: 48000, bits: 32, dataSize: -1}, pcmBytes(IEEEFloat, 32, testFrames(10, 2))))
	f.Add(makeWAV(spec{tag: IEEEFloat, channels: 1, rate: 8000, bits: 64, dataSize: 1 << 30}, pcmBytes(IEEEFloat, 64, testFrames(10, 1))))
	f.Add(makeWAV(spec{tag: PCM, channels: 8, rate: 96000, bits: 8, dataSize: sizeUnknown}, pcmBytes(PCM, 8, testFrames(10, 8))))
	f.Add(makeWAV(spec{tag: MuLaw, channels: 1, rate: 8000, bits: 8, dataSize: -1, extraPre: chunk("JUNK", []byte{1})}, []byte{1, 2, 3}))
	ds := make([]byte, 28)
	binary.LittleEndian.PutUint64(ds[8:], 40)
	rf := makeWAV(spec{tag: PCM, channels: 2, rate: 16000, bits: 16, dataSize: sizeUnknown, extraPre: chunk("ds64", ds)}, pcmBytes(PCM, 16, testFrames(10, 2)))
	copy(rf, "RF64")
	f.Add(rf)
	f.Add([]byte("RIFF"))
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := NewDecoder(bytes.NewReader(b))
		if err != nil {
			if d != nil {
				t.Fatal("decoder and error both returned")
			}
			return
		}
		if d.SampleRate() < 8000 || d.SampleRate() > 96000 || d.Channels() < 1 {
			t.Fatalf("accepted %d Hz, %d channels", d.SampleRate(), d.Channels())
		}
		buf := make([]float32, 333)
		total := 0
		for {
			n, err := d.Read(buf)
			for _, v := range buf[:n] {
				if !(v >= -1 && v <= 1) {
					t.Fatalf("sample %v out of range", v)
				}
			}
			total += n
			if total > len(b) {
				t.Fatalf("%d samples from %d bytes", total, len(b))
			}
			if err == io.EOF {
				return
			}
			if err != nil {
				if !errors.Is(err, ErrTruncated) {
					t.Fatalf("unexpected error type: %v", err)
				}
				return
			}
		}
	})
}
