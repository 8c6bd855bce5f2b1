package consent

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/photovet/photovet/msg"
)

// The deletions of face descriptors (R9) the register offers. Each deletes
// S-1001's descriptors (the purge everybody's).
var deletingPaths = []struct {
	name   string
	delete func(ctx context.Context, t *testing.T, s *Store) error
}{
	{"withdraw --biometric", func(ctx context.Context, t *testing.T, s *Store) error {
		return s.SetBiometricOptIn(ctx, "S-1001", false, templateDay)
	}},
	{"roster remove", func(ctx context.Context, t *testing.T, s *Store) error {
		return s.RemovePerson(ctx, "S-1001")
	}},
	{"roster import with biometric no", func(ctx context.Context, t *testing.T, s *Store) error {
		roster := bytes.Replace(templateCSV(t), []byte("website|newsletter|print,yes,"), []byte("website|newsletter|print,no,"), 1)
		held := countRows(t, s, "SELECT count(*) FROM descriptors WHERE person_id = 'S-1001'")
		sum, err := s.ImportRoster(ctx, bytes.NewReader(roster), ImportOptions{Today: templateDay})
		if err == nil && sum.DescriptorsDeleted != held {
			t.Errorf("the import deleted %d descriptors, want S-1001's %d", sum.DescriptorsDeleted, held)
		}
		return err
	}},
	{"roster forget-faces", func(ctx context.Context, t *testing.T, s *Store) error {
		_, err := s.DeleteReferences(ctx, "S-1001", "")
		return err
	}},
	{"purge --year-end", func(ctx context.Context, t *testing.T, s *Store) error {
		_, err := s.PurgeDescriptors(ctx)
		return err
	}},
}

// enrolWithMarker fills the register with the template, 40 more opted-in
// children, and reference descriptors for all of them, S-1001's among them
// in the middle (so that later inserts split and move its page), and returns
// the bytes of S-1001's first descriptor.
func enrolWithMarker(t *testing.T, s *Store) []byte {
	t.Helper()
	ctx := context.Background()
	importTemplate(t, s)
	if _, err := s.ImportRoster(ctx, bytes.NewReader(bigRoster(80, "", 0, nil)), ImportOptions{Today: templateDay}); err != nil {
		t.Fatal(err)
	}
	marker := descriptor(-77.125)
	enrol := func(id string, seed float32) {
		if err := s.SetDescriptors(ctx, id, [][]float32{descriptor(seed), descriptor(seed + 0.25), descriptor(seed + 0.5)}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 80; i += 2 { // the even ones opted in
		enrol(fmt.Sprintf("G-%05d", i), float32(10+i))
		if i == 40 {
			if err := s.SetDescriptors(ctx, "S-1001", [][]float32{marker, descriptor(-80)}); err != nil {
				t.Fatal(err)
			}
			// Into the database file with it, as a day's work or a
			// restart would; the rest stays in the write-ahead log.
			if _, err := s.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i, id := range []string{"S-1002", "S-1004", "U-3001", "T-9001"} {
		enrol(id, float32(200+i))
	}
	blob, err := encodeDescriptor(marker)
	if err != nil {
		t.Fatal(err)
	}
	return blob
}

// traces counts, per register file, the pieces of blob (32 bytes each) it
// holds: any one of them is a trace of the descriptor.
func traces(t testing.TB, dir string, blob []byte) map[string]int {
	t.Helper()
	found := map[string]int{}
	for _, name := range []string{RegisterFile, RegisterFile + "-wal", RegisterFile + "-shm"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+32 <= len(blob); i += 32 {
			found[name] += bytes.Count(data, blob[i:i+32])
		}
		if found[name] == 0 {
			delete(found, name)
		}
	}
	return found
}

// fileSizes describes the sizes of the register's files, for the log.
func fileSizes(dir string) string {
	var parts []string
	for _, name := range []string{RegisterFile, RegisterFile + "-wal", RegisterFile + "-shm"} {
		if info, err := os.Stat(filepath.Join(dir, name)); err == nil {
			parts = append(parts, fmt.Sprintf("%s %d B", name, info.Size()))
		} else {
			parts = append(parts, name+" absent")
		}
	}
	return strings.Join(parts, ", ")
}

// otherUser is a second user of the register while a test changes it: the
// app, open all day beside the command line, or a second process.
type otherUser interface {
	// beginRead starts a read transaction and reads the descriptors in
	// it; beginWrite starts a write transaction and writes in it; end ends
	// either, changing nothing.
	beginRead() error
	beginWrite() error
	end() error
	// close closes the other user's register.
	close() error
}

// otherUsers opens a second user of the register in dir: another *Store in
// this process, or another process.
var otherUsers = []struct {
	name string
	open func(t *testing.T, dir string) otherUser
}{
	{"second store", openOtherStore},
	{"second process", startOtherProcess},
}

// otherStore is a second *Store on the register, as the app has it.
type otherStore struct {
	s  *Store
	tx *sql.Tx
}

func openOtherStore(t *testing.T, dir string) otherUser {
	t.Helper()
	s, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	o := &otherStore{s: s}
	t.Cleanup(func() { o.close() })
	if _, err := s.References(context.Background()); err != nil { // as the app does at start
		t.Fatal(err)
	}
	return o
}

func (o *otherStore) beginRead() error {
	tx, err := o.s.db.BeginTx(context.Background(), &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	o.tx = tx
	var n int
	return tx.QueryRow("SELECT count(*) FROM descriptors").Scan(&n)
}

func (o *otherStore) beginWrite() error {
	tx, err := o.s.db.BeginTx(context.Background(), nil)
	if err != nil {
		return err
	}
	o.tx = tx
	_, err = tx.Exec("INSERT INTO settings (key, value) VALUES ('other_user', 'writing') ON CONFLICT (key) DO UPDATE SET value = excluded.value")
	return err
}

func (o *otherStore) end() error { return o.tx.Rollback() }

func (o *otherStore) close() error {
	if o.s == nil {
		return nil
	}
	err := o.s.Close()
	o.s = nil
	return err
}

// otherUserEnv makes the test binary act as the second process of
// startOtherProcess: its value is the register's directory.
const otherUserEnv = "PHOTOVET_TEST_OTHER_USER"

// otherProcess is a second process with the register open: the test
// binary run by startOtherProcess, told what to do a line at a time.
type otherProcess struct {
	cmd     *exec.Cmd
	stdin   interface{ Write([]byte) (int, error) }
	closeIn func() error
	replies chan string
	exited  chan error
}

// startOtherProcess runs the current test again as a second process that
// opens the register in dir and reads it; the test must start with
// "if actAsOtherUser() { return }".
func startOtherProcess(t *testing.T, dir string) otherUser {
	t.Helper()
	test, _, _ := strings.Cut(t.Name(), "/")
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$")
	cmd.Env = append(os.Environ(), otherUserEnv+"="+dir)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &otherProcess{cmd: cmd, stdin: stdin, closeIn: stdin.Close, replies: make(chan string, 16), exited: make(chan error, 1)}
	go func() {
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			p.replies <- lines.Text()
		}
		close(p.replies)
		p.exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if err := p.close(); err != nil {
			t.Error(err)
		}
	})
	if err := p.await("open"); err != nil {
		t.Fatal(err)
	}
	return p
}

// await waits for the process to reply want.
func (p *otherProcess) await(want string) error {
	timeout := time.After(30 * time.Second)
	for {
		select {
		case line, ok := <-p.replies:
			switch {
			case !ok:
				return fmt.Errorf("the other process ended before saying %q", want)
			case line == want:
				return nil
			case strings.HasPrefix(line, "error: "):
				return errors.New("the other process: " + line)
			}
		case <-timeout:
			return fmt.Errorf("the other process did not say %q within 30 s", want)
		}
	}
}

func (p *otherProcess) tell(command, reply string) error {
	if _, err := p.stdin.Write([]byte(command + "\n")); err != nil {
		return err
	}
	return p.await(reply)
}

func (p *otherProcess) beginRead() error  { return p.tell("read", "reading") }
func (p *otherProcess) beginWrite() error { return p.tell("write", "writing") }
func (p *otherProcess) end() error        { return p.tell("end", "ended") }

// close ends the process: it closes the register when its input ends.
func (p *otherProcess) close() error {
	if p.closeIn == nil {
		return nil
	}
	p.closeIn()
	p.closeIn = nil
	for range p.replies {
	}
	select {
	case err := <-p.exited:
		if err != nil {
			return fmt.Errorf("the other process: %w", err)
		}
		return nil
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		return errors.New("the other process did not end within 30 s of its input")
	}
}

// actAsOtherUser is the second process of startOtherProcess when the
// environment asks for it: it opens the register, reads it, and then does
// what each line of its input says (read, write, end) until the input ends.
// It reports whether it acted (and the test must return).
func actAsOtherUser() bool {
	dir := os.Getenv(otherUserEnv)
	if dir == "" {
		return false
	}
	ctx := context.Background()
	fail := func(err error) {
		fmt.Println("error:", err)
		os.Exit(3)
	}
	o := &otherStore{}
	s, err := Open(ctx, dir)
	if err != nil {
		fail(err)
	}
	o.s = s
	if _, err := s.References(ctx); err != nil {
		fail(err)
	}
	fmt.Println("open")
	commands := bufio.NewScanner(os.Stdin)
	for commands.Scan() {
		var err error
		var reply string
		switch commands.Text() {
		case "read":
			err, reply = o.beginRead(), "reading"
		case "write":
			err, reply = o.beginWrite(), "writing"
		case "end":
			err, reply = o.end(), "ended"
		default:
			err = fmt.Errorf("unknown command %q", commands.Text())
		}
		if err != nil {
			fail(err)
		}
		fmt.Println(reply)
	}
	if err := s.Close(); err != nil {
		fail(err)
	}
	os.Exit(0)
	return true
}

// TestR9_DeletionWipesBytesWhileTheRegisterIsOpenElsewhere deletes
// descriptors by every path while another user has the register open, as
// the app is all day, and looks for their bytes in the register's files.
func TestR9_DeletionWipesBytesWhileTheRegisterIsOpenElsewhere(t *testing.T) {
	if actAsOtherUser() {
		return
	}
	for _, other := range otherUsers {
		for _, path := range deletingPaths {
			t.Run(other.name+"/"+path.name, func(t *testing.T) {
				ctx := context.Background()
				s, dir := openTestStore(t)
				marker := enrolWithMarker(t, s)
				o := other.open(t, dir)
				before := traces(t, dir, marker)
				if before[RegisterFile] == 0 {
					t.Fatalf("S-1001's descriptor is not in the database file before the deletion (%v): the check would prove nothing", before)
				}
				if err := path.delete(ctx, t, s); err != nil {
					t.Fatal(err)
				}
				after := traces(t, dir, marker)
				t.Logf("pieces of S-1001's descriptor before %v, after %v; %s", before, after, fileSizes(dir))
				if len(after) > 0 {
					t.Errorf("S-1001's deleted descriptor is still in the register's files: %v", after)
				}
				if n := countRows(t, s, "SELECT count(*) FROM descriptors WHERE person_id = 'S-1001'"); n != 0 {
					t.Errorf("%d of S-1001's descriptors are left", n)
				}
				if o, ok := o.(*otherStore); ok {
					refs, err := o.s.References(ctx)
					if err != nil {
						t.Fatal(err)
					}
					for _, r := range refs {
						if r.PersonID == "S-1001" {
							t.Fatal("the other store still reads S-1001's descriptors")
						}
					}
				}
			})
		}
	}
}

// TestR9_DeletionWaitsForAReaderThenWipes deletes descriptors while
// another user is in the middle of reading them: the wipe waits for the
// reader to finish, then leaves no byte behind.
func TestR9_DeletionWaitsForAReaderThenWipes(t *testing.T) {
	if actAsOtherUser() {
		return
	}
	for _, other := range otherUsers {
		for _, path := range deletingPaths {
			t.Run(other.name+"/"+path.name, func(t *testing.T) {
				s, dir := openTestStore(t)
				marker := enrolWithMarker(t, s)
				o := other.open(t, dir)
				if err := o.beginRead(); err != nil {
					t.Fatal(err)
				}
				var readerDone atomic.Bool
				released := make(chan error, 1)
				go func() {
					time.Sleep(300 * time.Millisecond)
					readerDone.Store(true)
					released <- o.end()
				}()
				start := time.Now()
				err := path.delete(context.Background(), t, s)
				took := time.Since(start)
				if err := <-released; err != nil {
					t.Fatal(err)
				}
				if err != nil {
					t.Fatal(err)
				}
				left := traces(t, dir, marker)
				t.Logf("returned after %v (the reader read for 300 ms); pieces left %v; %s", took.Round(time.Millisecond), left, fileSizes(dir))
				if !readerDone.Load() {
					t.Error("the deletion returned before the reader had finished, so it cannot have wiped what the reader kept")
				}
				if len(left) > 0 {
					t.Errorf("S-1001's deleted descriptor is still in the register's files: %v", left)
				}
			})
		}
	}
}

// TestR9_DeletionBlockedByAReaderSaysSo deletes descriptors while another
// user keeps reading for longer than the deletion may wait: the deletion
// stands, the error says in words that the bytes are not wiped yet, and
// once the last user has closed the register they are gone.
func TestR9_DeletionBlockedByAReaderSaysSo(t *testing.T) {
	if actAsOtherUser() {
		return
	}
	for _, other := range otherUsers {
		for _, path := range deletingPaths {
			t.Run(other.name+"/"+path.name, func(t *testing.T) {
				s, dir := openTestStore(t)
				marker := enrolWithMarker(t, s)
				o := other.open(t, dir)
				if err := o.beginRead(); err != nil {
					t.Fatal(err)
				}
				// The wait ends with the context (at the latest after the
				// busy timeout).
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				defer cancel()
				err := path.delete(ctx, t, s)
				t.Logf("%v", err)
				if !errors.Is(err, ErrNotWiped) {
					t.Fatalf("deletion with a reader that stays: %v, want ErrNotWiped", err)
				}
				if m := msg.FromError(err); !strings.HasPrefix(m.Format, "the face data is deleted from the register, but another PhotoVet is still reading") ||
					!strings.Contains(m.String(), "(detail: context deadline exceeded)") {
					t.Errorf("message %q, want the words with the detail after them", m)
				}
				if n := countRows(t, s, "SELECT count(*) FROM descriptors WHERE person_id = 'S-1001'"); n != 0 {
					t.Errorf("%d of S-1001's descriptors are left: the deletion must stand", n)
				}
				t.Logf("while the reader reads: pieces %v; %s", traces(t, dir, marker), fileSizes(dir))
				if err := errors.Join(o.end(), o.close(), s.Close()); err != nil {
					t.Fatal(err)
				}
				if left := traces(t, dir, marker); len(left) > 0 {
					t.Errorf("after every user closed the register S-1001's descriptor is still in its files: %v", left)
				}
			})
		}
	}
}

// TestBusyRegister has another user hold the register's write lock: a
// change waits for it, and when it waits too long says so in words.
func TestBusyRegister(t *testing.T) {
	if actAsOtherUser() {
		return
	}
	for _, other := range otherUsers {
		t.Run(other.name+"/waits", func(t *testing.T) {
			s, dir := openTestStore(t)
			importTemplate(t, s)
			o := other.open(t, dir)
			if err := o.beginWrite(); err != nil {
				t.Fatal(err)
			}
			var writerDone atomic.Bool
			released := make(chan error, 1)
			go func() {
				time.Sleep(300 * time.Millisecond)
				writerDone.Store(true)
				released <- o.end()
			}()
			start := time.Now()
			err := s.RemovePerson(context.Background(), "S-1003")
			t.Logf("the removal returned after %v (the writer held the lock for 300 ms): %v", time.Since(start).Round(time.Millisecond), err)
			if err := <-released; err != nil {
				t.Fatal(err)
			}
			if err != nil {
				t.Fatalf("removal while another user writes: %v, want it to wait and succeed", err)
			}
			if !writerDone.Load() {
				t.Error("the removal returned before the writer had finished")
			}
		})
		t.Run(other.name+"/gives up in words", func(t *testing.T) {
			ctx := context.Background()
			s, dir := openTestStore(t)
			importTemplate(t, s)
			before := dumpStore(t, s)
			o := other.open(t, dir)
			if err := o.beginWrite(); err != nil {
				t.Fatal(err)
			}
			impatient, err := open(ctx, dir, 500*time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			defer impatient.Close()
			start := time.Now()
			_, err = impatient.Withdraw(ctx, "S-1001", "instagram", templateDay)
			t.Logf("gave up after %v: %v", time.Since(start).Round(time.Millisecond), err)
			if err == nil {
				t.Fatal("withdrawal while another user holds the write lock succeeded")
			}
			m := msg.FromError(err)
			words, detail, _ := strings.Cut(err.Error(), "(detail: ")
			if !strings.HasPrefix(m.Format, "another PhotoVet (or another program) was using the register") || !isBusy(err) ||
				strings.Contains(words, "SQLITE_BUSY") || !strings.Contains(detail, "SQLITE_BUSY") {
				t.Errorf("error %q (message %q), want words first and SQLite's text only as the detail", err, m.Format)
			}
			if err := o.end(); err != nil {
				t.Fatal(err)
			}
			if after := dumpStore(t, s); after != before {
				t.Error("the refused withdrawal changed the register")
			}
		})
	}
}

// TestRegisterFailuresInWords makes SQLite fail in ways a school laptop
// can (a full disk, a transaction SQLite ends by itself) and checks that
// the error says what happened in words, with nothing but SQLite's own
// report of it as the detail.
func TestRegisterFailuresInWords(t *testing.T) {
	ctx := context.Background()
	t.Run("disk full", func(t *testing.T) {
		s, _ := openTestStore(t)
		importTemplate(t, s)
		before := dumpStore(t, s)
		// The register may not grow by more than a few pages: SQLite's
		// own "database or disk is full".
		s.db.SetMaxOpenConns(1)
		var pages int
		if err := s.db.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
			t.Fatal(err)
		}
		if err := s.db.QueryRowContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", pages+5)).Scan(&pages); err != nil {
			t.Fatal(err)
		}
		_, err := s.ImportRoster(ctx, bytes.NewReader(bigRoster(3000, "", 0, nil)), ImportOptions{Today: templateDay})
		t.Logf("%v", err)
		if m := msg.FromError(err); !strings.HasPrefix(m.Format, "the disk is full") || !strings.Contains(err.Error(), "(detail: line ") ||
			!strings.HasSuffix(err.Error(), "database or disk is full (13))") {
			t.Errorf("import on a full disk: %q, want the words, then SQLite's report as the detail", err)
		}
		if after := dumpStore(t, s); after != before {
			t.Error("the failed import changed the register")
		}
	})
	t.Run("transaction already rolled back", func(t *testing.T) {
		s, _ := openTestStore(t)
		// After a full disk or an I/O error SQLite may undo the whole
		// transaction itself: rolling back again only says there is none.
		failure := errors.New("database or disk is full")
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, "ROLLBACK"); err != nil {
				t.Fatal(err)
			}
			return failure
		})
		if err == nil || err.Error() != failure.Error() {
			t.Errorf("inTx after SQLite rolled back: %q, want only %q", err, failure)
		}
	})
}
