// Package trace marks the stages of a cold start (process start → first text) when
// HARK_TRACE_STAGES is set: each Mark prints "stage NAME MS" (milliseconds since the process
// started) on standard error. `hark bench --cold` runs Hark with it and sums the stages.
package trace

import (
	"fmt"
	"os"
	"strconv"
	"strings"
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

// processStart is when the process started: the time (Unix nanoseconds) given in
// HARK_TRACE_STAGES by the parent that started it, else when the kernel started it (from
// /proc/self/stat, to 10 ms), so that the marks include loading the executable and the Go
// runtime; the package's initialisation time where neither can be read.
func processStart() time.Time {
	now := time.Now()
	if !on {
		return now
	}
	if ns, err := strconv.ParseInt(os.Getenv(Env), 10, 64); err == nil && ns > 0 {
		if t := time.Unix(0, ns); now.Sub(t) >= 0 && now.Sub(t) < time.Minute {
			return t
		}
	}
	b, err := os.ReadFile("/proc/self/stat")
	up, err2 := os.ReadFile("/proc/uptime")
	if err != nil || err2 != nil {
		return now
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return now
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return now
	}
	ticks, err := strconv.ParseFloat(f[19], 64) // field 22: starttime, in clock ticks since boot
	uf := strings.Fields(string(up))
	if err != nil || len(uf) == 0 {
		return now
	}
	uptime, err := strconv.ParseFloat(uf[0], 64)
	if err != nil {
		return now
	}
	const hz = 100 // USER_HZ on Linux
	age := time.Duration((uptime - ticks/hz) * float64(time.Second))
	if age < 0 || age > time.Minute {
		return now
	}
	return now.Add(-age)
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
