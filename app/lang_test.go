package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/template"

	"fyne.io/fyne/v2/lang"

	"github.com/photovet/photovet/assets"
	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/msg"
)

// sourceDirs are the packages whose visible text is translated: the UI
// itself and the sentences of the rules and the pipeline it shows.
var sourceDirs = []string{".", "../consent", "../vet", "../msg"}

const (
	fyneLangPath = "fyne.io/fyne/v2/lang"
	msgPath      = "github.com/photovet/photovet/msg"
)

// textKey is one translation key the code uses.
type textKey struct {
	english string   // the English text: the key, or lang.X's fallback
	where   []string // file:line of each use
	plural  bool     // used with plural forms (lang.N and the like)
}

// sourceKeys returns the translation keys of every non-test Go file in
// sourceDirs: the string-literal first argument of lang.L, lang.N,
// lang.Localize and lang.LocalizePlural, the key of lang.X, lang.XN,
// lang.LocalizeKey and lang.LocalizePluralKey (with its fallback as the
// English text), the format of msg.New (New inside package msg),
// and the channel labels of the default channels (consent.ChannelName).
// Calls whose key is not a literal are returned in dynamic: the test
// cannot know their keys.
func sourceKeys(t *testing.T) (keys map[string]*textKey, dynamic []string) {
	t.Helper()
	keys = make(map[string]*textKey)
	add := func(key, english, where string, plural bool) {
		k := keys[key]
		if k == nil {
			k = &textKey{english: english}
			keys[key] = k
		}
		k.where = append(k.where, where)
		k.plural = k.plural || plural
	}
	for _, c := range consent.DefaultSettings().Channels {
		label := consent.ChannelName(c).Format
		add(label, label, "consent.ChannelName("+strconv.Quote(c)+")", false)
	}
	fset := token.NewFileSet()
	for _, dir := range sourceDirs {
		for _, f := range parseSources(t, fset, dir) {
			langName, msgName := importName(f, fyneLangPath), importName(f, msgPath)
			inMsg := f.Name.Name == "msg"
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) == 0 {
					return true
				}
				var fn string
				switch fun := call.Fun.(type) {
				case *ast.SelectorExpr:
					x, ok := fun.X.(*ast.Ident)
					switch {
					case !ok:
						return true
					case langName != "" && x.Name == langName:
						fn = "lang." + fun.Sel.Name
					case msgName != "" && x.Name == msgName && fun.Sel.Name == "New":
						fn = "msg.New"
					default:
						return true
					}
				case *ast.Ident:
					if !inMsg || fun.Name != "New" {
						return true
					}
					fn = "msg.New"
				default:
					return true
				}
				pos := fset.Position(call.Pos())
				where := fmt.Sprintf("%s:%d", pos.Filename, pos.Line)
				if abs, err := filepath.Abs(pos.Filename); err == nil {
					where = fmt.Sprintf("%s/%s:%d", filepath.Base(filepath.Dir(abs)), filepath.Base(abs), pos.Line)
				}
				plural := fn == "lang.N" || fn == "lang.LocalizePlural" || fn == "lang.XN" || fn == "lang.LocalizePluralKey"
				switch fn {
				case "lang.L", "lang.N", "lang.Localize", "lang.LocalizePlural", "msg.New":
					if key, ok := stringConst(call.Args[0]); ok {
						add(key, key, where, plural)
					} else {
						dynamic = append(dynamic, fmt.Sprintf("%s: %s(%s, ...)", where, fn, exprString(fset, call.Args[0])))
					}
				case "lang.X", "lang.XN", "lang.LocalizeKey", "lang.LocalizePluralKey":
					key, ok1 := stringConst(call.Args[0])
					english, ok2 := "", false
					if len(call.Args) > 1 {
						english, ok2 = stringConst(call.Args[1])
					}
					if ok1 && ok2 {
						add(key, english, where, plural)
					} else {
						dynamic = append(dynamic, fmt.Sprintf("%s: %s(%s, ...)", where, fn, exprString(fset, call.Args[0])))
					}
				}
				return true
			})
		}
	}
	return keys, dynamic
}

// parseSources parses the non-test Go files in dir.
func parseSources(t *testing.T, fset *token.FileSet, dir string) []*ast.File {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, path := range paths {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatalf("parse %s: %v", path, err)
		}
		files = append(files, f)
	}
	return files
}

// importName returns the name a file refers to an import by, "" when the
// file does not import it.
func importName(f *ast.File, path string) string {
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == path {
			if imp.Name != nil {
				return imp.Name.Name
			}
			return path[strings.LastIndex(path, "/")+1:]
		}
	}
	return ""
}

// stringConst returns the value of a string literal, or of literals joined
// with +.
func stringConst(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.ParenExpr:
		return stringConst(e.X)
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		a, ok1 := stringConst(e.X)
		b, ok2 := stringConst(e.Y)
		return a + b, ok1 && ok2
	}
	return "", false
}

// exprString returns the source text of e.
func exprString(fset *token.FileSet, e ast.Expr) string {
	start, end := fset.Position(e.Pos()), fset.Position(e.End())
	if src, err := os.ReadFile(start.Filename); err == nil && end.Offset <= len(src) {
		return string(src[start.Offset:end.Offset])
	}
	return fmt.Sprintf("%T", e)
}

// languageFiles are the translation files, by language code.
func languageFiles() []string {
	var codes []string
	for _, l := range languages() {
		codes = append(codes, l.Code)
	}
	return codes
}

// pluralForms are the CLDR plural categories of English, Dutch and
// Finnish: a text with plural forms has exactly these.
var pluralForms = []string{"one", "other"}

// readTranslations reads assets/lang/CODE.json, failing on bad JSON, a
// value that is neither a string nor plural forms, and a key given twice.
// A text with plural forms appears in its "other" form.
func readTranslations(t *testing.T, code string) map[string]string {
	t.Helper()
	texts, _ := readTranslationFile(t, code)
	return texts
}

// readTranslationFile reads assets/lang/CODE.json as readTranslations
// does, and returns the plural forms of the keys that have them, by key
// and CLDR category.
func readTranslationFile(t *testing.T, code string) (texts map[string]string, plurals map[string]map[string]string) {
	t.Helper()
	name := "lang/" + code + ".json"
	data, err := assets.Translations.ReadFile(name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("%s: want a JSON object of \"English\": \"translation\" pairs (%v)", name, err)
	}
	m := make(map[string]string)
	plurals = make(map[string]map[string]string)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		key := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			t.Fatalf("%s: the value of %q: %v", name, key, err)
		}
		var value string
		if err := json.Unmarshal(raw, &value); err != nil {
			var forms map[string]string
			if err := json.Unmarshal(raw, &forms); err != nil {
				t.Fatalf("%s: the value of %q: %v (want a string, or plural forms {\"one\": ..., \"other\": ...})", name, key, err)
			}
			if got := slices.Sorted(maps.Keys(forms)); !slices.Equal(got, pluralForms) {
				t.Errorf("%s: %q has the plural forms %q, want %q", name, key, got, pluralForms)
			}
			plurals[key] = forms
			value = forms["other"]
		}
		if _, dup := m[key]; dup {
			t.Errorf("%s: %q is given twice", name, key)
		}
		m[key] = value
	}
	if _, err := dec.Token(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if dec.More() {
		t.Fatalf("%s: text after the JSON object", name)
	}
	return m, plurals
}

var placeholderRE = regexp.MustCompile(`{{\s*\.(\w+)\s*}}`)

// placeholders returns the sorted, distinct {{.Name}} of a text.
func placeholders(s string) []string {
	var names []string
	for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
		names = append(names, m[1])
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// goI18nReserved are the keys go-i18n reads as a message's fields rather
// than as a message (case-insensitive): a file holding one fails to load.
var goI18nReserved = []string{"id", "description", "hash", "leftdelim", "rightdelim", "zero", "one", "two", "few", "many", "other", "translation"}

// TestTranslationsParse checks that each translation file is a flat JSON
// object of strings that Fyne's lang loads, and that every translation is a
// template that renders with its placeholders filled.
func TestTranslationsParse(t *testing.T) {
	for _, code := range languageFiles() {
		tr, plurals := readTranslationFile(t, code)
		if len(tr) == 0 {
			t.Errorf("%s.json is empty", code)
		}
		for key, value := range tr {
			if slices.Contains(goI18nReserved, strings.ToLower(key)) {
				t.Errorf("%s.json: go-i18n cannot load the key %q (a reserved word): use lang.X with a longer key", code, key)
			}
			values := []string{value}
			if forms := plurals[key]; forms != nil {
				values = slices.Collect(maps.Values(forms))
			}
			for _, value := range values {
				tmpl, err := template.New("").Option("missingkey=error").Parse(value)
				if err != nil {
					t.Errorf("%s.json: %q: %v", code, key, err)
					continue
				}
				data := map[string]any{}
				for _, p := range placeholders(value) {
					data[p] = "x"
				}
				if err := tmpl.Execute(new(bytes.Buffer), data); err != nil {
					t.Errorf("%s.json: %q: %v", code, key, err)
				}
			}
		}
	}
	if err := lang.AddTranslationsFS(assets.Translations, "lang"); err != nil {
		t.Errorf("Fyne's lang cannot load the translations: %v", err)
	}
}

// TestTranslationsComplete fails on every key the code uses that a
// translation file lacks, every key a file has that no code uses, and
// every translation whose {{.Placeholders}} differ from the English.
// Strings the UI adds need a translation in each file: the failure lists
// them ready to paste (fill in the empty values).
func TestTranslationsComplete(t *testing.T) {
	keys, dynamic := sourceKeys(t)
	if len(keys) == 0 {
		t.Fatal("found no translation keys in the code")
	}
	for _, d := range dynamic {
		if strings.Contains(d, "msg.New(") {
			t.Errorf("%s: the format of msg.New must be a string literal, so that this test finds it", d)
		} else {
			t.Logf("not checked, the key is not a literal: %s", d)
		}
	}
	sorted := slices.Sorted(maps.Keys(keys))
	for _, code := range languageFiles() {
		file, plurals := readTranslationFile(t, code)
		var missing, stale, mismatched []string
		for _, key := range sorted {
			value, ok := file[key]
			if !ok || strings.TrimSpace(value) == "" {
				missing = append(missing, key)
				continue
			}
			forms := plurals[key]
			switch {
			case keys[key].plural && forms == nil:
				t.Errorf("%s.json: %q is counted (%s): give it plural forms {\"one\": ..., \"other\": ...}", code, key, keys[key].where[0])
			case !keys[key].plural && forms != nil:
				t.Errorf("%s.json: %q has plural forms, but the code (%s) does not count it: use lang.N", code, key, keys[key].where[0])
			}
			values := []string{value}
			if forms != nil {
				values = []string{forms["one"], forms["other"]}
			}
			for _, value := range values {
				if want, got := placeholders(keys[key].english), placeholders(value); !slices.Equal(want, got) {
					mismatched = append(mismatched, fmt.Sprintf("%q: %q has placeholders %v, want %v (%s)", key, value, got, want, keys[key].where[0]))
				}
			}
		}
		for key := range file {
			if keys[key] == nil {
				stale = append(stale, key)
			}
		}
		slices.Sort(stale)
		if len(missing) > 0 {
			var b strings.Builder
			for _, key := range missing {
				value := ""
				if code == "en" {
					value = keys[key].english
				}
				k, _ := json.Marshal(key)
				v, _ := json.Marshal(value)
				fmt.Fprintf(&b, "\t%s: %s,\n", k, v)
			}
			t.Errorf("assets/lang/%s.json lacks %d keys the code uses (add these and fill in the translation):\n%s", code, len(missing), b.String())
			for _, key := range missing {
				t.Logf("%s: %q is used at %s", code, key, strings.Join(keys[key].where, ", "))
			}
		}
		if len(stale) > 0 {
			t.Errorf("assets/lang/%s.json has %d keys no code uses (remove them, or the code lost a translation):\n\t%s", code, len(stale), strings.Join(quoteAll(stale), "\n\t"))
		}
		if len(mismatched) > 0 {
			t.Errorf("assets/lang/%s.json: translations whose placeholders differ from the English:\n\t%s", code, strings.Join(mismatched, "\n\t"))
		}
	}
}

func quoteAll(s []string) []string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = strconv.Quote(v)
	}
	return q
}

// TestLanguageSwitch checks that setUpLanguage switches the language at
// run time, not only at start, and that tr translates the rules' messages
// with their values, a channel's name included.
func TestLanguageSwitch(t *testing.T) {
	t.Cleanup(func() {
		if err := setUpLanguage(""); err != nil {
			t.Error(err)
		}
	})
	if err := setUpLanguage(""); err != nil {
		t.Fatal(err)
	}
	system := lang.L("unknown face")
	reason := msg.New("no {{.Channel}} consent from the guardian", "Channel", consent.ChannelName("newsletter"))
	count := msg.New("{{.Count}} unknown faces (redacted): assign them or confirm the redaction", "Count", 3)
	plain := msg.Plain("x{{.Count}}.jpg: not a photo")
	for _, code := range []string{"nl", "fi", "en", "nl"} {
		if err := setUpLanguage(code); err != nil {
			t.Fatal(err)
		}
		file := readTranslations(t, code)
		want := map[string]string{
			lang.L("unknown face"):      file["unknown face"],
			tr(msg.New("unknown face")): file["unknown face"],
			tr(reason):                  msg.Render(file["no {{.Channel}} consent from the guardian"], msg.New("", "Channel", file["newsletter"])),
			tr(count):                   msg.Render(file["{{.Count}} unknown faces (redacted): assign them or confirm the redaction"], count),
			tr(plain):                   plain.String(),
			lang.L("{{.Count}} unknown faces (redacted): assign them or confirm the redaction", map[string]any{"Count": 3}): msg.Render(file["{{.Count}} unknown faces (redacted): assign them or confirm the redaction"], count),
		}
		for got, want := range want {
			if got != want || want == "" || strings.Contains(got, "<no value>") {
				t.Errorf("%s: got %q, want %q", code, got, want)
			}
		}
		t.Logf("%s: %s | %s | %s", code, tr(reason), tr(count), lang.L("unknown face"))
	}
	if got := tr(reason); !strings.Contains(got, "nieuwsbrief") {
		t.Errorf("Dutch reason %q: want the channel's Dutch name", got)
	}
	if err := setUpLanguage("de"); err == nil {
		t.Error("setUpLanguage(\"de\") succeeded, want an error: there is no German translation")
	}
	if err := setUpLanguage(""); err != nil {
		t.Fatal(err)
	}
	if got := lang.L("unknown face"); got != system {
		t.Errorf("back to the system language: %q, want %q as at start", got, system)
	}
	for name, v := range systemLocaleEnv {
		if got, ok := os.LookupEnv(name); got != v.value || ok != v.set {
			t.Errorf("back to the system language: %s=%q (set %v), want %q (set %v)", name, got, ok, v.value, v.set)
		}
	}
}

// TestLocaleEnvFor checks the environment that forces a language,
// including on a system whose locale is "C", where LANGUAGE alone is
// ignored.
func TestLocaleEnvFor(t *testing.T) {
	unset := envValue{}
	set := func(v string) envValue { return envValue{v, true} }
	for _, tc := range []struct {
		name   string
		system map[string]envValue
		choice string
		want   map[string]envValue
	}{
		{"system", map[string]envValue{"LANGUAGE": set("nl"), "LC_ALL": unset, "LC_MESSAGES": unset, "LANG": set("nl_NL.UTF-8")}, "",
			map[string]envValue{"LANGUAGE": set("nl"), "LC_ALL": unset, "LC_MESSAGES": unset, "LANG": set("nl_NL.UTF-8")}},
		{"Finnish on a Dutch system", map[string]envValue{"LANGUAGE": set("nl"), "LC_ALL": unset, "LC_MESSAGES": unset, "LANG": set("nl_NL.UTF-8")}, "fi",
			map[string]envValue{"LANGUAGE": set("fi"), "LC_ALL": unset, "LC_MESSAGES": unset, "LANG": set("nl_NL.UTF-8")}},
		{"nothing set", map[string]envValue{"LANGUAGE": unset, "LC_ALL": unset, "LC_MESSAGES": unset, "LANG": unset}, "nl",
			map[string]envValue{"LANGUAGE": set("nl"), "LC_ALL": unset, "LC_MESSAGES": unset, "LANG": unset}},
		{"C locale", map[string]envValue{"LANGUAGE": unset, "LC_ALL": unset, "LC_MESSAGES": unset, "LANG": set("C")}, "nl",
			map[string]envValue{"LANGUAGE": set("nl"), "LC_ALL": unset, "LC_MESSAGES": unset, "LANG": set("C.UTF-8")}},
		{"LC_ALL=POSIX wins over LANG", map[string]envValue{"LANGUAGE": unset, "LC_ALL": set("POSIX"), "LC_MESSAGES": unset, "LANG": set("C")}, "fi",
			map[string]envValue{"LANGUAGE": set("fi"), "LC_ALL": set("C.UTF-8"), "LC_MESSAGES": unset, "LANG": set("C")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := localeEnvFor(tc.system, tc.choice); !maps.Equal(got, tc.want) {
				t.Errorf("localeEnvFor(%v, %q) = %v, want %v", tc.system, tc.choice, got, tc.want)
			}
		})
	}
}

// TestLanguages checks the settings' list: one entry per language of the
// translation files, each named in its own language.
func TestLanguages(t *testing.T) {
	want := map[string]string{"en": "English", "nl": "Nederlands", "fi": "Suomi"}
	got := map[string]string{}
	for _, l := range languages() {
		got[l.Code] = l.Name
	}
	if !maps.Equal(got, want) {
		t.Errorf("languages() = %v, want %v", got, want)
	}
	entries, err := assets.Translations.ReadDir("lang")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		// Fyne names a file [prefix.]CODE.json.
		code := strings.TrimSuffix(e.Name(), ".json")
		if code = code[strings.LastIndex(code, ".")+1:]; want[code] == "" {
			t.Errorf("assets/lang/%s: not offered in the settings", e.Name())
		}
	}
}

// proseRE matches text that reads as words: two words side by side.
var proseRE = regexp.MustCompile(`\pL{2,} \pL{2,}`)

// TestNoUntranslatedText fails on a string literal in the UI's code that
// reads as a sentence but reaches the screen without a translation: prose
// must be the key of a lang call or the format of msg.New. Formats of
// errors (fmt.Errorf, errors.New) are exempt: they add context to a
// technical detail shown after a translated headline, and logs are not
// read by teachers.
func TestNoUntranslatedText(t *testing.T) {
	fset := token.NewFileSet()
	for _, f := range parseSources(t, fset, ".") {
		langName, msgName := importName(f, fyneLangPath), importName(f, msgPath)
		exempt := make(map[ast.Node]bool)
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ImportSpec:
				exempt[n.Path] = true
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				x, ok := sel.X.(*ast.Ident)
				if !ok {
					return true
				}
				switch name := x.Name + "." + sel.Sel.Name; {
				case x.Name == langName, name == msgName+".New",
					name == "fmt.Errorf", name == "errors.New", name == "fyne.LogError":
					for _, arg := range n.Args {
						ast.Inspect(arg, func(m ast.Node) bool {
							if lit, ok := m.(*ast.BasicLit); ok {
								exempt[lit] = true
							}
							return true
						})
					}
				}
			}
			return true
		})
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING || exempt[lit] {
				return true
			}
			if s, err := strconv.Unquote(lit.Value); err == nil && proseRE.MatchString(s) {
				t.Errorf("%s: %q is shown untranslated: wrap it in lang.L (and add it to assets/lang)", fset.Position(lit.Pos()), s)
			}
			return true
		})
	}
}

// TestFyneWidgetTranslations: Fyne ships no Dutch or Finnish for its own
// widgets' words (the file dialogs, Yes/No, Cut/Paste), so assets/lang
// has them as fyne.CODE.json. Each must translate every key of the Fyne
// version in go.mod, agree with the app's own file on shared keys, and be
// what Fyne's widgets show once the language is chosen.
func TestFyneWidgetTranslations(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "fyne.io/fyne/v2").Output()
	if err != nil {
		t.Fatalf("find Fyne's module: %v", err)
	}
	base, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "lang", "translations", "base.en.json"))
	if err != nil {
		t.Fatal(err)
	}
	var english map[string]any
	if err := json.Unmarshal(base, &english); err != nil {
		t.Fatalf("Fyne's base.en.json: %v", err)
	}
	t.Cleanup(func() { setUpLanguage("en") })
	for _, code := range languageFiles() {
		if code == "en" {
			continue
		}
		name := "lang/fyne." + code + ".json"
		data, err := assets.Translations.ReadFile(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var fyneWords map[string]any
		if err := json.Unmarshal(data, &fyneWords); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		own := readTranslations(t, code)
		for _, key := range slices.Sorted(maps.Keys(english)) {
			value, ok := fyneWords[key]
			if !ok {
				t.Errorf("%s lacks Fyne's %q", name, key)
				continue
			}
			if s, isText := value.(string); isText && own[key] != "" && own[key] != s {
				t.Errorf("%q is %q in %s but %q in %s.json: the last loaded would win", key, s, name, own[key], code)
			}
		}
		for key := range fyneWords {
			if _, ok := english[key]; !ok {
				t.Errorf("%s: %q is not one of Fyne's words", name, key)
			}
		}
		if err := setUpLanguage(code); err != nil {
			t.Fatal(err)
		}
		if got, want := lang.L("Show Hidden Files"), fyneWords["Show Hidden Files"]; got != want {
			t.Errorf("%s: the file dialog shows %q, want %q", code, got, want)
		}
		if got, want := lang.X("file.name", "Name"), fyneWords["file.name"].(map[string]any)["other"]; got != want {
			t.Errorf("%s: the file dialog's name column shows %q, want %q", code, got, want)
		}
	}
}
