package audiofile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/hajimehoshi/go-mp3"

	"hark/audio"
)

// mp3Source decodes MP3 with go-mp3, which always yields 16-bit stereo.
type mp3Source struct {
	dec    *mp3.Decoder
	frames *mp3Walker // follows the frames the decoder reads, to tell a cut-off last one
	rate   int
	raw    []byte
	end    int   // raw[:end] holds decoded bytes not yet returned
	srcErr error // how the decoder ended
	err    error // returned from now on
}

func openMP3(r io.Reader, name string) (audio.Source, error) {
	walker := newMP3Walker()
	r = io.TeeReader(r, walker)
	var d *mp3.Decoder
	err := guard("MP3", func() (err error) {
		d, err = mp3.NewDecoder(r)
		return err
	})
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fileErr(name, errors.New("invalid MP3: no complete audio frame"))
		}
		if strings.Contains(err.Error(), "MPEG version 2.5") {
			// go-mp3 decodes MPEG-1 and MPEG-2 (16–48 kHz) but not the MPEG 2.5 extension.
			return nil, fileErr(name, fmt.Errorf("MP3 at 8, 11.025 or 12 kHz (MPEG 2.5) is not supported: %w; convert it first, e.g. `sox %s out.wav`", ErrUnsupported, name))
		}
		return nil, fileErr(name, fmt.Errorf("invalid MP3: %w", err))
	}
	if err := checkRate(name, "MP3", d.SampleRate()); err != nil {
		return nil, err
	}
	return &mp3Source{dec: d, frames: walker, rate: d.SampleRate(), raw: make([]byte, 4*4096)}, nil
}

func (m *mp3Source) SampleRate() int { return m.rate }

func (m *mp3Source) Read(p []float32) (int, error) {
	if m.err != nil {
		return 0, m.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	for m.end < 4 && m.srcErr == nil {
		var n int
		err := guard("MP3", func() (err error) {
			n, err = m.dec.Read(m.raw[m.end:])
			return err
		})
		m.end += n
		if err == io.EOF {
			m.srcErr = io.EOF
			if cut, short := m.frames.truncated(); cut {
				// go-mp3 drops a cut-off last frame silently: decode what is there and say so.
				m.srcErr = fmt.Errorf("MP3 ends inside its last frame (%d bytes short): %w", short, audio.ErrTruncated)
			}
		} else if err != nil {
			m.srcErr = fmt.Errorf("corrupt MP3 data: %w", err)
		}
	}
	if m.end < 4 {
		m.err = m.srcErr
		return 0, m.err
	}
	frames := min(m.end/4, len(p))
	for i := range frames {
		l := int16(binary.LittleEndian.Uint16(m.raw[4*i:]))
		r := int16(binary.LittleEndian.Uint16(m.raw[4*i+2:]))
		p[i] = float32(int32(l)+int32(r)) / 65536
	}
	m.end = copy(m.raw, m.raw[4*frames:m.end])
	return frames, nil
}
