package ctl

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

func TestCommandsPermissionsAndErrors(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	t.Setenv("XDG_RUNTIME_DIR", dir)
	path := SocketPath()
	if want := filepath.Join(dir, "hark", "ctl.sock"); path != want {
		t.Fatalf("SocketPath = %s, want %s", path, want)
	}
	if _, err := Send(path, "status"); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("before Listen: %v", err)
	}
	var mu sync.Mutex
	var got []string
	state := "idle"
	s, err := Listen(path, func(cmd string) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, cmd)
		switch cmd {
		case "toggle", "start":
			state = "listening"
		case "stop":
			state = "idle"
		case "undo":
			return "", errors.New("nothing to undo")
		}
		return state, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Mode()&os.ModeSocket == 0 {
		t.Fatalf("socket mode %v, %v", fi.Mode(), err)
	}
	di, _ := os.Stat(filepath.Dir(path))
	if di.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v", di.Mode().Perm())
	}
	for _, c := range []struct{ cmd, want string }{{"status", "idle"}, {"toggle", "listening"}, {"stop", "idle"}} {
		if st, err := Send(path, c.cmd); err != nil || st != c.want {
			t.Errorf("%s: %q %v", c.cmd, st, err)
		}
	}
	if _, err := Send(path, "undo"); err == nil || err.Error() != "nothing to undo" {
		t.Errorf("undo: %v", err)
	}
	// A command the server does not know is answered with the list, and not handled.
	_, err = Send(path, "explode")
	if err == nil || !strings.Contains(err.Error(), `unknown command "explode"`) || !strings.Contains(err.Error(), "toggle") {
		t.Errorf("unknown command: %v", err)
	}
	// A second instance refuses to take the socket over.
	if _, err := Listen(path, nil); err == nil || !strings.Contains(err.Error(), "already running") {
		t.Errorf("second Listen: %v", err)
	}
	mu.Lock()
	if fmt.Sprint(got) != "[status toggle stop undo]" {
		t.Errorf("handled %v", got)
	}
	mu.Unlock()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("socket left behind: %v", err)
	}
	if _, err := Send(path, "status"); !errors.Is(err, ErrNotRunning) || !strings.Contains(err.Error(), "Hark is not running") {
		t.Errorf("after Close: %v", err)
	}
}

func TestStaleSocketReplacedAndLooseDirTightened(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hark")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "ctl.sock")
	// A socket file nobody listens on, as a crash leaves it.
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	if _, err := Send(path, "status"); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("stale socket: %v", err)
	}
	s, err := Listen(path, func(string) (string, error) { return "idle", nil })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if di, _ := os.Stat(dir); di.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v, want 0700", di.Mode().Perm())
	}
	// The raw protocol: one line in, one line out.
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "status\n")
	line, _ := bufio.NewReader(c).ReadString('\n')
	if line != "ok idle\n" {
		t.Errorf("answer %q", line)
	}
}

func TestFallbackPath(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", "")
	p := SocketPath()
	if !strings.HasPrefix(p, os.TempDir()) || !strings.Contains(p, fmt.Sprintf("hark-%d", os.Getuid())) {
		t.Errorf("fallback %s", p)
	}
}

// issue 17: the control socket stopped for good after one accept error (e.g. too many open
// files). It keeps accepting.
func TestSurvivesAcceptErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hark", "ctl.sock")
	fails := 3
	s, err := listen(path, func(cmd string) (string, error) { return "idle", nil },
		func(accept func() (*net.UnixConn, error)) func() (*net.UnixConn, error) {
			return func() (*net.UnixConn, error) {
				if fails > 0 {
					fails--
					return nil, syscall.EMFILE
				}
				return accept()
			}
		})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	state, err := Send(path, "status")
	if err != nil || state != "idle" {
		t.Fatalf("after accept errors: %q %v", state, err)
	}
	if n := s.AcceptErrors(); n != 3 {
		t.Errorf("%d accept errors counted, want 3", n)
	}
}

// FuzzRespond: the protocol answers any line with exactly one line, "ok …" or "error …".
func FuzzRespond(f *testing.F) {
	for _, s := range []string{"status\n", "toggle", "", "\x00\xff", "undo\nundo\n", strings.Repeat("a", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		out := respond(func(cmd string) (string, error) {
			if cmd == "undo" {
				return "", errors.New("nothing\nto undo")
			}
			return "idle", nil
		}, line)
		if !strings.HasSuffix(out, "\n") || strings.Count(out, "\n") != 1 || !(strings.HasPrefix(out, "ok ") || strings.HasPrefix(out, "error ")) {
			t.Fatalf("respond(%q) = %q", line, out)
		}
	})
}
