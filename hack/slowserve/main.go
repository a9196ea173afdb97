// Command slowserve serves the files of a directory over HTTP at a fixed
// rate per connection, so that `make bench` can time a download and a
// streamed extraction against a server whose transfer time is meaningful
// (the loopback alone would deliver a package in a few milliseconds).
//
//	go run ./hack/slowserve -dir DIR -listen 127.0.0.1:PORT -rate 20MB
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

func main() {
	dir := flag.String("dir", ".", "directory to serve")
	listen := flag.String("listen", "127.0.0.1:0", "address; the chosen one is printed on the first line of stdout")
	rate := flag.String("rate", "20MB", "bytes per second per connection (suffixes KB, MB: powers of 1000)")
	flag.Parse()
	bps, err := parseRate(*rate)
	if err != nil {
		log.Fatalf("slowserve: -rate %s: %v", *rate, err)
	}
	srv := &http.Server{Addr: *listen, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		serve(w, r, *dir, bps)
	}), ReadHeaderTimeout: 10 * time.Second}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatalf("slowserve: %v", err)
	}
	fmt.Println(ln.Addr())
	log.Fatal(srv.Serve(ln))
}

func parseRate(s string) (int64, error) {
	mult := int64(1)
	for suf, m := range map[string]int64{"KB": 1e3, "MB": 1e6} {
		if v, ok := strings.CutSuffix(s, suf); ok {
			s, mult = v, m
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("want a positive number of bytes per second")
	}
	return n * mult, nil
}

// serve writes the file in 64 KiB pieces, each when the rate allows it.
func serve(w http.ResponseWriter, r *http.Request, dir string, bps int64) {
	f, err := os.Open(filepath.Join(dir, filepath.Base(r.URL.Path)))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer func() { _ = f.Close() }() // read only: closing loses nothing
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Length", strconv.FormatInt(st.Size(), 10))
	w.Header().Set("Content-Type", "application/vnd.debian.binary-package")
	start := time.Now()
	buf := make([]byte, 64<<10)
	var sent int64
	for {
		n, err := f.Read(buf)
		if n > 0 {
			if wait := time.Duration(float64(sent)/float64(bps)*float64(time.Second)) - time.Since(start); wait > 0 {
				time.Sleep(wait)
			}
			if _, werr := w.Write(buf[:n]); werr != nil {
				return
			}
			sent += int64(n)
		}
		if err == io.EOF {
			return
		}
		if err != nil {
			return
		}
	}
}
