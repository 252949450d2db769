package engine

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// startProgress prints the job's progress every interval until the returned
// stop is called: a bar redrawn in place on a terminal, plain lines
// otherwise.
func (r *runner) startProgress(ctx context.Context) (stop func()) {
	opts := r.job.opts
	if opts.Out == nil || opts.Progress < 0 {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(opts.Progress)
		defer t.Stop()
		start := time.Now()
		var last Stats
		lastAt := start
		for {
			select {
			case <-done:
				if opts.Terminal {
					fmt.Fprint(opts.Out, "\r\033[K")
				}
				return
			case <-ctx.Done():
				return
			case now := <-t.C:
				st, tasksDone, tasksTotal := r.live()
				dt := now.Sub(lastAt)
				line := fmt.Sprintf("%s records, %s, %s rec/s, %s/s, %s failed, tasks %d/%d",
					groupDigits(st.Records), humanBytes(float64(st.Bytes)),
					groupDigits(int64(perSecond(st.Records-last.Records, dt))),
					humanBytes(perSecond(st.Bytes-last.Bytes, dt)), groupDigits(st.Failed()), tasksDone, tasksTotal)
				last, lastAt = st, now
				if opts.Terminal {
					fmt.Fprintf(opts.Out, "\r\033[K%s %s", bar(tasksDone, tasksTotal, 24), line)
				} else {
					fmt.Fprintf(opts.Out, "%s progress: %s\n", now.Format("2006-01-02 15:04:05"), line)
				}
			}
		}
	}()
	return func() { close(done); <-finished }
}

func bar(done, total, width int) string {
	if total <= 0 {
		return "[" + strings.Repeat(" ", width) + "]"
	}
	n := done * width / total
	return "[" + strings.Repeat("#", n) + strings.Repeat(".", width-n) + "]"
}
