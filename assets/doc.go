// Package assets holds the resources bundled into Hark: the application icon (drawn by
// gen_icon.go; regenerate with `go run assets/gen_icon.go`).
package assets
