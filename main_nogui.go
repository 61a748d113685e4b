package main

// defaultArgs is what running hark with no arguments does. Until a GUI is built in, it
// prints the help.
func defaultArgs() []string { return []string{"help"} }
