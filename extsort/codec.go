package extsort

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"datax/record"
)

// The spill format is private to one process and one sort: a sequence of
// batches, each a row count followed by its columns. A column is a flag byte
// (1: has nulls, then one byte per row), then either 8 bytes per row
// (fixed-width kinds) or 4-byte lengths followed by the bytes
// (Decimal, String, Bytes). Little-endian throughout.

type encoder struct {
	w   *bufio.Writer
	buf []byte
}

// rows writes the rows refs point to (chunk<<32 | row, see Sorter) as one
// batch, column by column, straight from the chunks: no gathering copy.
func (e *encoder) rows(chunks []*record.Batch, refs []uint64, schema record.Schema) error {
	n := len(refs)
	e.buf = binary.LittleEndian.AppendUint32(e.buf[:0], uint32(n))
	for j, c := range schema {
		anyNull := false
		for _, r := range refs {
			if chunks[r>>32].Col(j).IsNull(int(uint32(r))) {
				anyNull = true
				break
			}
		}
		if anyNull {
			e.buf = append(e.buf, 1)
			for _, r := range refs {
				if chunks[r>>32].Col(j).IsNull(int(uint32(r))) {
					e.buf = append(e.buf, 1)
				} else {
					e.buf = append(e.buf, 0)
				}
			}
		} else {
			e.buf = append(e.buf, 0)
		}
		switch c.Kind {
		case record.Decimal, record.String, record.Bytes:
			for _, r := range refs {
				e.buf = binary.LittleEndian.AppendUint32(e.buf, uint32(len(chunks[r>>32].Col(j).Bytes(int(uint32(r))))))
			}
			for _, r := range refs {
				e.buf = append(e.buf, chunks[r>>32].Col(j).Bytes(int(uint32(r)))...)
			}
		default:
			for _, r := range refs {
				e.buf = binary.LittleEndian.AppendUint64(e.buf, uint64(chunks[r>>32].Col(j).Int(int(uint32(r)))))
			}
		}
		if len(e.buf) > 1<<20 {
			if _, err := e.w.Write(e.buf); err != nil {
				return err
			}
			e.buf = e.buf[:0]
		}
	}
	_, err := e.w.Write(e.buf)
	return err
}

type decoder struct {
	r      *bufio.Reader
	schema record.Schema
	nulls  []byte
	lens   []byte
	data   []byte
}

// batch decodes the next batch into b; io.EOF at the end of the run.
func (d *decoder) batch(b *record.Batch) error {
	var hdr [4]byte
	if _, err := io.ReadFull(d.r, hdr[:]); err != nil {
		if err == io.EOF {
			return io.EOF
		}
		return fmt.Errorf("spill file: %w", err)
	}
	n := int(binary.LittleEndian.Uint32(hdr[:]))
	b.Reset(d.schema)
	for j := range d.schema {
		v := b.Col(j)
		flag, err := d.r.ReadByte()
		if err != nil {
			return fmt.Errorf("spill file: %w", err)
		}
		hasNulls := flag == 1
		if hasNulls {
			if d.nulls, err = d.read(d.nulls, n); err != nil {
				return err
			}
		}
		switch v.Kind() {
		case record.Decimal, record.String, record.Bytes:
			if d.lens, err = d.read(d.lens, 4*n); err != nil {
				return err
			}
			total := 0
			for i := 0; i < n; i++ {
				total += int(binary.LittleEndian.Uint32(d.lens[4*i:]))
			}
			if d.data, err = d.read(d.data, total); err != nil {
				return err
			}
			off := 0
			for i := 0; i < n; i++ {
				l := int(binary.LittleEndian.Uint32(d.lens[4*i:]))
				if hasNulls && d.nulls[i] == 1 {
					v.AppendNull()
				} else {
					v.AppendBytes(d.data[off : off+l])
				}
				off += l
			}
		default:
			if d.data, err = d.read(d.data, 8*n); err != nil {
				return err
			}
			for i := 0; i < n; i++ {
				if hasNulls && d.nulls[i] == 1 {
					v.AppendNull()
				} else {
					v.AppendInt(int64(binary.LittleEndian.Uint64(d.data[8*i:])))
				}
			}
		}
	}
	return nil
}

func (d *decoder) read(buf []byte, n int) ([]byte, error) {
	if n > math.MaxInt32 {
		return buf, fmt.Errorf("spill file: corrupt block of %d bytes", n)
	}
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := io.ReadFull(d.r, buf); err != nil {
		return buf, fmt.Errorf("spill file: %w", err)
	}
	return buf, nil
}
