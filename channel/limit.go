package channel

import (
	"context"

	"golang.org/x/time/rate"
)

// Limiter caps a whole job's throughput in records per second and bytes per
// second. One Limiter is shared by every pipe of the job, so the caps hold
// for the job, not per channel (DataX only derives a channel count from
// them). A nil *Limiter limits nothing.
type Limiter struct {
	records, bytes *rate.Limiter
}

// NewLimiter returns a limiter; a value ≤ 0 leaves that dimension unlimited.
// It returns nil when both are unlimited.
func NewLimiter(recordsPerSec, bytesPerSec int64) *Limiter {
	if recordsPerSec <= 0 && bytesPerSec <= 0 {
		return nil
	}
	l := &Limiter{}
	if recordsPerSec > 0 {
		l.records = newBucket(recordsPerSec)
	}
	if bytesPerSec > 0 {
		l.bytes = newBucket(bytesPerSec)
	}
	return l
}

// newBucket holds a tenth of a second's worth, so a burst at the start cannot
// move the measured rate by more than a few percent.
func newBucket(perSec int64) *rate.Limiter {
	burst := max(perSec/10, 1)
	return rate.NewLimiter(rate.Limit(perSec), int(min(burst, 1<<30)))
}

// Wait blocks until records and bytes may pass.
func (l *Limiter) Wait(ctx context.Context, records, bytes int) error {
	if l == nil {
		return nil
	}
	if err := waitN(ctx, l.records, records); err != nil {
		return err
	}
	return waitN(ctx, l.bytes, bytes)
}

func waitN(ctx context.Context, lim *rate.Limiter, n int) error {
	if lim == nil {
		return nil
	}
	burst := lim.Burst()
	for n > 0 {
		step := min(n, burst)
		if err := lim.WaitN(ctx, step); err != nil {
			if ctx.Err() != nil {
				return context.Cause(ctx)
			}
			return err
		}
		n -= step
	}
	return nil
}
