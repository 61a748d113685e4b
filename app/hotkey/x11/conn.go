package x11

import (
	"fmt"
	"io"
	"log"
	"sync"

	"github.com/jezek/xgb"
)

var quietOnce sync.Once

// connect opens a connection to display. xgb logs to stderr on every connection made
// without ~/.Xauthority and when a closed connection stops reading; Hark reports its own
// errors, so that log is silenced (once, before the first connection).
func connect(display string) (*xgb.Conn, error) {
	quietOnce.Do(func() { xgb.Logger = log.New(io.Discard, "", 0) })
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("cannot connect to the X display %q: %w", display, err)
	}
	return conn, nil
}
