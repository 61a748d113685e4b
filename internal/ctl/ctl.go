package ctl

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Commands are what a client may send.
var Commands = []string{"toggle", "start", "stop", "cancel", "pause", "undo", "status", "show"}

// ErrNotRunning says no Hark is listening on the socket.
var ErrNotRunning error = notRunning{}

type notRunning struct{}

func (notRunning) Error() string {
	return "Hark is not running (start the app, or `hark listen --control`)"
}

// Handler carries out a command and returns the state to report ("listening", "idle"...).
type Handler func(cmd string) (state string, err error)

// SocketPath is $XDG_RUNTIME_DIR/hark/ctl.sock, or /tmp/hark-UID/ctl.sock when there is
// no runtime directory.
func SocketPath() string {
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "hark", "ctl.sock")
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("hark-%d", os.Getuid()), "ctl.sock")
}

// privateDir creates dir with mode 0700, or checks that an existing one belongs to this
// user and is not open to others.
func privateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !fi.IsDir() || (ok && int(st.Uid) != os.Getuid()) {
		return fmt.Errorf("%s: not a directory owned by this user; refusing to put the control socket there", dir)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
	}
	return nil
}

// Server answers commands on a Unix socket only this user can use.
type Server struct {
	path   string
	ln     *net.UnixListener
	accept func() (*net.UnixConn, error) // ln.AcceptUnix; a test may fail it
	h      Handler
	wg     sync.WaitGroup
	errs   atomic.Int64 // accept errors survived
}

// AcceptErrors is how many accept errors (e.g. too many open files) the server has survived.
func (s *Server) AcceptErrors() int64 { return s.errs.Load() }

// Listen creates the socket at path (mode 0600, in a 0700 directory) and serves h on it
// until Close. A stale socket left by a crash is replaced; a live one is an error.
func Listen(path string, h Handler) (*Server, error) { return listen(path, h, nil) }

// listen is Listen with a hook that wraps the listener's accept (tests make it fail).
func listen(path string, h Handler, wrap func(func() (*net.UnixConn, error)) func() (*net.UnixConn, error)) (*Server, error) {
	if err := privateDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return nil, fmt.Errorf("%s: another Hark is already running", path)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	ln.SetUnlinkOnClose(true)
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s := &Server{path: path, ln: ln, accept: ln.AcceptUnix, h: h}
	if wrap != nil {
		s.accept = wrap(s.accept)
	}
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

// Path is the socket's path.
func (s *Server) Path() string { return s.path }

// Close stops serving and removes the socket.
func (s *Server) Close() error {
	err := s.ln.Close()
	s.wg.Wait()
	return err
}

// serve accepts until the listener is closed. Any other accept error (too many open files, a
// connection reset before accept) is reported and survived: one error used to stop the
// control socket for good (issue 17).
func (s *Server) serve() {
	defer s.wg.Done()
	pause := 5 * time.Millisecond
	for {
		c, err := s.accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			s.errs.Add(1)
			time.Sleep(pause)
			pause = min(2*pause, time.Second)
			continue
		}
		pause = 5 * time.Millisecond
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.handle(c)
		}()
	}
}

func (s *Server) handle(c *net.UnixConn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if uid, ok := peerUID(c); ok && uid != os.Getuid() {
		fmt.Fprintf(c, "error permission denied\n")
		return
	}
	line, err := bufio.NewReader(io.LimitReader(c, 256)).ReadString('\n')
	if err != nil && line == "" {
		return
	}
	io.WriteString(c, respond(s.h, line))
}

// respond is the protocol: one command line in, one line out ("ok STATE" or "error WHY").
func respond(h Handler, line string) string {
	cmd := strings.TrimSpace(line)
	if !slices.Contains(Commands, cmd) {
		return fmt.Sprintf("error unknown command %q (want %s)\n", cmd, strings.Join(Commands, ", "))
	}
	state, err := h(cmd)
	if err != nil {
		return "error " + strings.ReplaceAll(err.Error(), "\n", "; ") + "\n"
	}
	return "ok " + strings.ReplaceAll(state, "\n", "; ") + "\n"
}

// Send sends cmd to the Hark listening on path and returns the state it reports.
func Send(path, cmd string) (string, error) {
	c, err := net.DialTimeout("unix", path, 2*time.Second)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENOENT) {
			return "", ErrNotRunning
		}
		return "", fmt.Errorf("%s: %w", path, err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := fmt.Fprintf(c, "%s\n", cmd); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("%s: no answer from Hark: %w", path, err)
	}
	line = strings.TrimSpace(line)
	if rest, ok := strings.CutPrefix(line, "ok"); ok {
		return strings.TrimSpace(rest), nil
	}
	return "", errors.New(strings.TrimSpace(strings.TrimPrefix(line, "error")))
}
