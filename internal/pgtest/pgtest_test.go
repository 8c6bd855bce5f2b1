package pgtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestStartStop starts a server, connects as a new role through the
// passfile, and stops it.
func TestStartStop(t *testing.T) {
	ctx := context.Background()
	s, err := Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := s.Stop(); err != nil {
			t.Error(err)
		}
	}()
	if _, err := s.CreateDatabase(ctx, "t1"); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateRole(ctx, "unit_a"); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, s.URL("t1", "unit_a"))
	if err != nil {
		t.Fatal(err)
	}
	var who string
	if err := conn.QueryRow(ctx, "SELECT current_user").Scan(&who); err != nil || who != "unit_a" {
		t.Errorf("current_user %q, %v", who, err)
	}
	conn.Close(ctx)
}
