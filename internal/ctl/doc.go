// Package ctl is the local control socket through which `hark ctl toggle|start|stop|cancel|status`
// (bound to a desktop shortcut) drives the running app or `hark listen --control`.
package ctl
