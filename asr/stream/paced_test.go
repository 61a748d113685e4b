package stream

import (
	"testing"
	"time"

	"hark/audio"
)

func TestPacedDeliversInRealTime(t *testing.T) {
	x := make([]float32, SampleRate) // one second
	clock := time.Unix(0, 0)
	var slept time.Duration
	p := &paced{src: audio.NewSliceSource(x, SampleRate),
		now:   func() time.Time { return clock },
		sleep: func(d time.Duration) { slept += d; clock = clock.Add(d) }}
	got, err := audio.ReadAll(p)
	if err != nil || len(got) != len(x) {
		t.Fatalf("read %d samples, %v", len(got), err)
	}
	if slept != time.Second {
		t.Errorf("slept %v for one second of audio", slept)
	}
	if p.Buffered() != 0 || p.SampleRate() != SampleRate {
		t.Error("Buffered or SampleRate wrong")
	}
}
