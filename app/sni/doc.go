// Package sni tells whether the desktop shows tray icons: Fyne's tray (fyne.io/systray) uses
// the StatusNotifierItem protocol on Linux, which needs a StatusNotifierWatcher on the D-Bus
// session bus.
package sni
