package merge

import (
	"context"

	"datax/channel"
	"datax/record"
)

// MemSink keeps the merged rows in memory (tests, small outputs).
type MemSink struct {
	Schema  record.Schema
	Batches []*record.Batch
	// Rows per batch; default 1024.
	BatchRows int
}

// Batch returns a new batch of the sink's schema.
func (m *MemSink) Batch() (*record.Batch, error) { return record.NewBatch(m.Schema), nil }

// Full reports whether b has BatchRows rows.
func (m *MemSink) Full(b *record.Batch) bool {
	n := m.BatchRows
	if n <= 0 {
		n = 1024
	}
	return b.Len() >= n
}

// Send keeps b.
func (m *MemSink) Send(b *record.Batch) error {
	if b.Len() == 0 {
		return nil
	}
	m.Batches = append(m.Batches, b)
	return nil
}

// Rows returns the number of rows kept.
func (m *MemSink) Rows() int {
	n := 0
	for _, b := range m.Batches {
		n += b.Len()
	}
	return n
}

// SenderSink sends the merged rows down a channel, so that a merge can run
// as the reader of an engine job whose writer publishes them.
type SenderSink struct {
	Ctx    context.Context
	Out    *channel.Sender
	Schema record.Schema
}

// Batch returns a batch of the channel.
func (s SenderSink) Batch() (*record.Batch, error) { return s.Out.Batch(s.Ctx, s.Schema) }

// Full reports whether the channel's batch size is reached.
func (s SenderSink) Full(b *record.Batch) bool { return s.Out.Full(b) }

// Send sends b down the channel.
func (s SenderSink) Send(b *record.Batch) error { return s.Out.Send(s.Ctx, b) }
