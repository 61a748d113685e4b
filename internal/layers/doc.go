// Package layers holds the test that keeps Hark's import graph layered: data flows one way,
// source → features → engine → search → text → delivery, and each layer imports only the
// layers below it (README, "Architecture"). It has no code of its own.
package layers
