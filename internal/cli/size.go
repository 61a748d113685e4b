package cli

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// sizeUnits says how every size flag reads its value (one parser for all of them).
const sizeUnits = "kB, MB, GB, TB are powers of 1000; KiB, MiB, GiB, TiB and a bare K, M, G, T (as in ls -h) are powers of 1024"

// parseSize reads a byte count such as "20MB" (20,000,000), "20MiB" or "20M" (20,971,520),
// "1.5GiB" or "4096": see sizeUnits. It must be positive and at most 2⁵⁰.
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	num := strings.TrimRight(t, "kKmMgGtTiIbB \t")
	unit := strings.ToLower(strings.TrimSpace(t[len(num):]))
	mult, ok := map[string]float64{
		"": 1, "b": 1,
		"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
		"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40,
		"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
	}[unit]
	x, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if !ok || err != nil || !(x > 0) || math.IsInf(x, 0) || x*mult > 1<<50 || x*mult < 1 {
		return 0, fmt.Errorf("invalid size %q: want a positive byte count such as 20MB or 20MiB (%s)", s, sizeUnits)
	}
	return int64(x * mult), nil
}
