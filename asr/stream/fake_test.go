package stream

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"

	"hark/asr"
	"hark/audio"
)

// toneDecoder is a fake recognizer: every stretch of loud audio (≥ 40 ms) is one word named
// after its frequency in hundreds of Hz ("t7" for 700 Hz), found by counting zero crossings.
// It recognizes anything loud, noise included, so only the VAD keeps noise out.
type toneDecoder struct {
	mu    sync.Mutex
	calls int
	lens  []int // length of each input, in samples
	err   error
}

func (d *toneDecoder) Recognize(ctx context.Context, x []float32) (asr.Result, error) {
	d.mu.Lock()
	d.calls++
	d.lens = append(d.lens, len(x))
	err := d.err
	d.mu.Unlock()
	if err != nil {
		return asr.Result{}, err
	}
	if err := ctx.Err(); err != nil {
		return asr.Result{}, err
	}
	return toneWords(x), nil
}

func (d *toneDecoder) Lens() []int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]int(nil), d.lens...)
}

func (d *toneDecoder) Calls() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.calls
}

func toneWords(x []float32) asr.Result {
	const win = 320
	var res asr.Result
	res.Duration = float64(len(x)) / SampleRate
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		if end-start >= 2*win {
			seg := x[start:end]
			// Zero crossings with hysteresis, so the quiet noise around a tone adds none.
			// Measured between the first and the last crossing, so where the stretch starts
			// and ends does not matter.
			zc, pos, first, last := 0, seg[0] > 0, -1, -1
			for i, v := range seg {
				if (pos && v < -0.01) || (!pos && v > 0.01) {
					pos = !pos
					zc++
					if first < 0 {
						first = i
					}
					last = i
				}
			}
			f := 0.0
			if last > first {
				f = float64(zc-1) / 2 / (float64(last-first) / SampleRate)
			}
			w := fmt.Sprintf("t%d", int(math.Round(f/100)))
			res.Words = append(res.Words, asr.Word{Word: w, Start: float64(start) / SampleRate, End: float64(end) / SampleRate, Confidence: 1})
		}
		start = -1
	}
	for i := 0; i+win <= len(x); i += win {
		if audio.RMS(x[i:i+win]) > 0.02 {
			if start < 0 {
				start = i
			}
		} else {
			flush(i)
		}
	}
	flush(len(x) / win * win)
	var ws []string
	for _, w := range res.Words {
		ws = append(ws, w.Word)
	}
	res.Text = strings.Join(ws, " ")
	return res
}

var errBroken = errors.New("engine broke")
