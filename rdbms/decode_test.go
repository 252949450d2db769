package rdbms

import (
	"database/sql/driver"
	"testing"

	"datax/record"
)

// BenchmarkDecodeRow decodes a row shaped like bench.orders as the driver
// hands it over; it must not allocate.
func BenchmarkDecodeRow(b *testing.B) {
	cols := record.Schema{
		{Name: "id", Kind: record.Int}, {Name: "user_id", Kind: record.Int}, {Name: "shop_id", Kind: record.Int},
		{Name: "status", Kind: record.Int}, {Name: "amount", Kind: record.Decimal, Precision: 12, Scale: 2},
		{Name: "title", Kind: record.String}, {Name: "note", Kind: record.String},
		{Name: "created_at", Kind: record.Timestamp}, {Name: "updated_at", Kind: record.Timestamp}, {Name: "paid_at", Kind: record.Timestamp},
	}
	decs := []Decode{DecodeInt, DecodeInt, DecodeInt, DecodeInt, DecodeDecimal, DecodeString, DecodeString, DecodeDatetime, DecodeDatetime, DecodeDatetime}
	row := []driver.Value{int64(1234567), int64(7920), int64(2), int64(1), []byte("12345.67"), []byte("order 1234567 of shop 568"),
		[]byte("deliver to door 1, call before"), []byte("2026-01-15 06:56:07"), []byte("2026-01-15 09:12:00"), []byte("2026-01-15 07:06:07")}
	d := NewRowDecoder(cols, decs, DecodeOptions{})
	batch := record.NewBatch(cols)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if err := d.Append(batch, row); err != nil {
			b.Fatal(err)
		}
		if n++; n == 1024 {
			batch.Reset(cols)
			n = 0
		}
	}
}

// TestDatetimeAgreesWithRecord: the decoder's quick path (a remembered
// date, a parsed clock) gives what record.ParseTimestamp gives for every
// value, in any order, and refuses what it refuses.
func TestDatetimeAgreesWithRecord(t *testing.T) {
	cols := record.Schema{{Name: "t", Kind: record.Timestamp}}
	d := NewRowDecoder(cols, []Decode{DecodeDatetime}, DecodeOptions{})
	b := record.NewBatch(cols)
	var inputs []string
	for _, date := range []string{"2026-01-15", "1969-12-31", "0001-01-01", "9999-12-31", "2024-02-29", "2026-01-15"} {
		for _, clock := range []string{"00:00:00", "23:59:59", "12:34:56.5", "12:34:56.000001", "07:08:09.123456", "00:00:00.0"} {
			inputs = append(inputs, date+" "+clock)
		}
	}
	bad := []string{"2026-02-29 00:00:00", "2026-01-15 24:00:00", "2026-01-15 23:60:00", "2026-01-15 23:59:60",
		"2026-01-15 12:34:56.", "2026-01-15 12:34:56.1234567", "2026-01-15 12:34:5x", "2026-01-15T12:34:56x", "2026-13-01 00:00:00"}
	for _, in := range append(inputs, bad...) {
		want, werr := record.ParseTimestamp([]byte(in))
		n := b.Len()
		err := d.Append(b, []driver.Value{[]byte(in)})
		switch {
		case werr != nil && err == nil:
			t.Errorf("%q: decoded as %d, record refuses it (%v)", in, b.Col(0).Int(n), werr)
		case werr == nil && err != nil:
			t.Errorf("%q: %v, record reads %d", in, err, want)
		case werr == nil && b.Col(0).Int(n) != want:
			t.Errorf("%q: %d, record reads %d", in, b.Col(0).Int(n), want)
		}
		b.Truncate(n)
	}
}
