package sni

import (
	"errors"
	"fmt"
	"os"

	"github.com/godbus/dbus/v5"
)

// Watcher is the bus name of the service that collects tray icons.
const Watcher = "org.kde.StatusNotifierWatcher"

// Available reports whether the session bus has a StatusNotifierWatcher, i.e. whether a tray
// icon would be shown. It is false, with the reason, when there is no session bus.
func Available() (bool, error) {
	addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if addr == "" {
		return false, errors.New("no D-Bus session bus")
	}
	return AvailableAt(addr)
}

// AvailableAt is Available for the bus at addr.
func AvailableAt(addr string) (bool, error) {
	conn, err := dbus.Connect(addr)
	if err != nil {
		return false, fmt.Errorf("cannot connect to the D-Bus session bus: %w", err)
	}
	defer conn.Close()
	var has bool
	if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, Watcher).Store(&has); err != nil {
		return false, fmt.Errorf("cannot ask the session bus for a tray: %w", err)
	}
	return has, nil
}
