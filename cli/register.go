package cli

import (
	"context"
	"fmt"
)

const registerUsage = `Usage: photovet register grant UNIT ROLE --register URL

For the IT administrator of a shared register (PostgreSQL), connected as the register's owner:
lets the login role ROLE (one per staff member or per laptop, created with CREATE ROLE ... LOGIN)
work for UNIT (a school or daycare centre). The role then reads and changes that unit's people,
consents, ledger and take-downs, and no other unit's: the database enforces it.`

// registerCommand runs the administrator's commands of a shared register.
type registerCommand struct{ env Env }

// Run lets a database role work for a unit ("register grant UNIT ROLE").
func (c *registerCommand) Run(ctx context.Context, args []string) error {
	fs, where := registerFlags("register grant")
	if len(args) == 0 {
		return usageErrorf(fs, registerUsage, "which register command?")
	}
	switch args[0] {
	case "grant":
	case "-h", "-help", "--help", "help":
		fmt.Fprint(c.env.Stdout, usageText(fs, registerUsage))
		return nil
	default:
		return usageErrorf(fs, registerUsage, "unknown subcommand %q", args[0])
	}
	positional, err := parse(fs, registerUsage, args[1:], c.env.Stdout)
	if err != nil {
		return err
	}
	if len(positional) != 2 {
		return usageErrorf(fs, registerUsage, "give the UNIT and the ROLE, got %q", positional)
	}
	store, err := openRegister(ctx, where)
	if err != nil {
		return err
	}
	defer store.Close()
	unit, role := positional[0], positional[1]
	if err := store.GrantUnit(ctx, unit, role); err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stdout, "role %s now works for unit %s\n", role, unit)
	return nil
}
