package rowstream

import (
	"errors"
	"io"
	"testing"

	"datax/record"
)

func TestSliceSkipsEmptyBatchesAndEndsWithEOF(t *testing.T) {
	s := record.Schema{{Name: "x", Kind: record.Int}}
	a, empty, b := record.NewBatch(s), record.NewBatch(s), record.NewBatch(s)
	a.Col(0).AppendInt(1)
	b.Col(0).AppendInt(2)
	b.Col(0).AppendInt(3)
	st := Slice(a, empty, b)
	if n, err := Count(st); n != 3 || err != nil {
		t.Fatalf("Count = %d, %v", n, err)
	}
	if _, err := st.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("after the end: %v", err)
	}
	boom := errors.New("boom")
	if _, err := Count(Func(func() (*record.Batch, error) { return nil, boom })); !errors.Is(err, boom) {
		t.Fatalf("Count passes errors on: %v", err)
	}
}
