//go:build nogui

package main

// defaultArgs is what running hark with no arguments does. Built without the GUI, it
// prints the help.
func defaultArgs() []string { return []string{"help"} }
