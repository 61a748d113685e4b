package audiofile

import "fmt"

// Kind is a file format recognised from a file's first bytes.
type Kind int

// Recognised kinds. Only WAV, FLAC and MP3 can be decoded; the others are
// named in error messages.
const (
	Unknown Kind = iota
	WAV
	FLAC
	MP3
	Ogg
	MPEGLayer12 // MPEG-1/2 audio layer I or II (MP2)
	AAC         // raw AAC with ADTS headers
	MP4         // MP4 / M4A / MOV container
	AIFF
	AU
	CAF
	Matroska // MKV / WebM
	AMR
	WavPack
	MIDI
	OtherRIFF // a RIFF container that is not WAVE (for example AVI)
)

var kindNames = map[Kind]string{
	Unknown:     "unknown",
	WAV:         "WAV",
	FLAC:        "FLAC",
	MP3:         "MP3",
	Ogg:         "Ogg",
	MPEGLayer12: "MPEG layer I/II audio",
	AAC:         "AAC (ADTS)",
	MP4:         "MP4/M4A",
	AIFF:        "AIFF",
	AU:          "Sun/NeXT AU",
	CAF:         "Core Audio (CAF)",
	Matroska:    "Matroska/WebM",
	AMR:         "AMR",
	WavPack:     "WavPack",
	MIDI:        "MIDI",
	OtherRIFF:   "RIFF (not WAVE)",
}

func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// SniffLen is how many leading bytes Sniff needs to tell all kinds apart
// reliably; fewer are fine for most.
const SniffLen = 4096

// id3Size returns the total size of the ID3v2 tag at the start of b, or 0 if b
// does not start with a well-formed ID3v2 header.
func id3Size(b []byte) int {
	if len(b) < 10 || string(b[:3]) != "ID3" || b[3] == 0xFF || b[4] == 0xFF {
		return 0
	}
	for _, c := range b[6:10] {
		if c&0x80 != 0 {
			return 0
		}
	}
	n := 10 + (int(b[6])<<21 | int(b[7])<<14 | int(b[8])<<7 | int(b[9]))
	if b[5]&0x10 != 0 { // footer present
		n += 10
	}
	return n
}

// mpegFrame parses an MPEG audio frame header at the start of b. It returns
// the layer (1..3) and the frame length in bytes (0 if free-format), or
// layer 0 if b does not start with a valid header.
func mpegFrame(b []byte) (layer, length int) {
	if len(b) < 4 || b[0] != 0xFF || b[1]&0xE0 != 0xE0 {
		return 0, 0
	}
	version := (b[1] >> 3) & 3 // 0: MPEG 2.5, 1: reserved, 2: MPEG 2, 3: MPEG 1
	layerBits := (b[1] >> 1) & 3
	brIdx := int(b[2] >> 4)
	srIdx := int(b[2]>>2) & 3
	if version == 1 || layerBits == 0 || brIdx == 15 || srIdx == 3 {
		return 0, 0
	}
	layer = 4 - int(layerBits)
	rates := [3]int{44100, 48000, 32000}
	sr := rates[srIdx]
	switch version {
	case 2:
		sr /= 2
	case 0:
		sr /= 4
	}
	// Bitrates in kbit/s by [mpeg1?][layer-1][index].
	var table = [2][3][15]int{
		{ // MPEG 2 and 2.5
			{0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},
			{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
			{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
		},
		{ // MPEG 1
			{0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},
			{0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},
			{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320},
		},
	}
	mpeg1 := 0
	if version == 3 {
		mpeg1 = 1
	}
	br := table[mpeg1][layer-1][brIdx] * 1000
	pad := int(b[2]>>1) & 1
	switch {
	case br == 0:
		length = 0
	case layer == 1:
		length = (12*br/sr + pad) * 4
	case layer == 3 && mpeg1 == 0:
		length = 72*br/sr + pad
	default:
		length = 144*br/sr + pad
	}
	return layer, length
}

// sniffMPEG reports the kind of an MPEG audio stream starting at b: a valid
// frame header, followed by a second one where the first frame ends (when b
// is long enough to hold it).
func sniffMPEG(b []byte) Kind {
	layer, n := mpegFrame(b)
	if layer == 0 {
		return Unknown
	}
	if n > 0 && n+4 <= len(b) {
		if l2, _ := mpegFrame(b[n:]); l2 != layer {
			return Unknown
		}
	}
	if layer == 3 {
		return MP3
	}
	return MPEGLayer12
}

// Sniff reports the kind of file whose first bytes are b (ideally SniffLen
// of them). An ID3v2 tag is looked through when b holds all of it; otherwise
// a tagged file counts as MP3.
func Sniff(b []byte) Kind {
	if n := id3Size(b); n > 0 {
		if n >= len(b) {
			return MP3
		}
		switch k := Sniff(b[n:]); k {
		case Unknown:
			return MP3 // let the MP3 decoder look for the first frame
		default:
			return k
		}
	}
	has := func(off int, magic string) bool {
		return len(b) >= off+len(magic) && string(b[off:off+len(magic)]) == magic
	}
	switch {
	case has(0, "RIFF") || has(0, "RF64"):
		if len(b) < 12 || has(8, "WAVE") {
			return WAV // a short header is reported by the WAV decoder
		}
		return OtherRIFF
	case has(0, "fLaC"):
		return FLAC
	case has(0, "OggS"):
		return Ogg
	case has(0, "FORM") && (has(8, "AIFF") || has(8, "AIFC")):
		return AIFF
	case has(4, "ftyp"):
		return MP4
	case has(0, ".snd"):
		return AU
	case has(0, "caff"):
		return CAF
	case has(0, "\x1A\x45\xDF\xA3"):
		return Matroska
	case has(0, "#!AMR"):
		return AMR
	case has(0, "wvpk"):
		return WavPack
	case has(0, "MThd"):
		return MIDI
	}
	if len(b) >= 2 && b[0] == 0xFF && b[1]&0xF6 == 0xF0 {
		return AAC // ADTS: sync word, layer bits 00
	}
	return sniffMPEG(b)
}
