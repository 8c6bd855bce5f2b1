// Package pgtest starts a throw-away PostgreSQL server for tests: a new
// cluster (initdb) in a temporary folder, listening on a free port of
// 127.0.0.1 only, with password authentication, stopped and deleted by
// Stop. PostgreSQL refuses to run as root, so under root the server runs as
// the unprivileged system user TestUser, created when missing.
//
// Every wait (initdb, start, stop) has a timeout. A test that needs the
// server fails when it cannot be started: it never skips.
package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// BinDir is where Debian 12's postgresql-15 installs the server programs.
const BinDir = "/usr/lib/postgresql/15/bin"

// TestUser is the system user the server runs as when the tests run as
// root (scripts/setup.sh creates it too).
const TestUser = "photovet-test"

// Admin is the cluster's superuser.
const Admin = "photovet_admin"

// Timeouts of the steps of starting and stopping a server.
const (
	initTimeout  = 2 * time.Minute
	startTimeout = 30 * time.Second
	stopTimeout  = 15 * time.Second
)

// Server is a running throw-away PostgreSQL server.
type Server struct {
	dir      string // the temporary folder: data/, the passfile, the log
	Port     int
	PassFile string // passwords of Admin and of every role Server created
	cmd      *exec.Cmd
	exited   chan error
}

// StartFor starts a server for test t and stops it when t ends. A test
// that needs the server fails when it cannot be started: it is never
// skipped.
func StartFor(t testing.TB) *Server {
	t.Helper()
	server, err := Start(context.Background())
	if err != nil {
		t.Fatalf("the test PostgreSQL server (needed, never skipped): %v", err)
	}
	t.Cleanup(func() {
		if err := server.Stop(); err != nil {
			t.Errorf("stop the test PostgreSQL server: %v", err)
		}
	})
	return server
}

// Start creates a cluster in a new temporary folder and starts its server.
func Start(ctx context.Context) (*Server, error) {
	bin := func(name string) string { return filepath.Join(BinDir, name) }
	if _, err := os.Stat(bin("postgres")); err != nil {
		return nil, fmt.Errorf("postgresql-15 is not installed (run scripts/setup.sh): %w", err)
	}
	cred, err := serverCredential()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "photovet-pg-")
	if err != nil {
		return nil, fmt.Errorf("start test PostgreSQL: %w", err)
	}
	s := &Server{dir: dir, PassFile: filepath.Join(dir, "passfile")}
	ok := false
	defer func() {
		if !ok {
			s.Stop()
		}
	}()
	password := strconv.FormatInt(time.Now().UnixNano(), 36)
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte(password+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("start test PostgreSQL: %w", err)
	}
	data := filepath.Join(dir, "data")
	if cred != nil {
		// The server's user needs the folder and the password file.
		for _, p := range []string{dir, pwFile} {
			if err := os.Chown(p, int(cred.Uid), int(cred.Gid)); err != nil {
				return nil, fmt.Errorf("start test PostgreSQL: %w", err)
			}
		}
	}
	initCtx, cancel := context.WithTimeout(ctx, initTimeout)
	defer cancel()
	initdb := exec.CommandContext(initCtx, bin("initdb"), "-D", data, "-U", Admin, "--pwfile", pwFile,
		"--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	if err := os.Remove(pwFile); err != nil {
		return nil, fmt.Errorf("start test PostgreSQL: %w", err)
	}

	for attempt := 0; ; attempt++ {
		if s.Port, err = freePort(); err != nil {
			return nil, err
		}
		if err := s.appendPassword(Admin, password); err != nil {
			return nil, err
		}
		err = s.startServer(ctx, data, cred)
		if err == nil {
			break
		}
		if attempt == 2 {
			return nil, err
		}
		// Another program took the port between freePort and the
		// server's listen: try another.
	}
	ok = true
	return s, nil
}

// serverCredential returns the credential to run the server with: nil
// when the tests do not run as root, else TestUser's, which is created
// when it does not exist.
func serverCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup(TestUser)
	if errors.Is(err, user.UnknownUserError(TestUser)) || (err != nil && strings.Contains(err.Error(), "unknown user")) {
		out, addErr := exec.Command("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", TestUser).CombinedOutput()
		if addErr != nil {
			return nil, fmt.Errorf("create system user %s for the test PostgreSQL: %w\n%s", TestUser, addErr, out)
		}
		u, err = user.Lookup(TestUser)
	}
	if err != nil {
		return nil, fmt.Errorf("system user %s for the test PostgreSQL: %w", TestUser, err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("system user %s: %w", TestUser, err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
}

// freePort returns a TCP port of 127.0.0.1 that nothing listens on now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	return port, l.Close()
}

// startServer starts postgres on s.Port and waits until it accepts
// connections.
func (s *Server) startServer(ctx context.Context, data string, cred *syscall.Credential) error {
	var log bytes.Buffer
	s.cmd = exec.Command(filepath.Join(BinDir, "postgres"), "-D", data, "-p", strconv.Itoa(s.Port),
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
		"-c", "max_connections=300", "-c", "fsync=off", "-c", "full_page_writes=off")
	// SIGQUIT (PostgreSQL's immediate shutdown) when the test process
	// dies without stopping it: killed, or its output pipe closed.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true, Pdeathsig: syscall.SIGQUIT}
	s.cmd.Stdout, s.cmd.Stderr = &log, &log
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start test PostgreSQL: %w", err)
	}
	s.exited = make(chan error, 1)
	go func() { s.exited <- s.cmd.Wait() }()
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		conn, err := pgx.Connect(ctx, s.URL("postgres", Admin))
		if err == nil {
			return conn.Close(ctx)
		}
		select {
		case exitErr := <-s.exited:
			s.exited <- exitErr
			s.cmd = nil
			return fmt.Errorf("test PostgreSQL ended at start (%v): %s", exitErr, log.String())
		case <-ctx.Done():
			s.kill()
			s.cmd = nil
			return fmt.Errorf("test PostgreSQL did not accept connections within %s: %w (log: %s)", startTimeout, err, log.String())
		case <-tick.C:
		}
	}
}

// URL returns the connection URL of database as role, with its password in
// the passfile, never in the URL.
func (s *Server) URL(database, role string) string {
	u := url.URL{Scheme: "postgres", User: url.User(role), Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)), Path: "/" + database}
	u.RawQuery = url.Values{"sslmode": {"disable"}, "passfile": {s.PassFile}}.Encode()
	return u.String()
}

// appendPassword records role's password in the passfile.
func (s *Server) appendPassword(role, password string) error {
	f, err := os.OpenFile(s.PassFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("passfile: %w", err)
	}
	_, err = fmt.Fprintf(f, "127.0.0.1:%d:*:%s:%s\n", s.Port, role, password)
	if err := errors.Join(err, f.Close()); err != nil {
		return fmt.Errorf("passfile: %w", err)
	}
	return nil
}

// Exec runs statements as Admin in database.
func (s *Server) Exec(ctx context.Context, database string, statements ...string) error {
	conn, err := pgx.Connect(ctx, s.URL(database, Admin))
	if err != nil {
		return fmt.Errorf("connect to test PostgreSQL: %w", err)
	}
	defer conn.Close(ctx)
	for _, stmt := range statements {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	return nil
}

// CreateDatabase creates a new, empty database owned by Admin and returns
// its URL for Admin.
func (s *Server) CreateDatabase(ctx context.Context, name string) (string, error) {
	if err := s.Exec(ctx, "postgres", "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", err
	}
	return s.URL(name, Admin), nil
}

// CreateRole creates a login role that is no superuser, with a password in
// the passfile.
func (s *Server) CreateRole(ctx context.Context, role string) error {
	password := strconv.FormatInt(time.Now().UnixNano(), 36) + role
	err := s.Exec(ctx, "postgres", "CREATE ROLE "+pgx.Identifier{role}.Sanitize()+" LOGIN PASSWORD '"+password+"'")
	if err != nil {
		return err
	}
	return s.appendPassword(role, password)
}

// Stop stops the server (a fast shutdown, then SIGKILL after a timeout)
// and deletes its folder. Stopping it again does nothing.
func (s *Server) Stop() error {
	var err error
	if s.cmd != nil {
		// SIGINT: PostgreSQL's fast shutdown (clients are disconnected).
		_ = s.cmd.Process.Signal(os.Interrupt)
		select {
		case <-s.exited:
		case <-time.After(stopTimeout):
			err = fmt.Errorf("test PostgreSQL did not stop within %s: killed", stopTimeout)
			s.kill()
		}
		s.cmd = nil
	}
	if s.dir != "" {
		err = errors.Join(err, os.RemoveAll(s.dir))
		s.dir = ""
	}
	return err
}

// kill ends the server's process group at once and waits for it (with a
// timeout).
func (s *Server) kill() {
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	select {
	case <-s.exited:
	case <-time.After(stopTimeout):
	}
}
