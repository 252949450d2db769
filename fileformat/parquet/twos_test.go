package parquet

import (
	"math/big"
	"testing"
)

func TestTwosComplement64MatchesBig(t *testing.T) {
	for _, b := range [][]byte{{}, {0x00}, {0x7f}, {0x80}, {0xff}, {0x01, 0x00}, {0xff, 0x38}, {0x80, 0, 0, 0, 0, 0, 0, 0}, {0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, {0xfe, 0xdc, 0xba}} {
		var z big.Int
		setTwosComplement(&z, b)
		if got := twosComplement64(b); !z.IsInt64() || got != z.Int64() {
			t.Errorf("%x: %d, want %s", b, got, z.String())
		}
	}
}
