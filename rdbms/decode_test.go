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
