package consent

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// fileHolds counts the pieces (32 bytes each) of blob in the files of dir
// whose names start with prefix.
func fileHolds(t *testing.T, dir, prefix string, blob []byte) int {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, prefix+"*"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+32 <= len(blob); i += 32 {
			n += bytes.Count(data, blob[i:i+32])
		}
	}
	return n
}

// TestR9_FacesStayOnTheLaptop checks that a shared register keeps face
// descriptors on the laptop that enrolled them unless its owner shares
// them: none reaches the server, another laptop has none, and a withdrawal
// of the opt-in made on another laptop deletes and wipes them here before
// they are used again.
func TestR9_FacesStayOnTheLaptop(t *testing.T) {
	ctx := context.Background()
	register := newPostgresRegister(t)
	dirA, dirB := t.TempDir(), t.TempDir()
	a, err := OpenRegister(ctx, register, dirA)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := OpenRegister(ctx, register, dirB)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	importTemplate(t, a)
	marker := descriptor(-77.125)
	if err := a.SetDescriptors(ctx, "S-1001", [][]float32{marker}); err != nil {
		t.Fatal(err)
	}
	if err := a.SetDescriptors(ctx, "S-1003", [][]float32{marker}); err == nil {
		t.Error("S-1003 (no biometric opt-in) got descriptors on the laptop")
	}
	blob, _ := encodeDescriptor(marker)
	if n := countRows(t, a, "SELECT count(*) FROM descriptors"); n != 0 {
		t.Errorf("the server holds %d descriptors, want none (not shared)", n)
	}
	if n := fileHolds(t, dirA, FacesFile, blob); n == 0 {
		t.Fatalf("laptop A's %s does not hold S-1001's descriptor", FacesFile)
	}
	refsA, errA := a.References(ctx)
	refsB, errB := b.References(ctx)
	if errA != nil || errB != nil || len(refsA) != 1 || len(refsB) != 0 {
		t.Fatalf("references: A %d (%v), B %d (%v); want 1 and 0", len(refsA), errA, len(refsB), errB)
	}
	// The opt-in is withdrawn on B.
	if err := b.SetBiometricOptIn(ctx, "S-1001", false, templateDay); err != nil {
		t.Fatal(err)
	}
	if refs, err := a.References(ctx); err != nil || len(refs) != 0 {
		t.Fatalf("A's references after B withdrew the opt-in: %d, %v; want none", len(refs), err)
	}
	if n := fileHolds(t, dirA, FacesFile, blob); n != 0 {
		t.Errorf("laptop A's files still hold %d pieces of the withdrawn descriptor", n)
	}

	// The owner shares the descriptors: they go to the server, for every
	// laptop.
	if _, err := a.db.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES (?, 'on')", ShareFacesKey); err != nil {
		t.Fatal(err)
	}
	shared := openAt(t, register)
	if err := shared.SetBiometricOptIn(ctx, "S-1001", true, templateDay); err != nil {
		t.Fatal(err)
	}
	if err := shared.SetDescriptors(ctx, "S-1001", [][]float32{marker}); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, shared, "SELECT count(*) FROM descriptors"); n != 1 {
		t.Errorf("shared: the server holds %d descriptors, want 1", n)
	}
	if refs, err := openAt(t, register).References(ctx); err != nil || len(refs) != 1 {
		t.Errorf("shared: another laptop reads %d references, %v; want 1", len(refs), err)
	}
}
