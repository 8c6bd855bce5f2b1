// Package quietlocale keeps Fyne quiet under the C locale. Import it, for
// its effect alone, from package main.
//
// Fyne's lang package reads the user's locale when it is initialised,
// before main runs, whether the program then opens a window or not. Under
// "C.UTF-8" or "POSIX.UTF-8" (the default of many containers, cron jobs and
// Debian systems) it takes "C" for a language tag, fails to parse it and
// logs three lines of "Fyne error: Error parsing user locale C" to stderr,
// on every command. Under these locales messages are untranslated, that
// is English, which is also what Fyne falls back to; this package says so
// in the one place Fyne's locale lookup reads after the C locale:
// LANGUAGE=en, set only when LANGUAGE is unset and the locale is C or
// POSIX with a codeset or modifier. Programs PhotoVet starts see English
// messages, as they would under that locale.
//
// Why this runs before Fyne's lang: since Go 1.21 packages are initialised
// in the order of their import paths, each as soon as its imports are.
// This package imports only os; fyne.io/fyne/v2/lang needs the log package
// (through fyne.io/fyne/v2), which itself imports os and sorts after
// github.com/photovet/..., so this package is always initialised first.
// TestQuietUnderCLocale in package main checks it on the built program.
package quietlocale

import "os"

func init() {
	if os.Getenv("LANGUAGE") != "" {
		return
	}
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		value := os.Getenv(name)
		if value == "" {
			continue
		}
		if isCodesetOfC(value) {
			os.Setenv("LANGUAGE", "en")
		}
		return
	}
}

// isCodesetOfC reports whether locale is the C or POSIX locale with a
// codeset or modifier ("C.UTF-8", "POSIX@euro"): plain "C" and "POSIX"
// Fyne understands.
func isCodesetOfC(locale string) bool {
	for _, c := range []string{"C", "POSIX"} {
		if len(locale) > len(c) && locale[:len(c)] == c && (locale[len(c)] == '.' || locale[len(c)] == '@') {
			return true
		}
	}
	return false
}
