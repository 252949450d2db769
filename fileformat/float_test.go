package fileformat

import "testing"

func TestFitsFloat32(t *testing.T) {
	for f, want := range map[float64]bool{0.1: true, 1.5: true, float64(float32(0.1)): true, 16777217: false, 32.333333333: false, 1e39: false, 3.4e38: true} {
		if got := fitsFloat32(f); got != want {
			t.Errorf("fitsFloat32(%v) = %v, want %v", f, got, want)
		}
	}
}
