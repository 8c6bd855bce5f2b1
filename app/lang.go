package app

import (
	"fmt"
	"os"

	"fyne.io/fyne/v2/lang"

	"github.com/photovet/photovet/assets"
	"github.com/photovet/photovet/msg"
)

// languageOption is a language the app is translated into, as the settings
// offer it: its code and its name in that language.
type languageOption struct {
	Code string // "en", "nl", "fi"
	Name string // "English", "Nederlands", "Suomi"
}

// languages returns the languages the app speaks, in the order the settings
// list them. Their names are not translated: a teacher looks for their own
// language's name.
func languages() []languageOption {
	return []languageOption{
		{"en", "English"},
		{"nl", "Nederlands"},
		{"fi", "Suomi"},
	}
}

// localeVars are the environment variables go-locale (and so Fyne's lang)
// reads on Linux and the BSDs, in its order of precedence: LANGUAGE wins
// unless the first set of the others is "C" or "POSIX".
var localeVars = [...]string{"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"}

// envValue is an environment variable's value and whether it is set.
type envValue struct {
	value string
	set   bool
}

// systemLocaleEnv is the locale environment the app started with, which
// setUpLanguage("") returns to. It is read once when the program starts and
// never changed.
var systemLocaleEnv = readLocaleEnv()

func readLocaleEnv() map[string]envValue {
	env := make(map[string]envValue, len(localeVars))
	for _, name := range localeVars {
		v, ok := os.LookupEnv(name)
		env[name] = envValue{v, ok}
	}
	return env
}

// localeEnvFor returns the locale environment that makes go-locale report
// choice ("en", "nl", "fi"), starting from the system's; for choice "" it
// is the system's unchanged. LANGUAGE is set to the choice; when the
// system's locale is "C" or "POSIX" (as on a build server), go-locale
// ignores LANGUAGE, so that variable becomes "C.UTF-8", which behaves the
// same for everything else.
func localeEnvFor(system map[string]envValue, choice string) map[string]envValue {
	env := make(map[string]envValue, len(system))
	for name, v := range system {
		env[name] = v
	}
	if choice == "" {
		return env
	}
	env["LANGUAGE"] = envValue{choice, true}
	for _, name := range localeVars[1:] {
		v := env[name].value
		if v == "" {
			continue
		}
		if v == "C" || v == "POSIX" {
			env[name] = envValue{"C.UTF-8", true}
		}
		break
	}
	return env
}

// setUpLanguage loads the app's translations and selects the language:
// choice "" follows the system language (English when the app has no
// translation for it), "en", "nl" or "fi" forces that language. It may be
// called again at any time, from the goroutine that runs the UI, to switch
// language; lang.L returns the new language from then on, but text already
// on screen stays as it is until the UI sets it again.
//
// Fyne's lang follows the locale environment variables and computes its
// choice whenever translations are added, so setUpLanguage sets those
// variables (LANGUAGE, for this process and the programs it starts) and
// adds the translations again.
func setUpLanguage(choice string) error {
	if choice != "" && !knownLanguage(choice) {
		return fmt.Errorf("language %q: want one of en, nl, fi or empty for the system language", choice)
	}
	for name, v := range localeEnvFor(systemLocaleEnv, choice) {
		var err error
		if v.set {
			err = os.Setenv(name, v.value)
		} else {
			err = os.Unsetenv(name)
		}
		if err != nil {
			return fmt.Errorf("set language %q: %w", choice, err)
		}
	}
	if err := lang.AddTranslationsFS(assets.Translations, "lang"); err != nil {
		return fmt.Errorf("load translations: %w", err)
	}
	return nil
}

func knownLanguage(code string) bool {
	for _, l := range languages() {
		if l.Code == code {
			return true
		}
	}
	return false
}

// tr returns a message of the rules (a reason, a hint) in the current
// language: the translation of its format filled with its values, any
// value that is itself a Message (a channel's name) translated first. A
// format without a translation (a channel added in the settings) shows in
// English.
func tr(m msg.Text) string {
	if m.IsZero() {
		return ""
	}
	if len(m.Args) == 0 {
		// lang.L runs a translation through text/template only when it
		// holds "{{"; a message without values never does (consent.Plain
		// carries its text as a value).
		return lang.L(m.Format)
	}
	data := make(map[string]any, len(m.Args))
	for name, v := range m.Args {
		if nested, ok := v.(msg.Text); ok {
			v = tr(nested)
		}
		data[name] = v
	}
	return lang.L(m.Format, data)
}

// errorText returns what went wrong for the teacher: the translated
// message of a msg.Error in err's chain (a bad setting, a date
// that does not exist), else err's own text.
func errorText(err error) string {
	return tr(msg.FromError(err))
}
