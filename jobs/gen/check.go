package gen

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"datax/plugin"
	"datax/rdbms"
)

// ErrSchemaChanged is returned by CheckSchema when the source table no
// longer matches the stored metadata.
var ErrSchemaChanged = errors.New("the source schema changed")

// CheckSchema compares a table's current definition at the source with the
// metadata stored in dir (the daily scripts' first step), so that a schema
// change stops the night's load with a clear message instead of failing
// (or landing the wrong columns) later. password is the expanded
// passwordRef of the metadata.
func CheckSchema(ctx context.Context, dir, table, password string) error {
	meta, err := loadMetadata(dir)
	if err != nil {
		return err
	}
	if meta == nil {
		return fmt.Errorf("%s holds no %s: run datax gen first", dir, metadataFile)
	}
	var stored *Table
	for _, t := range meta.Tables {
		if t.Key() == table {
			stored = t
		}
	}
	if stored == nil {
		return fmt.Errorf("%s is not in %s/%s: run datax gen for it", table, dir, metadataFile)
	}
	u, err := rdbms.ParseURL(meta.Source)
	if err != nil {
		return fmt.Errorf("%s: source: %w", metadataFile, err)
	}
	db, err := rdbms.Open(ctx, []*rdbms.URL{u}, rdbms.Options{User: meta.Username, Password: password})
	if err != nil {
		return err
	}
	defer db.Close()
	cat, err := ReadCatalog(ctx, db, Selection{Databases: []string{stored.DB}, Tables: []string{stored.Key()}})
	if err != nil {
		if errors.Is(err, plugin.ErrPermanent) { // the database or table is gone
			return fmt.Errorf("%w: %s: %v", ErrSchemaChanged, table, err)
		}
		return err
	}
	if len(cat.Tables) == 0 {
		reason := "not readable"
		if len(cat.Skipped) > 0 {
			reason = cat.Skipped[0].Reason
		}
		return fmt.Errorf("%w: %s: %s", ErrSchemaChanged, table, reason)
	}
	if ch := diffTable(stored, cat.Tables[0]); ch != nil {
		return fmt.Errorf("%w since datax gen stored it (%s):\n  %s\nrun datax gen to regenerate the jobs (and apply the Hive changes it reports) before the next load",
			ErrSchemaChanged, metadataFile, strings.Join(ch.Lines(), "\n  "))
	}
	return nil
}
