// Package assets holds the files PhotoVet ships inside its binary: the app
// icon, the recorded SHA-256 sums of the face models and the translations.
//
// It depends on nothing but the standard library so that every other package
// may use it.
package assets

import "embed"

// IconPNG is the app icon, a 1024x1024 PNG.
//
//go:embed icon.png
var IconPNG []byte

// ModelSums lists the model files the face engine needs (ONNX Runtime, the
// face detector, dlib's shape predictor and descriptor network) with their
// SHA-256, in sha256sum's format ("HEX  NAME" per line). scripts/setup.sh
// verifies the model cache against the same file.
//
//go:embed models.sha256
var ModelSums string

// RosterTemplateCSV is the roster template the school office fills in: a
// small example roster (children in school, upper secondary and early
// childhood groups, two staff members) in the format "photovet roster
// import" reads. ROSTER.md beside it documents the columns.
//
//go:embed roster_template.csv
var RosterTemplateCSV []byte

// Translations holds the app's translations, lang/en.json, lang/nl.json and
// lang/fi.json, in go-i18n's flat JSON format: {"English text": "translated
// text"}, keyed by the English text the code passes to Fyne's lang.L or
// to msg.New, with the same {{.Placeholders}}. The app loads them with
// lang.AddTranslationsFS(assets.Translations, "lang"); a test in app fails
// on a missing, stale or mismatched key. lang/fyne.nl.json and
// lang/fyne.fi.json translate the words of Fyne's own widgets (file
// dialogs, Yes/No, Cut/Paste), which Fyne ships no Dutch or Finnish for,
// keyed as in Fyne's lang/translations/base.en.json.
//
//go:embed lang
var Translations embed.FS
