package features

import "math"

// fftSize is the length of the real FFT used by both presets (the 400-sample window
// zero-padded to the next power of two).
const fftSize = 512

// numBins is the number of non-negative frequency bins of a fftSize-point real FFT.
const numBins = fftSize/2 + 1

// halfSize is the length of the complex FFT that computes the real one.
const halfSize = fftSize / 2

// fftPlan holds the read-only tables of a 512-point real FFT computed as a 256-point
// complex radix-2 FFT of the even/odd interleaved input followed by a split step.
type fftPlan struct {
	rev [halfSize]uint8
	// stages[s] holds, for the fused radix-2² pass with half-size h = 4·4^s, the twiddles
	// W_2h^j and W_4h^j for j = 0..h-1, interleaved as (re, im, re, im).
	stages [3][]float64
	spRe   [halfSize]float64 // exp(-2πik/512)
	spIm   [halfSize]float64
}

func newFFTPlan() *fftPlan {
	p := new(fftPlan)
	const bits = 8 // log2(halfSize)
	for i := range p.rev {
		r := 0
		for b := 0; b < bits; b++ {
			if i&(1<<b) != 0 {
				r |= 1 << (bits - 1 - b)
			}
		}
		p.rev[i] = uint8(r)
	}
	for s, h := 0, 4; h < halfSize; s, h = s+1, 4*h {
		tw := make([]float64, 4*h)
		for j := 0; j < h; j++ {
			s1, c1 := math.Sincos(-2 * math.Pi * float64(j) / float64(2*h))
			s2, c2 := math.Sincos(-2 * math.Pi * float64(j) / float64(4*h))
			tw[4*j], tw[4*j+1], tw[4*j+2], tw[4*j+3] = c1, s1, c2, s2
		}
		p.stages[s] = tw
	}
	for k := range p.spRe {
		s, c := math.Sincos(-2 * math.Pi * float64(k) / fftSize)
		p.spRe[k], p.spIm[k] = c, s
	}
	return p
}

// power writes |X[k]|² for k = 0..256 of the real FFT of x into pow. re and im are scratch.
func (p *fftPlan) power(x *[fftSize]float64, re, im *[halfSize]float64, pow *[numBins]float64) {
	// z[n] = x[2n] + i·x[2n+1] taken in bit-reversed order, with the first two stages fused
	// as radix-4 butterflies (twiddles 1 and -i). For a multiple of 4, a, the butterfly's
	// inputs are z at rev[a], rev[a]+128, rev[a]+64 and rev[a]+192.
	for a := 0; a < halfSize; a += 4 {
		n0 := 2 * int(p.rev[a]&63)
		x0r, x0i := x[n0], x[n0+1]
		x1r, x1i := x[n0+256], x[n0+257]
		x2r, x2i := x[n0+128], x[n0+129]
		x3r, x3i := x[n0+384], x[n0+385]
		r0, i0 := x0r+x1r, x0i+x1i
		r1, i1 := x0r-x1r, x0i-x1i
		r2, i2 := x2r+x3r, x2i+x3i
		r3, i3 := x2r-x3r, x2i-x3i
		re[a], im[a] = r0+r2, i0+i2
		re[a+2], im[a+2] = r0-r2, i0-i2
		// (r3 + i·i3)·(-i) = i3 - i·r3
		re[a+1], im[a+1] = r1+i3, i1-r3
		re[a+3], im[a+3] = r1-i3, i1+r3
	}
	// Remaining six stages as three fused pairs. For a group of 4h points a0..a3 at
	// offsets j, j+h, j+2h, j+3h, the stage of half-size h uses twiddle W_2h^j on a1 and a3,
	// and the stage of half-size 2h uses W_4h^j and W_4h^(j+h) = -i·W_4h^j.
	for s, h := 0, 4; h < halfSize; s, h = s+1, 4*h {
		tw := p.stages[s][:4*h]
		for g := 0; g < halfSize; g += 4 * h {
			r0, i0 := re[g:g+h], im[g:g+h]
			r1, i1 := re[g+h:g+2*h], im[g+h:g+2*h]
			r2, i2 := re[g+2*h:g+3*h], im[g+2*h:g+3*h]
			r3, i3 := re[g+3*h:g+4*h], im[g+3*h:g+4*h]
			i0, r1, i1, r2, i2, r3, i3 = i0[:len(r0)], r1[:len(r0)], i1[:len(r0)], r2[:len(r0)], i2[:len(r0)], r3[:len(r0)], i3[:len(r0)]
			for j := range r0 {
				w := tw[4*j : 4*j+4 : 4*j+4]
				ar, ai := r1[j], i1[j]
				t1r, t1i := w[0]*ar-w[1]*ai, w[0]*ai+w[1]*ar
				ar, ai = r3[j], i3[j]
				t3r, t3i := w[0]*ar-w[1]*ai, w[0]*ai+w[1]*ar
				b0r, b0i := r0[j]+t1r, i0[j]+t1i
				b1r, b1i := r0[j]-t1r, i0[j]-t1i
				b2r, b2i := r2[j]+t3r, i2[j]+t3i
				b3r, b3i := r2[j]-t3r, i2[j]-t3i
				u2r, u2i := w[2]*b2r-w[3]*b2i, w[2]*b2i+w[3]*b2r
				// u3 = -i·W_4h^j·b3
				vr, vi := w[2]*b3r-w[3]*b3i, w[2]*b3i+w[3]*b3r
				u3r, u3i := vi, -vr
				r0[j], i0[j] = b0r+u2r, b0i+u2i
				r2[j], i2[j] = b0r-u2r, b0i-u2i
				r1[j], i1[j] = b1r+u3r, b1i+u3i
				r3[j], i3[j] = b1r-u3r, b1i-u3i
			}
		}
	}
	// Split: X[k] = E[k] + W^k·O[k] with E = (Z[k] + conj Z[N-k])/2, O = (Z[k] - conj Z[N-k])/(2i).
	// Everything below is computed at twice the scale and the power corrected by 1/4.
	pow[0] = (re[0] + im[0]) * (re[0] + im[0])
	pow[halfSize] = (re[0] - im[0]) * (re[0] - im[0])
	for k := 1; k < halfSize; k++ {
		zr, zi := re[k], im[k]
		mr, mi := re[halfSize-k], -im[halfSize-k]
		er, ei := zr+mr, zi+mi
		or, oi := zi-mi, mr-zr
		wr, wi := p.spRe[k], p.spIm[k]
		xr := er + wr*or - wi*oi
		xi := ei + wr*oi + wi*or
		pow[k] = 0.25 * (xr*xr + xi*xi)
	}
}
