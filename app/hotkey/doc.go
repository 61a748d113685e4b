// Package hotkey describes system-wide hotkeys (key combinations and their press/release
// events) and turns them into dictation actions, toggle or hold-to-talk; the platform code
// that grabs keys lives in a leaf package named after its technology (hotkey/x11).
package hotkey
