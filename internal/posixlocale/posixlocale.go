// Package posixlocale keeps the GUI toolkit quiet under the "C.UTF-8" locale that
// containers, CI runners and service managers set. Fyne reads the user's language from
// LC_ALL / LC_MESSAGES / LANG while it is being initialised and logs a three-line error for
// "C.UTF-8" (it understands "C" and "POSIX" but not their UTF-8 forms), on every command,
// including ones that never open a window.
//
// Imported (blank) by package main, it runs before Fyne: Go initialises packages in import
// path order among those whose imports are ready, and this one needs only os and strings,
// while Fyne's language package waits on packages (log, text/template) that sort after it.
// When the locale is a C/POSIX one and LANGUAGE is unset, it sets LANGUAGE=en: that is what
// Fyne then reads, and gettext ignores LANGUAGE under a C locale, so nothing else changes.
package posixlocale

import (
	"os"
	"strings"
)

func init() { apply(os.Getenv, os.Setenv) }

// apply sets LANGUAGE=en when the effective message locale is C.* or POSIX.* and LANGUAGE is
// empty. It reports whether it did.
func apply(getenv func(string) string, setenv func(string, string) error) bool {
	loc := ""
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if loc = getenv(k); loc != "" {
			break
		}
	}
	if !IsPOSIX(loc) || getenv("LANGUAGE") != "" {
		return false
	}
	return setenv("LANGUAGE", "en") == nil
}

// IsPOSIX reports whether a locale name is the C/POSIX locale with a codeset suffix
// ("C.UTF-8", "C.utf8", "POSIX.UTF-8"); the bare "C" and "POSIX" need no help.
func IsPOSIX(loc string) bool {
	return strings.HasPrefix(loc, "C.") || strings.HasPrefix(loc, "POSIX.")
}
