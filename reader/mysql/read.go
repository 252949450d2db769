package mysql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"time"

	"datax/channel"
	"datax/plugin"
	"datax/rdbms"
	"datax/reader"
)

// Read streams one task's rows into batches. It can run again for the same
// task after a failure: it takes a fresh connection (or another connection
// of the snapshot) and starts the range from its beginning.
func (r *mysqlReader) Read(ctx context.Context, t reader.Task, out *channel.Sender) error {
	tk, ok := t.(*task)
	if !ok {
		return plugin.Permanent(fmt.Errorf("mysqlreader: foreign task %T", t))
	}
	s := r.shards[tk.shard]
	var err error
	if s.snap != nil {
		err = r.readSnapshot(ctx, s, tk, out)
	} else {
		err = r.readPlain(ctx, s, tk, out)
	}
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return rdbms.Classify(err)
}

// readPlain reads on a connection of the shard's pool. Cancelling ctx closes
// the connection (go-sql-driver's way to stop a streaming result).
func (r *mysqlReader) readPlain(ctx context.Context, s *shard, tk *task, out *channel.Sender) error {
	db, err := s.database(ctx, false)
	if err != nil {
		return err
	}
	conn, err := db.Conn(ctx)
	if err != nil && ctx.Err() == nil {
		// The address in use stopped answering: try the alternatives.
		if db, err = s.database(ctx, true); err != nil {
			return err
		}
		conn, err = db.Conn(ctx)
	}
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", db, err)
	}
	defer conn.Close()
	qctx, cancel := context.WithCancel(ctx)
	defer cancel()
	return r.stream(ctx, qctx, cancel, conn, tk, out)
}

// stream runs the task's query on conn and sends its rows. The query runs
// under qctx; abort stops it when stream gives up early (without it,
// closing the result would first read every remaining row).
func (r *mysqlReader) stream(ctx, qctx context.Context, abort func(), conn *sql.Conn, tk *task, out *channel.Sender) error {
	return conn.Raw(func(dc any) (err error) {
		qc, ok := dc.(driver.QueryerContext)
		if !ok {
			return plugin.Permanent(errors.New("the MySQL driver cannot run queries directly"))
		}
		rows, err := qc.QueryContext(qctx, tk.query, nil)
		if err != nil {
			return err
		}
		defer func() {
			if err != nil {
				abort()
			}
			if cerr := rows.Close(); err == nil {
				err = cerr
			}
		}()
		if n := len(rows.Columns()); n != r.width {
			return plugin.Permanent(fmt.Errorf("the query returns %d columns where the split found %d: did the table change?", n, r.width))
		}
		return r.fill(ctx, rows, tk, out)
	})
}

// fill is the hot path: one row at a time from the driver into the batch,
// sent when full.
func (r *mysqlReader) fill(ctx context.Context, rows driver.Rows, tk *task, out *channel.Sender) error {
	dest := make([]driver.Value, r.width)
	dec := tk.dec.Fork()
	b, err := out.Batch(ctx, r.schema)
	if err != nil {
		return err
	}
	n := 0 // complete rows in b
	for {
		if err := rows.Next(dest); err != nil {
			if err == io.EOF {
				break
			}
			return err
		}
		if err := dec.Append(b, dest); err != nil {
			b.Truncate(n)
			var ve *rdbms.ValueError
			if !errors.As(err, &ve) {
				return err
			}
			if err := out.Reject(nil, 0, rdbms.RowText(dest), err); err != nil {
				return err
			}
			continue
		}
		for k, v := range tk.shardValues {
			b.Col(r.width + k).AppendString(v)
		}
		n++
		if out.Full(b) {
			if err := out.Send(ctx, b); err != nil {
				return err
			}
			if b, err = out.Batch(ctx, r.schema); err != nil {
				return err
			}
			n = 0
		}
	}
	return out.Send(ctx, b)
}

// readSnapshot reads on one of the shard's snapshot connections. A
// cancelled read is stopped with KILL QUERY, which keeps the connection and
// its snapshot; a connection that broke leaves the pool.
func (r *mysqlReader) readSnapshot(ctx context.Context, s *shard, tk *task, out *channel.Sender) error {
	sc, err := s.snap.get(ctx)
	if err != nil {
		return err
	}
	killed := make(chan struct{})
	kill := func() {
		defer close(killed)
		kctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		db, err := s.database(kctx, false)
		if err == nil {
			err = rdbms.KillQuery(kctx, db, sc.id)
		}
		if err != nil {
			r.env.Log.Warn("KILL QUERY on a snapshot connection failed: its query runs to its end before the connection is free", "id", sc.id, "err", err)
		}
	}
	stop := context.AfterFunc(ctx, kill)
	abort := func() {
		if stop() {
			go kill()
		}
	}
	err = r.stream(ctx, context.WithoutCancel(ctx), abort, sc.conn, tk, out)
	if !stop() {
		<-killed
	}
	s.snap.put(sc, err != nil && !s.snap.healthy(sc))
	return err
}
