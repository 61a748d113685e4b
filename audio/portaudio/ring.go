package portaudio

import (
	"io"
	"sync"
	"time"
)

// ring is the buffer between the audio callback (writer) and Read (reader). The writer
// never blocks: what does not fit is dropped and counted.
type ring struct {
	mu       sync.Mutex
	buf      []float32
	r, n     int // read position and fill
	closed   bool
	err      error
	stats    Stats
	notify   chan struct{} // signalled (without blocking) when data arrives or state changes
	watchdog time.Duration
	last     time.Time // when the writer last delivered
	now      func() time.Time
}

func newRing(size int, watchdog time.Duration) *ring {
	return &ring{buf: make([]float32, size), notify: make(chan struct{}, 1), watchdog: watchdog, now: time.Now}
}

func (q *ring) signal() {
	select {
	case q.notify <- struct{}{}:
	default:
	}
}

// write appends mono samples (called from the audio callback).
func (q *ring) write(x []float32, overflow bool) {
	q.mu.Lock()
	if overflow {
		q.stats.Overflows++
	}
	q.stats.Captured += int64(len(x))
	q.last = q.now()
	free := len(q.buf) - q.n
	if len(x) > free {
		q.stats.Dropped += int64(len(x) - free)
		x = x[:free]
	}
	w := (q.r + q.n) % len(q.buf)
	c := copy(q.buf[w:], x)
	copy(q.buf, x[c:])
	q.n += len(x)
	q.mu.Unlock()
	q.signal()
}

// fail makes later Reads return err once the buffer is drained.
func (q *ring) fail(err error) {
	q.mu.Lock()
	if q.err == nil {
		q.err = err
	}
	q.mu.Unlock()
	q.signal()
}

func (q *ring) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.signal()
}

func (q *ring) buffered() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n
}

func (q *ring) snapshot() Stats {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.stats
}

// read blocks until samples are available, then copies up to len(p) of them. It returns
// io.EOF after close, the failure after fail, and ErrDeviceLost when the writer, having
// delivered before, has been silent for longer than the watchdog.
func (q *ring) read(p []float32) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return 0, io.EOF
		}
		if q.n > 0 {
			n := min(len(p), q.n)
			c := copy(p[:n], q.buf[q.r:min(q.r+n, len(q.buf))])
			copy(p[c:n], q.buf)
			q.r = (q.r + n) % len(q.buf)
			q.n -= n
			q.mu.Unlock()
			return n, nil
		}
		if q.err != nil {
			err := q.err
			q.mu.Unlock()
			return 0, err
		}
		// The watchdog runs once audio has flowed: some sources (a sound server's monitor
		// of an idle output) deliver nothing until there is something to deliver.
		wait := time.Hour
		if !q.last.IsZero() {
			wait = q.watchdog - q.now().Sub(q.last)
		}
		if wait <= 0 {
			q.err = ErrDeviceLost
			q.mu.Unlock()
			continue
		}
		q.mu.Unlock()
		if timer == nil {
			timer = time.NewTimer(wait)
		} else {
			timer.Reset(wait)
		}
		select {
		case <-q.notify:
		case <-timer.C:
		}
	}
}
