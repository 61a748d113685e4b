// Package x11 grabs system-wide hotkeys on an X11 display (XGrabKey on the root window,
// through the pure-Go X protocol library github.com/jezek/xgb) and reads the keyboard state
// (which modifier keys are held).
package x11
