package engine

import (
	"fmt"
	"io"
	"strings"
	"time"

	"datax/channel"
)

// Stats are record and byte counts of finished task attempts.
type Stats struct {
	Records     int64 // records the reader sent
	Bytes       int64
	ReadFailed  int64 // dirty records the reader rejected
	WriteFailed int64 // dirty records rejected on the way into the writer
	Filtered    int64 // records a transformer left out on purpose
}

func snapshot(c *channel.Counters) Stats {
	return Stats{
		Records:     c.Records.Load(),
		Bytes:       c.Bytes.Load(),
		ReadFailed:  c.ReadFailed.Load(),
		WriteFailed: c.WriteFailed.Load(),
		Filtered:    c.Filtered.Load(),
	}
}

func (s *Stats) add(o Stats) {
	s.Records += o.Records
	s.Bytes += o.Bytes
	s.ReadFailed += o.ReadFailed
	s.WriteFailed += o.WriteFailed
	s.Filtered += o.Filtered
}

// Read is every record read from the source, good or dirty.
func (s Stats) Read() int64 { return s.Records + s.ReadFailed }

// Failed is every dirty record.
func (s Stats) Failed() int64 { return s.ReadFailed + s.WriteFailed }

// Written is every record that reached the writer whole.
func (s Stats) Written() int64 { return s.Records - s.WriteFailed - s.Filtered }

// EntrySummary is one content entry's result.
type EntrySummary struct {
	Index          int
	Reader, Writer string
	Tasks          int
	Stats          Stats
	Elapsed        time.Duration
}

// Summary is a job's result, printed DataX-style at the end of a run.
type Summary struct {
	Name       string
	Start, End time.Time
	Stats      Stats
	Entries    []EntrySummary
	// Notes are plugin report lines (a binlog position, files published).
	Notes []string
	// DirtyFile is the dirty-record file, if one was written.
	DirtyFile string
	Err       error
}

// Elapsed is the job's wall-clock time.
func (s *Summary) Elapsed() time.Duration { return s.End.Sub(s.Start) }

func perSecond(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// Write prints the summary.
func (s *Summary) Write(w io.Writer) {
	var b strings.Builder
	el := s.Elapsed()
	b.WriteString("\n")
	for _, e := range s.Entries {
		fmt.Fprintf(&b, "content[%d] %s → %s: %s records in %d tasks, %s, %s failed\n",
			e.Index, e.Reader, e.Writer, groupDigits(e.Stats.Written()), e.Tasks, e.Elapsed.Round(time.Millisecond), groupDigits(e.Stats.Failed()))
	}
	for _, n := range s.Notes {
		fmt.Fprintf(&b, "%s\n", n)
	}
	fmt.Fprintf(&b, "%-22s: %s\n", "Job start time", s.Start.Format("2006-01-02 15:04:05"))
	fmt.Fprintf(&b, "%-22s: %s\n", "Job end time", s.End.Format("2006-01-02 15:04:05"))
	fmt.Fprintf(&b, "%-22s: %s\n", "Elapsed", el.Round(time.Millisecond))
	fmt.Fprintf(&b, "%-22s: %s/s\n", "Average bytes/s", humanBytes(perSecond(s.Stats.Bytes, el)))
	fmt.Fprintf(&b, "%-22s: %s rec/s\n", "Records/s", groupDigits(int64(perSecond(s.Stats.Written(), el))))
	fmt.Fprintf(&b, "%-22s: %s\n", "Records read", groupDigits(s.Stats.Read()))
	fmt.Fprintf(&b, "%-22s: %s\n", "Records written", groupDigits(s.Stats.Written()))
	fmt.Fprintf(&b, "%-22s: %s\n", "Records failed", groupDigits(s.Stats.Failed()))
	if s.Stats.Filtered > 0 {
		fmt.Fprintf(&b, "%-22s: %s\n", "Records filtered", groupDigits(s.Stats.Filtered))
	}
	if s.DirtyFile != "" {
		fmt.Fprintf(&b, "%-22s: %s\n", "Dirty records in", s.DirtyFile)
	}
	if s.Err != nil {
		fmt.Fprintf(&b, "%-22s: FAILED\n", "Status")
	} else {
		fmt.Fprintf(&b, "%-22s: OK\n", "Status")
	}
	io.WriteString(w, b.String())
}

func groupDigits(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []byte
	for i, c := range []byte(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, c)
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

func humanBytes(n float64) string {
	units := []string{"B", "KB", "MB", "GB", "TB"}
	i := 0
	for n >= 1024 && i < len(units)-1 {
		n /= 1024
		i++
	}
	return fmt.Sprintf("%.2f %s", n, units[i])
}
