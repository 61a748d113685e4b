//go:build ignore

// Draws Hark's icon, a sound wave on a rounded square: go run assets/gen_icon.go
package main

import (
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
)

const size = 512

func main() {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	top := color.NRGBA{0x1f, 0x6f, 0xd0, 0xff}                  // blue
	bottom := color.NRGBA{0x12, 0x9c, 0x8c, 0xff}               // teal
	bars := []float64{0.22, 0.42, 0.68, 0.42, 0.86, 0.56, 0.30} // relative heights
	const radius, margin = 96.0, 16.0
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			// Coverage of the rounded square, 4×4 supersampled for smooth edges.
			cov := 0.0
			for sy := 0; sy < 4; sy++ {
				for sx := 0; sx < 4; sx++ {
					px, py := float64(x)+(float64(sx)+0.5)/4, float64(y)+(float64(sy)+0.5)/4
					if inRounded(px, py, margin, size-margin, radius) {
						cov++
					}
				}
			}
			cov /= 16
			if cov == 0 {
				continue
			}
			t := float64(y) / size
			c := mix(top, bottom, t)
			// White bars: a waveform across the middle.
			white := 0.0
			for sy := 0; sy < 4; sy++ {
				for sx := 0; sx < 4; sx++ {
					px, py := float64(x)+(float64(sx)+0.5)/4, float64(y)+(float64(sy)+0.5)/4
					if inBar(px, py, bars) {
						white++
					}
				}
			}
			white /= 16
			c = mix(c, color.NRGBA{0xff, 0xff, 0xff, 0xff}, white)
			c.A = uint8(math.Round(cov * 255))
			img.SetNRGBA(x, y, c)
		}
	}
	f, err := os.Create("assets/icon.png")
	if err != nil {
		log.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

func inRounded(x, y, lo, hi, r float64) bool {
	if x < lo || y < lo || x > hi || y > hi {
		return false
	}
	cx := math.Max(lo+r, math.Min(x, hi-r))
	cy := math.Max(lo+r, math.Min(y, hi-r))
	return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r
}

// inBar reports whether (x, y) is inside one of the rounded vertical bars.
func inBar(x, y float64, bars []float64) bool {
	const w, gap = 34.0, 22.0
	total := float64(len(bars))*w + float64(len(bars)-1)*gap
	left := (size - total) / 2
	for i, h := range bars {
		x0 := left + float64(i)*(w+gap)
		half := h * 300 / 2
		cx := x0 + w/2
		if x < x0 || x > x0+w {
			continue
		}
		// A capsule: a line segment from (cx, mid-half+w/2) to (cx, mid+half-w/2), radius w/2.
		mid := float64(size) / 2
		y0, y1 := mid-half+w/2, mid+half-w/2
		cy := math.Max(y0, math.Min(y, y1))
		if (x-cx)*(x-cx)+(y-cy)*(y-cy) <= w*w/4 {
			return true
		}
	}
	return false
}

func mix(a, b color.NRGBA, t float64) color.NRGBA {
	l := func(p, q uint8) uint8 { return uint8(math.Round(float64(p)*(1-t) + float64(q)*t)) }
	return color.NRGBA{l(a.R, b.R), l(a.G, b.G), l(a.B, b.B), 0xff}
}
