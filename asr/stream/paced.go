package stream

import (
	"time"

	"hark/audio"
)

// Paced returns a Source that delivers src no faster than real time, as a microphone would:
// a file replayed through it exercises the same timing as live capture. Its Buffered method
// reports 0 (nothing is ever waiting).
func Paced(src audio.Source) audio.Source {
	return &paced{src: src, sleep: time.Sleep, now: time.Now}
}

type paced struct {
	src   audio.Source
	start time.Time
	n     int64 // samples delivered
	sleep func(time.Duration)
	now   func() time.Time
}

func (p *paced) SampleRate() int { return p.src.SampleRate() }
func (p *paced) Buffered() int   { return 0 }

// Read delivers at most 20 ms at a time, waiting until that audio "has been spoken".
func (p *paced) Read(buf []float32) (int, error) {
	if p.start.IsZero() {
		p.start = p.now()
	}
	rate := int64(p.src.SampleRate())
	if max := int(rate / 50); len(buf) > max {
		buf = buf[:max]
	}
	n, err := p.src.Read(buf)
	p.n += int64(n)
	due := p.start.Add(time.Duration(p.n * int64(time.Second) / rate))
	if d := due.Sub(p.now()); d > 0 {
		p.sleep(d)
	}
	return n, err
}
