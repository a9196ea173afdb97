package compat

import (
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/labstack/echo/v5"
)

// bufPool holds the buffers that request bodies are read into and answers
// encoded in, so that a request allocates none.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

// putBuf returns b to the pool, unless a large page grew it past 256 KiB.
func putBuf(b *[]byte) {
	if cap(*b) > 256<<10 {
		return
	}
	*b = (*b)[:0]
	bufPool.Put(b)
}

// readBody appends r's bytes to b: up to MaxBodyBytes, a 413 beyond.
func readBody(r io.Reader, b []byte) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):min(cap(b), MaxBodyBytes+1)])
		b = b[:len(b)+n]
		switch {
		case err == io.EOF:
			return b, nil
		case err != nil:
			return b, fmt.Errorf("read body: %w", err)
		case len(b) > MaxBodyBytes:
			return b, errorf(http.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than %d bytes", MaxBodyBytes))
		}
	}
}

// jsonType is the Content-Type of JSON answers, shared: net/http only reads
// header values.
var jsonType = []string{echo.MIMEApplicationJSON}

// writeBlob writes the encoded JSON body b with code, as c.JSONBlob does
// but without allocating the header value.
func writeBlob(c *echo.Context, code int, b []byte) error {
	resp := c.Response()
	if h := resp.Header(); len(h["Content-Type"]) == 0 {
		h["Content-Type"] = jsonType
	}
	resp.WriteHeader(code)
	_, err := resp.Write(b)
	return err
}
