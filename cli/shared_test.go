package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/photovet/photovet/assets"
	"github.com/photovet/photovet/consent"
	"github.com/photovet/photovet/internal/pgtest"
)

// laptop runs the photovet program as its own process, with a home and
// data directory of its own and the environment env.
type laptop struct {
	exe  string
	home string
	env  []string
}

func newLaptop(t *testing.T, exe string, env ...string) laptop {
	return laptop{exe: exe, home: t.TempDir(), env: env}
}

func (l laptop) run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, l.exe, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + l.home, "XDG_CONFIG_HOME=" + filepath.Join(l.home, ".config"), "LANG=en_US.UTF-8"}, l.env...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code = cmd.ProcessState.ExitCode()
	if err != nil && code <= 0 {
		t.Fatalf("photovet %s: %v", strings.Join(args, " "), err)
	}
	t.Logf("photovet %s -> %d\n%s%s", strings.Join(args, " "), code, out.String(), errOut.String())
	return code, out.String(), errOut.String()
}

// TestSharedRegisterTwoLaptopsCLI runs two photovet processes, laptops A
// and B, each with its own database role, on one PostgreSQL register that
// the administrator set up with photovet register grant: the roster
// imported on A is the one B withdraws from, and B's withdrawal lists, on A, the photos A
// exported. A password in the URL is refused without being echoed, and a
// register that cannot be reached is named with the time since when.
func TestSharedRegisterTwoLaptopsCLI(t *testing.T) {
	ctx := context.Background()
	server := pgtest.StartFor(t)
	adminURL, err := server.CreateDatabase(ctx, "school")
	if err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(t.TempDir(), "photovet")
	if out, err := exec.Command("go", "build", "-o", exe, "..").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// The administrator creates the schema and lets each laptop's role
	// work for the school.
	admin := newLaptop(t, exe)
	for _, role := range []string{"laptop_a", "laptop_b"} {
		if err := server.CreateRole(ctx, role); err != nil {
			t.Fatal(err)
		}
		if code, out, _ := admin.run(t, "register", "grant", "school-1", role, "--register", adminURL); code != 0 || !strings.Contains(out, "now works for unit school-1") {
			t.Fatalf("register grant: exit %d", code)
		}
	}
	if code, _, errOut := admin.run(t, "register", "grant", "school-1", "laptop_a", "--data", t.TempDir()); code != 1 || !strings.Contains(errOut, "no units") {
		t.Errorf("register grant on a laptop's own register: exit %d, %q; want 1, no units", code, errOut)
	}
	// A names the register with --register and its passfile in the URL;
	// B with PHOTOVET_REGISTER and PGPASSFILE.
	register := strings.Replace(adminURL, pgtest.Admin+"@", "laptop_a@", 1)
	a := newLaptop(t, exe)
	withoutPassfile, _, _ := strings.Cut(strings.Replace(adminURL, pgtest.Admin+"@", "laptop_b@", 1), "?")
	b := newLaptop(t, exe, consent.RegisterEnv+"="+withoutPassfile+"?sslmode=disable", "PGPASSFILE="+server.PassFile)

	roster := filepath.Join(t.TempDir(), "roster.csv")
	if err := os.WriteFile(roster, assets.RosterTemplateCSV, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := a.run(t, "roster", "import", roster, "--register", register); code != 0 || !strings.Contains(out, "10 added, 0 updated") {
		t.Fatalf("roster import on A: exit %d", code)
	}
	if code, out, _ := b.run(t, "roster", "list"); code != 0 || !strings.Contains(out, "Anna de Vries") || !strings.Contains(out, "10 people") {
		t.Fatalf("roster list on B: exit %d: B does not see A's roster", code)
	}

	// A exports two photos showing Anna (through the store: vet needs the
	// face engine), one on Instagram, one on the website.
	storeA, err := consent.OpenRegister(ctx, register, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	exportsA := filepath.Join(a.home, "exports")
	for i, channel := range []string{"instagram", "website"} {
		claim, err := storeA.ClaimExport(ctx, consent.Publication{
			OriginalSHA256: strings.Repeat(fmt.Sprintf("%02x", i), 32), Folder: exportsA, Channel: channel, Date: consent.NewDate(2026, 9, 10),
			VettedBy: "Pieter de Boer", Photographer: "Jan Smit", PhotographerChannels: []string{channel},
			Faces: []consent.PublishedFace{{PersonID: "S-1001", Visible: true}},
		}, consent.ClaimOptions{Temp: ".photovet-export-TEST.partial", Create: func(string) error { return nil }})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := storeA.PublishExport(ctx, claim.PublicationID); err != nil {
			t.Fatal(err)
		}
	}
	storeA.Close()

	code, out, _ := b.run(t, "withdraw", "S-1001", "--channel", "instagram", "--date", "2026-10-02")
	if code != 0 || !strings.Contains(out, "1 published photo(s) to take down") {
		t.Fatalf("withdraw on B: exit %d, want A's Instagram photo to take down", code)
	}
	code, out, _ = a.run(t, "takedowns", "--register", register)
	if code != 0 || !strings.Contains(out, filepath.Join(exportsA, "2026-09-10_instagram_001.jpg")) || strings.Contains(out, "website") {
		t.Fatalf("takedowns on A: exit %d, want exactly A's Instagram export", code)
	}

	// A password in the URL: refused, and not repeated.
	withPassword := strings.Replace(withoutPassfile, "laptop_b@", "laptop_b:s3cret-pw@", 1)
	code, _, errOut := a.run(t, "takedowns", "--register", withPassword)
	if code != 1 || !strings.Contains(errOut, "passfile") || strings.Contains(errOut, "s3cret-pw") {
		t.Errorf("a password in the URL: exit %d, stderr %q; want 1, a hint to the passfile, and no password", code, errOut)
	}

	// The server goes away: the register says it cannot be reached.
	if err := server.Stop(); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = b.run(t, "takedowns")
	if code != 1 || !strings.Contains(errOut, "cannot be reached (since") {
		t.Errorf("unreachable register: exit %d, stderr %q; want 1 and since when it cannot be reached", code, errOut)
	}
}
