package audiofile

// mp3Walker follows the MPEG audio Layer III frame headers of a stream as its bytes go by, so
// that a stream whose last frame is cut short can be told apart from a whole one: go-mp3
// drops a partial last frame and ends with io.EOF, and a truncated MP3 passed without a
// warning (issue 17). It only tells "truncated" when it walked a chain of valid headers to
// the end; anything it cannot follow (free-format bitrate, junk, a trailing ID3v1 tag) makes
// it give up and say nothing.
type mp3Walker struct {
	total   int64 // bytes seen
	next    int64 // stream offset of the next frame header (-1: not found yet)
	frames  int   // frames walked
	gaveUp  bool
	lastEnd int64 // where the last walked frame ends
	head    []byte
	headAt  int64 // stream offset of head[0]
}

func newMP3Walker() *mp3Walker { return &mp3Walker{next: -1} }

// Write feeds the next bytes of the stream (it never fails).
func (w *mp3Walker) Write(p []byte) (int, error) {
	w.total += int64(len(p))
	if w.gaveUp {
		return len(p), nil
	}
	// Keep the bytes from the next header on (at most 4 are needed at a time).
	w.head = append(w.head, p...)
	for !w.gaveUp {
		if w.next < 0 {
			// Before the first frame: find a sync word with a valid header.
			i := w.findSync()
			if i < 0 {
				keep := min(len(w.head), 3)
				w.headAt += int64(len(w.head) - keep)
				w.head = w.head[len(w.head)-keep:]
				break
			}
			w.next = w.headAt + int64(i)
		}
		off := int(w.next - w.headAt) // ≥ 0: head never starts after the next header
		if off+4 > len(w.head) {
			// Drop what lies before the header; wait for more bytes.
			if off > 0 && off <= len(w.head) {
				w.head = w.head[off:]
				w.headAt = w.next
			} else if off > len(w.head) {
				w.headAt += int64(len(w.head))
				w.head = w.head[:0]
			}
			break
		}
		n := mp3FrameLen(w.head[off : off+4])
		if n <= 0 {
			w.gaveUp = w.frames > 0 // junk or a tag after frames: stop following
			if !w.gaveUp {
				w.next = -1 // a false sync before the first frame: search on
				w.head = w.head[off+1:]
				w.headAt += int64(off + 1)
			}
			continue
		}
		w.frames++
		w.next += int64(n)
		w.lastEnd = w.next
	}
	return len(p), nil
}

func (w *mp3Walker) findSync() int {
	for i := 0; i+4 <= len(w.head); i++ {
		if mp3FrameLen(w.head[i:i+4]) > 0 {
			return i
		}
	}
	return -1
}

// truncated reports, at the end of the stream, whether its last frame was cut short, and by
// how many bytes.
func (w *mp3Walker) truncated() (bool, int64) {
	if w.gaveUp || w.frames == 0 || w.lastEnd <= w.total {
		return false, 0
	}
	return true, w.lastEnd - w.total
}

// mp3FrameLen is the length in bytes of the Layer III frame whose header is h, or 0 when h
// is not a valid Layer III header (or has a free-format bitrate).
func mp3FrameLen(h []byte) int {
	if len(h) < 4 || h[0] != 0xFF || h[1]&0xE0 != 0xE0 {
		return 0
	}
	version := (h[1] >> 3) & 3 // 0: MPEG 2.5, 1: reserved, 2: MPEG 2, 3: MPEG 1
	layer := (h[1] >> 1) & 3   // 1: Layer III
	bri := int(h[2] >> 4)
	sri := int(h[2]>>2) & 3
	pad := int(h[2]>>1) & 1
	if version == 1 || layer != 1 || bri == 0 || bri == 15 || sri == 3 {
		return 0
	}
	sr := mp3Rates[version][sri]
	if version == 3 {
		return 144*mp3Kbps1[bri]*1000/sr + pad
	}
	return 72*mp3Kbps2[bri]*1000/sr + pad
}

// Layer III bitrates (kbit/s) by index for MPEG 1 and for MPEG 2 and 2.5, and sample rates
// by version (index 1 is reserved) and index.
var (
	mp3Kbps1 = [15]int{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320}
	mp3Kbps2 = [15]int{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160}
	mp3Rates = [4][3]int{{11025, 12000, 8000}, {}, {22050, 24000, 16000}, {44100, 48000, 32000}}
)
