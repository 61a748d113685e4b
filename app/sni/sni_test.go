package sni

import (
	"bufio"
	"os/exec"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"
)

// TestAvailableAt runs a private session bus: no tray at first, then a client takes the
// watcher's name, as a desktop's tray does.
func TestAvailableAt(t *testing.T) {
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		t.Skip("dbus-daemon is not installed")
	}
	cmd := exec.Command("dbus-daemon", "--session", "--nofork", "--print-address")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Skipf("dbus-daemon: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	addr = strings.TrimSpace(addr)
	if ok, err := AvailableAt(addr); err != nil || ok {
		t.Fatalf("empty bus: %v, %v", ok, err)
	}
	tray, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer tray.Close()
	if r, err := tray.RequestName(Watcher, dbus.NameFlagDoNotQueue); err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("RequestName: %v, %v", r, err)
	}
	if ok, err := AvailableAt(addr); err != nil || !ok {
		t.Fatalf("with a watcher: %v, %v", ok, err)
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	if ok, err := Available(); ok || err == nil {
		t.Fatalf("no bus: %v, %v", ok, err)
	}
}
