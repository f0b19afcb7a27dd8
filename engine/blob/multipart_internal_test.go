package blob

import "testing"

func TestPartSize(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		m    Multipart
		n    int64
		want int64
	}{
		{"the configured size", Multipart{PartSize: 16 << 20}, 100 << 20, 16 << 20},
		{"never below S3's smallest part", Multipart{PartSize: 1 << 20}, 100 << 20, MinPartSize},
		{"grown to stay within 10,000 parts", Multipart{PartSize: MinPartSize}, 100 << 30, (100<<30 + MaxParts - 1) / MaxParts},
		{"exactly 10,000 parts", Multipart{PartSize: MinPartSize}, MaxParts * MinPartSize, MinPartSize},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := tc.m.partSize(tc.n)
			if got != tc.want {
				t.Errorf("partSize(%d) = %d, want %d", tc.n, got, tc.want)
			}
			if parts := (tc.n + got - 1) / got; parts > MaxParts {
				t.Errorf("partSize(%d) = %d makes %d parts, more than %d", tc.n, got, parts, MaxParts)
			}
		})
	}
}
