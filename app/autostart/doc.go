// Package autostart starts Hark on login the freedesktop way: a hark.desktop entry in
// $XDG_CONFIG_HOME/autostart (default ~/.config/autostart).
package autostart
