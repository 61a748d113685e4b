package lm

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func gz(t testing.TB, b []byte) []byte {
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func binaryOf(t testing.TB, m *Model) []byte {
	var b bytes.Buffer
	if err := WriteBinary(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestBinaryErrors(t *testing.T) {
	good := binaryOf(t, mustARPA(t, tinyARPA))
	mod := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	// resum fixes the checksum after an edit, so that the structural checks are reached.
	resum := func(b []byte) []byte {
		c := crc32IEEE(b[:len(b)-4])
		binary.LittleEndian.PutUint32(b[len(b)-4:], c)
		return b
	}
	cases := map[string]struct {
		data []byte
		size bool
		msg  string
	}{
		"truncated":      {good[:len(good)-9], false, "truncated"},
		"truncated size": {good[:len(good)-9], true, "header describes"},
		"no checksum":    {good[:len(good)-2], false, "truncated"},
		"bad magic":      {mod(func(b []byte) []byte { b[0] = 'X'; return b }), false, "not a Hark binary"},
		"version":        {mod(func(b []byte) []byte { b[8] = 9; return b }), false, "version 9"},
		"order":          {mod(func(b []byte) []byte { b[12] = 7; return b }), false, "order 7"},
		"huge count":     {mod(func(b []byte) []byte { binary.LittleEndian.PutUint64(b[24:], 1<<40); return b }), false, "too large"},
		"big count":      {mod(func(b []byte) []byte { binary.LittleEndian.PutUint64(b[32:], 1<<30); return b }), false, "truncated"},
		"flipped bit":    {mod(func(b []byte) []byte { b[len(b)-20] ^= 1; return b }), false, "checksum"},
		"trailing":       {append(bytes.Clone(good), 0), false, "after the checksum"},
		"unsorted vocab": {mod(func(b []byte) []byte {
			// "a" (after "</s><s><unk>") becomes "z", which sorts after the next word "b"
			b[headerFixed+8*3+4*6+len("</s><s><unk>")] = 'z'
			return resum(b)
		}), true, "not sorted"},
		"bad child index": {mod(func(b []byte) []byte {
			// the last entry of the unigram child index must equal the bigram count
			off := headerFixed + 8*3 + 4*6 + len("</s><s><unk>ab") + 4*5 + 4*5 + 4*5
			binary.LittleEndian.PutUint32(b[off:], 99)
			return resum(b)
		}), true, "child index"},
	}
	for name, c := range cases {
		size := int64(-1)
		if c.size {
			size = int64(len(c.data))
		}
		_, err := ReadBinary(bytes.NewReader(c.data), size, "lm.bin")
		if err == nil || !IsFormatError(err) || !strings.Contains(err.Error(), c.msg) || !strings.HasPrefix(err.Error(), "lm.bin: ") {
			t.Errorf("%s: %v, want a format error containing %q", name, err, c.msg)
		}
	}
}

func TestLoadAndSave(t *testing.T) {
	m := mustARPA(t, tinyARPA)
	dir := t.TempDir()
	for _, name := range []string{"lm.bin", "lm.arpa"} {
		p := filepath.Join(dir, name)
		if err := Save(p, m); err != nil {
			t.Fatal(err)
		}
		m2, err := Load(p)
		if err != nil {
			t.Fatal(err)
		}
		if m2.LogProb10([]string{"<s>", "a"}, "b") != m.LogProb10([]string{"<s>", "a"}, "b") {
			t.Errorf("%s: model changed", name)
		}
	}
	data, _ := os.ReadFile(filepath.Join(dir, "lm.bin"))
	fsys := fstest.MapFS{"lm.bin": {Data: data}, "bad.bin": {Data: data[:40]}}
	if _, err := LoadFS(fsys, "lm.bin", "models/x"); err != nil {
		t.Fatal(err)
	}
	_, err := LoadFS(fsys, "bad.bin", "models/x")
	if err == nil || !strings.HasPrefix(err.Error(), "models/x/bad.bin: ") {
		t.Fatalf("error %v should name models/x/bad.bin", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.bin")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
}

func FuzzReadBinary(f *testing.F) {
	good := binaryOf(f, mustARPA(f, tinyARPA))
	f.Add(good)
	f.Add(good[:30])
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, size := range []int64{-1, int64(len(b))} {
			m, err := ReadBinary(bytes.NewReader(b), size, "fuzz")
			if err != nil {
				if !IsFormatError(err) {
					t.Fatalf("not a format error: %v", err)
				}
				continue
			}
			sc := NewScorer(m)
			st := sc.Start()
			for i := 0; i < m.VocabSize() && i < 8; i++ {
				_, st = sc.Score(st, m.Word(i))
			}
		}
	})
}

func crc32IEEE(b []byte) uint32 { return crc32.ChecksumIEEE(b) }
