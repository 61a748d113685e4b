// Package trace marks the stages of a cold start (process start → first text) when
// HARK_TRACE_STAGES is set: each Mark prints "stage NAME MS" (milliseconds since the process
// started) on standard error. `hark bench --cold` runs Hark with it and sums the stages.
package trace

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

// Env turns the marks on.
const Env = "HARK_TRACE_STAGES"

var (
	on    = os.Getenv(Env) != ""
	start = processStart()
	mu    sync.Mutex
)

// processStart is when the process started, as the parent that started it gives it in
// HARK_TRACE_STAGES (Unix nanoseconds: the marks then include exec and the Go runtime, as
// `hark bench --cold` does); else this package's initialisation.
func processStart() time.Time {
	now := time.Now()
	if ns, err := strconv.ParseInt(os.Getenv(Env), 10, 64); on && err == nil && ns > 0 {
		if t := time.Unix(0, ns); now.Sub(t) >= 0 && now.Sub(t) < time.Minute {
			return t
		}
	}
	return now
}

// On reports whether marks are printed.
func On() bool { return on }

// Mark records that stage name has ended.
func Mark(name string) {
	if !on {
		return
	}
	mu.Lock()
	defer mu.Unlock()
	fmt.Fprintf(os.Stderr, "stage %s %.1f\n", name, float64(time.Since(start).Microseconds())/1000)
}
