package framelog_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/streamcheck/streamcheck/emulator/internal/framelog"
)

func readAll(t *testing.T, data []byte) ([]string, int64) {
	t.Helper()
	var got []string
	off, err := framelog.Read(bytes.NewReader(data), func(b []byte) error { got = append(got, string(b)); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return got, off
}

func TestReadStopsAtATornOrCorruptFrame(t *testing.T) {
	whole := framelog.AppendFrame(framelog.AppendFrame(nil, []byte("one")), []byte("two"))
	corrupt := append([]byte(nil), whole...)
	corrupt[len(corrupt)-1] ^= 0xff // the second frame's body no longer matches its CRC
	tests := []struct {
		name    string
		data    []byte
		want    int
		wantOff int64
	}{
		{name: "whole", data: whole, want: 2, wantOff: int64(len(whole))},
		{name: "torn body", data: whole[:len(whole)-1], want: 1, wantOff: framelog.HeaderSize + 3},
		{name: "torn header", data: whole[:framelog.HeaderSize+3+4], want: 1, wantOff: framelog.HeaderSize + 3},
		{name: "corrupt", data: corrupt, want: 1, wantOff: framelog.HeaderSize + 3},
		{name: "empty", data: nil, want: 0, wantOff: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, off := readAll(t, tt.data)
			if len(got) != tt.want || off != tt.wantOff {
				t.Errorf("read %v up to %d, want %d frames up to %d", got, off, tt.want, tt.wantOff)
			}
		})
	}
}

func TestReadReturnsTheApplyError(t *testing.T) {
	data := framelog.AppendFrame(nil, []byte("bad"))
	boom := errors.New("boom")
	if _, err := framelog.Read(bytes.NewReader(data), func([]byte) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("Read = %v, want the apply error", err)
	}
}

func TestLogAppendSyncCloseReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	l := framelog.New(f, 0)
	var off int64
	for _, b := range []string{"a", "bb", "ccc"} {
		if off, err = l.Append([]byte(b)); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Sync(off); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := l.Append([]byte("late")); !errors.Is(err, framelog.ErrClosed) {
		t.Errorf("Append after Close = %v, want ErrClosed", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got, end := readAll(t, data)
	if len(got) != 3 || got[2] != "ccc" || end != off {
		t.Errorf("reopened: %v up to %d, want [a bb ccc] up to %d", got, end, off)
	}
}
