package lm

import (
	"bufio"
	"encoding/binary"
	"hash"
	"hash/crc32"
	"io"
	"math"
)

// Binary format (all integers and floats little-endian):
//
//	magic    8 bytes "HARKLM\x00\x1a"
//	version  uint32 (1)
//	order    uint32 (1..MaxOrder)
//	vocabLen uint64: bytes of the concatenated vocabulary
//	counts   order × uint64: n-grams per order (counts[0] = vocabulary size)
//	offs     (counts[0]+1) × uint32: word i is vocab[offs[i]:offs[i+1]]
//	vocab    vocabLen bytes: the words sorted by bytes, concatenated
//	per order k = 1..order:
//	  word   counts[k-1] × uint32 (absent for k = 1): last word id of each n-gram
//	  prob   counts[k-1] × float32: log10 probability
//	  bo     counts[k-1] × float32 (absent for k = order): log10 backoff weight
//	  next   (counts[k-1]+1) × uint32 (absent for k = order): child ranges in order k+1
//	crc      uint32: CRC-32 (IEEE) of everything before it
//
// The n-grams of order k+1 are sorted by (index of their context in order k, word id), so
// the arrays form a trie and lookups are binary searches; loading is a sequential read into
// a few flat slices.
const (
	magic         = "HARKLM\x00\x1a"
	binaryVersion = 1
	headerFixed   = 8 + 4 + 4 + 8
)

// WriteBinary writes m in Hark's binary format.
func WriteBinary(w io.Writer, m *Model) error {
	crc := crc32.NewIEEE()
	bw := bufio.NewWriterSize(io.MultiWriter(w, crc), 1<<16)
	var b [8]byte
	bw.WriteString(magic)
	binary.LittleEndian.PutUint32(b[:4], binaryVersion)
	bw.Write(b[:4])
	binary.LittleEndian.PutUint32(b[:4], uint32(m.order))
	bw.Write(b[:4])
	binary.LittleEndian.PutUint64(b[:], uint64(len(m.vocab)))
	bw.Write(b[:])
	for _, c := range m.Counts() {
		binary.LittleEndian.PutUint64(b[:], uint64(c))
		bw.Write(b[:])
	}
	writeU32(bw, m.offs)
	bw.WriteString(m.vocab)
	for k := range m.lv {
		l := &m.lv[k]
		if k > 0 {
			writeU32(bw, l.word)
		}
		writeF32(bw, l.prob)
		if k < m.order-1 {
			writeF32(bw, l.bo)
			writeU32(bw, l.next)
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	binary.LittleEndian.PutUint32(b[:4], crc.Sum32())
	_, err := w.Write(b[:4])
	return err
}

func writeU32(w *bufio.Writer, xs []uint32) {
	var b [4]byte
	for _, x := range xs {
		binary.LittleEndian.PutUint32(b[:], x)
		w.Write(b[:])
	}
}

func writeF32(w *bufio.Writer, xs []float32) {
	var b [4]byte
	for _, x := range xs {
		binary.LittleEndian.PutUint32(b[:], math.Float32bits(x))
		w.Write(b[:])
	}
}

// binaryReader reads the sections of a binary model, hashing what it reads.
type binaryReader struct {
	r     io.Reader
	crc   hash.Hash32
	buf   []byte
	exact bool // the file size was checked against the header: allocate arrays at once
	name  string
}

func (br *binaryReader) full(p []byte) error {
	if _, err := io.ReadFull(br.r, p); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return errorf(br.name, 0, "file is truncated")
		}
		return errorf(br.name, 0, "%v", err)
	}
	br.crc.Write(p)
	return nil
}

// alloc makes a slice for n elements: all at once when the file size is known to match,
// else growing as data actually arrives, so a corrupt header cannot make us allocate more
// than the file holds.
func alloc[T any](br *binaryReader, n uint64) []T {
	if br.exact {
		return make([]T, 0, n)
	}
	return make([]T, 0, min(n, 1<<16))
}

func (br *binaryReader) u32s(n uint64) ([]uint32, error) {
	return words(br, n, func(u uint32) uint32 { return u })
}

func (br *binaryReader) f32s(n uint64) ([]float32, error) {
	return words(br, n, math.Float32frombits)
}

// words reads n little-endian 32-bit words, each converted by conv.
func words[T any](br *binaryReader, n uint64, conv func(uint32) T) ([]T, error) {
	out := alloc[T](br, n)
	for uint64(len(out)) < n {
		k := min(n-uint64(len(out)), uint64(len(br.buf)/4))
		p := br.buf[:4*k]
		if err := br.full(p); err != nil {
			return nil, err
		}
		for i := 0; i < len(p); i += 4 {
			out = append(out, conv(binary.LittleEndian.Uint32(p[i:])))
		}
	}
	return out, nil
}

// binarySize is the file size implied by a header.
func binarySize(order int, vocabLen uint64, counts []uint64) (uint64, bool) {
	const limit = 1 << 50
	size := uint64(headerFixed) + 8*uint64(order) + vocabLen + 4 // + crc
	for k, c := range counts {
		if c > limit {
			return 0, false
		}
		per := uint64(4) // prob
		if k > 0 {
			per += 4 // word
		}
		if k < order-1 {
			per += 8 // bo + next
			size += 4
		}
		size += per * c
	}
	size += 4 * (counts[0] + 1) // offs
	return size, vocabLen < limit && size < limit
}

// ReadBinary reads a model written by WriteBinary. size is the length of the file if known
// (it is then checked against the header before anything large is allocated), or -1.
// Errors are *FormatError values naming name.
func ReadBinary(r io.Reader, size int64, name string) (*Model, error) {
	br := &binaryReader{r: r, crc: crc32.NewIEEE(), buf: make([]byte, 1<<16), name: name}
	hdr := make([]byte, headerFixed)
	if err := br.full(hdr); err != nil {
		return nil, err
	}
	if string(hdr[:8]) != magic {
		return nil, errorf(name, 0, "not a Hark binary language model (bad magic)")
	}
	if v := binary.LittleEndian.Uint32(hdr[8:]); v != binaryVersion {
		return nil, errorf(name, 0, "binary format version %d; this Hark reads version %d", v, binaryVersion)
	}
	order := int(binary.LittleEndian.Uint32(hdr[12:]))
	if order < 1 || order > MaxOrder {
		return nil, errorf(name, 0, "order %d is outside 1..%d", order, MaxOrder)
	}
	vocabLen := binary.LittleEndian.Uint64(hdr[16:])
	cb := make([]byte, 8*order)
	if err := br.full(cb); err != nil {
		return nil, err
	}
	counts := make([]uint64, order)
	for k := range counts {
		counts[k] = binary.LittleEndian.Uint64(cb[8*k:])
		if counts[k] > maxNgrams {
			return nil, errorf(name, 0, "%d-gram count %d is too large", k+1, counts[k])
		}
	}
	if counts[0] == 0 {
		return nil, errorf(name, 0, "empty vocabulary")
	}
	want, ok := binarySize(order, vocabLen, counts)
	if !ok || vocabLen > math.MaxUint32 {
		return nil, errorf(name, 0, "header announces an impossibly large model")
	}
	if size >= 0 {
		if uint64(size) != want {
			return nil, errorf(name, 0, "file is %d bytes but its header describes %d", size, want)
		}
		br.exact = true
	}
	m := &Model{order: order, lv: make([]level, order)}
	var err error
	if m.offs, err = br.u32s(counts[0] + 1); err != nil {
		return nil, err
	}
	vb := alloc[byte](br, vocabLen)
	for uint64(len(vb)) < vocabLen {
		k := min(vocabLen-uint64(len(vb)), uint64(len(br.buf)))
		if err := br.full(br.buf[:k]); err != nil {
			return nil, err
		}
		vb = append(vb, br.buf[:k]...)
	}
	m.vocab = string(vb)
	for k := range m.lv {
		l := &m.lv[k]
		if k > 0 {
			if l.word, err = br.u32s(counts[k]); err != nil {
				return nil, err
			}
		}
		if l.prob, err = br.f32s(counts[k]); err != nil {
			return nil, err
		}
		if k < order-1 {
			if l.bo, err = br.f32s(counts[k]); err != nil {
				return nil, err
			}
			if l.next, err = br.u32s(counts[k] + 1); err != nil {
				return nil, err
			}
		}
	}
	sum := br.crc.Sum32()
	var tail [4]byte
	if _, err := io.ReadFull(r, tail[:]); err != nil {
		return nil, errorf(name, 0, "file is truncated (no checksum)")
	}
	if binary.LittleEndian.Uint32(tail[:]) != sum {
		return nil, errorf(name, 0, "checksum mismatch: the file is corrupt")
	}
	if size < 0 {
		var one [1]byte
		if n, _ := r.Read(one[:]); n > 0 {
			return nil, errorf(name, 0, "unexpected data after the checksum")
		}
	}
	if err := m.check(); err != nil {
		return nil, errorf(name, 0, "%v", err)
	}
	m.setSpecials()
	return m, nil
}
