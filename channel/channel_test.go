package channel

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"datax/record"
)

var schema = record.Schema{{Name: "n", Kind: record.Int}}

func send(t *testing.T, ctx context.Context, s *Sender, v int64) error {
	t.Helper()
	b, err := s.Batch(ctx, schema)
	if err != nil {
		return err
	}
	b.Col(0).AppendInt(v)
	return s.Send(ctx, b)
}

func TestPipeDeliversInOrderThenEOF(t *testing.T) {
	p := New(Options{Capacity: 2})
	s, r := p.Sender(), p.Receiver()
	ctx := context.Background()
	go func() {
		for i := int64(0); i < 100; i++ {
			if err := send(t, ctx, s, i); err != nil {
				t.Error(err)
			}
		}
		s.Close(nil)
	}()
	for i := int64(0); i < 100; i++ {
		b, err := r.Next(ctx)
		if err != nil || b.Col(0).Int(0) != i {
			t.Fatalf("batch %d: %v", i, err)
		}
	}
	if _, err := r.Next(ctx); !errors.Is(err, io.EOF) {
		t.Fatalf("want EOF, got %v", err)
	}
	if p.Counters.Records.Load() != 100 || p.Counters.Bytes.Load() != 800 {
		t.Errorf("counters: %d records, %d bytes", p.Counters.Records.Load(), p.Counters.Bytes.Load())
	}
}

func TestBackpressureBlocksTheReader(t *testing.T) {
	p := New(Options{Capacity: 2})
	s := p.Sender()
	ctx, cancel := context.WithCancel(context.Background())
	sent := 0
	done := make(chan error)
	go func() {
		for {
			if err := send(t, ctx, s, 1); err != nil {
				done <- err
				return
			}
			sent++
		}
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("blocked sender returned %v", err)
	}
	if sent != 2 {
		t.Errorf("sent %d batches into a queue of 2 with no reader", sent)
	}
}

func TestReaderErrorReachesTheWriter(t *testing.T) {
	p := New(Options{})
	s, r := p.Sender(), p.Receiver()
	ctx := context.Background()
	if err := send(t, ctx, s, 7); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("connection lost")
	s.Close(boom)
	if b, err := r.Next(ctx); err != nil || b.Col(0).Int(0) != 7 {
		t.Fatalf("sent batch lost: %v", err)
	}
	if _, err := r.Next(ctx); !errors.Is(err, boom) {
		t.Fatalf("got %v, want the reader's error", err)
	}
}

type countingRejecter struct{ n, limit int }

func (c *countingRejecter) Reject(b *record.Batch, row int, raw []byte, reason error) error {
	c.n++
	if c.n > c.limit {
		return ErrDirtyLimit
	}
	return nil
}

func TestReceiverConformsAndRejects(t *testing.T) {
	rej := &countingRejecter{limit: 10}
	p := New(Options{Rejecter: rej})
	src := record.Schema{{Name: "s", Kind: record.String}}
	conform, err := record.NewConformer(src, record.Schema{{Name: "s", Kind: record.Int}})
	if err != nil {
		t.Fatal(err)
	}
	s, r := p.Sender(), p.Receiver(conform.Conform)
	ctx := context.Background()
	b, _ := s.Batch(ctx, src)
	for _, v := range []string{"1", "x", "3"} {
		b.Col(0).AppendString(v)
	}
	s.Send(ctx, b)
	s.Close(nil)
	out, err := r.Next(ctx)
	if err != nil || out.Len() != 2 || out.Col(0).Int(1) != 3 || rej.n != 1 || p.Counters.WriteFailed.Load() != 1 {
		t.Fatalf("out %v, err %v, rejected %d", out, err, rej.n)
	}
}

func TestNilLimiterAndUnlimited(t *testing.T) {
	if NewLimiter(0, -1) != nil {
		t.Error("no caps should give a nil limiter")
	}
	var l *Limiter
	if err := l.Wait(context.Background(), 1<<20, 1<<30); err != nil {
		t.Error(err)
	}
	l = NewLimiter(10, 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Wait(ctx, 1000, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled wait returned %v", err)
	}
}
