package portaudio

import (
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRingOrderAndWrap(t *testing.T) {
	q := newRing(10, time.Second)
	var got []float32
	next := float32(0)
	for round := 0; round < 20; round++ {
		x := make([]float32, 1+round%7)
		for i := range x {
			x[i] = next
			next++
		}
		q.write(x, false)
		p := make([]float32, 3+round%5)
		for q.buffered() > 0 {
			n, err := q.read(p)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, p[:n]...)
		}
	}
	for i, v := range got {
		if v != float32(i) {
			t.Fatalf("sample %d is %v", i, v)
		}
	}
	if len(got) != int(next) {
		t.Errorf("read %d of %d samples", len(got), int(next))
	}
}

func TestRingDropsWhenFull(t *testing.T) {
	q := newRing(8, time.Second)
	q.write([]float32{1, 2, 3, 4, 5}, false)
	q.write([]float32{6, 7, 8, 9, 10}, true)
	p := make([]float32, 16)
	n, _ := q.read(p)
	if !slices.Equal(p[:n], []float32{1, 2, 3, 4, 5, 6, 7, 8}) {
		t.Errorf("read %v", p[:n])
	}
	if s := q.snapshot(); s.Dropped != 2 || s.Overflows != 1 || s.Captured != 10 {
		t.Errorf("stats %+v", s)
	}
}

func TestRingCloseUnblocksRead(t *testing.T) {
	q := newRing(8, time.Hour)
	var wg sync.WaitGroup
	wg.Add(1)
	var err error
	go func() {
		defer wg.Done()
		_, err = q.read(make([]float32, 4))
	}()
	time.Sleep(20 * time.Millisecond)
	q.close()
	wg.Wait()
	if err != io.EOF {
		t.Errorf("read after close: %v, want io.EOF", err)
	}
}

func TestRingWatchdog(t *testing.T) {
	q := newRing(8, 50*time.Millisecond)
	q.write([]float32{1, 2}, false)
	p := make([]float32, 4)
	if n, err := q.read(p); n != 2 || err != nil {
		t.Fatalf("read %d, %v", n, err)
	}
	start := time.Now()
	_, err := q.read(p)
	if !errors.Is(err, ErrDeviceLost) {
		t.Fatalf("read from a silent device: %v, want ErrDeviceLost", err)
	}
	if d := time.Since(start); d < 40*time.Millisecond || d > 2*time.Second {
		t.Errorf("device loss reported after %v, want about 50 ms", d)
	}
}

func TestRingNoWatchdogBeforeAudio(t *testing.T) {
	// A source that has not delivered yet (an idle monitor) is waited for, not declared lost.
	q := newRing(8, 20*time.Millisecond)
	done := make(chan error, 1)
	go func() {
		_, err := q.read(make([]float32, 4))
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("read returned %v before any audio", err)
	case <-time.After(100 * time.Millisecond):
	}
	q.write([]float32{1}, false)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestRingFailAfterDrain(t *testing.T) {
	q := newRing(8, time.Hour)
	q.write([]float32{1, 2, 3}, false)
	boom := errors.New("boom")
	q.fail(boom)
	p := make([]float32, 8)
	if n, err := q.read(p); n != 3 || err != nil {
		t.Fatalf("buffered samples first: %d, %v", n, err)
	}
	if _, err := q.read(p); !errors.Is(err, boom) {
		t.Errorf("then the failure: %v", err)
	}
}

func TestPick(t *testing.T) {
	devs := []Device{
		{Index: 0, Name: "HDA Intel PCH: ALC3246 Analog (hw:0,0)"},
		{Index: 3, Name: "pulse", Default: false},
		{Index: 4, Name: "default", Default: true},
		{Index: 7, Name: "USB Audio Device: - (hw:1,0)"},
		{Index: 8, Name: "USB Audio Device: Mic (hw:2,0)"},
	}
	for _, tc := range []struct {
		want  string
		index int
		err   string
	}{
		{"", 4, ""},
		{"default", 4, ""},
		{"3", 3, ""},
		{"pulse", 3, ""},
		{"PULSE", 3, ""},
		{"alc3246", 0, ""},
		{"usb", 0, "several"},
		{"hw:2", 8, ""},
		{"9", 0, "no input device with index 9"},
		{"bluetooth", 0, "no input device matches"},
	} {
		d, err := pick(devs, tc.want)
		if tc.err != "" {
			if err == nil || !contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.want, err, tc.err)
			}
			continue
		}
		if err != nil || d.Index != tc.index {
			t.Errorf("%q: got %d, %v; want %d", tc.want, d.Index, err, tc.index)
		}
	}
	if _, err := pick(nil, ""); !errors.Is(err, ErrNoDevice) {
		t.Errorf("no devices: %v", err)
	}
	// Without a default, the first input is used.
	if d, _ := pick(devs[:2], ""); d.Index != 0 {
		t.Errorf("no default: got %d", d.Index)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
