package testdata

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"
)

// Labels reads ../shared/testdata/recognition/LABELS.csv: the person on
// each labelled photo, and the photos in the file's order.
func Labels(t testing.TB) (person map[string]string, order []string) {
	t.Helper()
	f, err := os.Open(filepath.Join(Dir(t), "recognition", "LABELS.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("LABELS.csv: %d rows, %v", len(rows), err)
	}
	person = make(map[string]string, len(rows)-1)
	for _, r := range rows[1:] {
		person[r[0]] = r[1]
		order = append(order, r[0])
	}
	return person, order
}
