package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
)

// maxEventLine is the longest events line replay reads.
const maxEventLine = 64 << 20

// eventLines yields the lines of an events input: from the file's mapped
// bytes when it is a regular file (no copy into a buffer), else through a
// bufio.Scanner.
type eventLines struct {
	sc    *bufio.Scanner
	data  []byte // the rest of a mapped file
	unmap func() error
	err   error
	// back is a line given back by unread, next's next answer.
	back    []byte
	hasBack bool
}

func newEventLines(in io.Reader) *eventLines {
	if f, ok := in.(*os.File); ok {
		if data, unmap, ok := mapEvents(f); ok {
			return &eventLines{data: data, unmap: unmap}
		}
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), maxEventLine)
	return &eventLines{sc: sc}
}

// next returns the next line, without its newline; false at the end or on
// an error (Err).
func (l *eventLines) next() ([]byte, bool) {
	if l.hasBack {
		l.hasBack = false
		return l.back, true
	}
	if l.sc != nil {
		if !l.sc.Scan() {
			l.err = l.sc.Err()
			return nil, false
		}
		return l.sc.Bytes(), true
	}
	if len(l.data) == 0 {
		return nil, false
	}
	n := bytes.IndexByte(l.data, '\n')
	line := l.data
	if n < 0 {
		l.data = nil
	} else {
		line, l.data = l.data[:n], l.data[n+1:]
	}
	if len(line) > maxEventLine {
		l.err, l.data = bufio.ErrTooLong, nil
		return nil, false
	}
	return line, true
}

// unread gives back line, the last next returned (before the next call
// to next: a scanner's line is valid until then).
func (l *eventLines) unread(line []byte) { l.back, l.hasBack = line, true }

// close releases a mapped file.
func (l *eventLines) close() error {
	if l.unmap == nil {
		return nil
	}
	u := l.unmap
	l.unmap, l.data = nil, nil
	return u()
}
