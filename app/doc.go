// Package app is Hark's dictation window (Fyne): widgets bound to the dictation model in
// dictation, updated from other goroutines only through fyne.Do.
package app
