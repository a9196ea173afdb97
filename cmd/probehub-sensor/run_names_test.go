package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/hostinfo"
)

// slowDNS answers every query with NXDOMAIN after delay, and records the
// names asked.
type slowDNS struct {
	conn  net.PacketConn
	delay time.Duration
	mu    sync.Mutex
	asked map[string]time.Time // name → first query
}

func startSlowDNS(t *testing.T, addr string, delay time.Duration) *slowDNS {
	t.Helper()
	conn, err := net.ListenPacket("udp", addr)
	if err != nil {
		testutil.SkipOrFail(t, "slow DNS server on "+addr+": "+err.Error())
	}
	d := &slowDNS{conn: conn, delay: delay, asked: map[string]time.Time{}}
	t.Cleanup(func() { conn.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := conn.ReadFrom(buf)
			if err != nil {
				return
			}
			q := append([]byte(nil), buf[:n]...)
			name, end, ok := dnsQuestion(q)
			if !ok {
				continue
			}
			d.mu.Lock()
			if _, seen := d.asked[name]; !seen {
				d.asked[name] = time.Now()
			}
			d.mu.Unlock()
			time.AfterFunc(delay, func() {
				// The header and question echoed: a response (QR, RD
				// kept, RA) with NXDOMAIN and no other records.
				r := q[:end]
				r[2] = 0x80 | r[2]&0x01
				r[3] = 0x80 | 3
				clear(r[6:12])
				_, _ = conn.WriteTo(r, from)
			})
		}
	}()
	return d
}

func (d *slowDNS) firstQuery(name string) (time.Time, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	at, ok := d.asked[name]
	return at, ok
}

// logTime is the time= of a slog text line.
func logTime(t *testing.T, line string) time.Time {
	t.Helper()
	f, _, _ := strings.Cut(strings.TrimPrefix(line, "time="), " ")
	at, err := time.Parse(time.RFC3339Nano, f)
	if err != nil {
		t.Fatalf("log line without a time: %q", line)
	}
	return at
}

// dnsQuestion returns a query's first question's name (dotted, no final
// dot) and the offset just past the question.
func dnsQuestion(q []byte) (string, int, bool) {
	if len(q) < 12 || q[4] != 0 || q[5] != 1 {
		return "", 0, false
	}
	var labels []string
	o := 12
	for o < len(q) && q[o] != 0 {
		l := int(q[o])
		if l > 63 || o+1+l > len(q) {
			return "", 0, false
		}
		labels = append(labels, string(q[o+1:o+1+l]))
		o += 1 + l
	}
	o += 5 // the root label, qtype, qclass
	if o > len(q) {
		return "", 0, false
	}
	return strings.Join(labels, "."), o, true
}

// TestRunKeepsEventsWhileNamesResolve: run resolves the host names its
// rules compare fd.*.name with while the probe loads, and evaluates
// events once they are resolved: with a DNS that takes 5 s to answer,
// "sensor running" comes after the answer, and an open made while the
// names were being resolved (before the sensor logged "sensor running")
// still raises its alert: it waited in the ring, where a sensor that
// attached its probe only after the names would not have seen it.
func TestRunKeepsEventsWhileNamesResolve(t *testing.T) {
	testutil.RequireRoot(t)
	if _, err := os.Stat(hostinfo.KernelBTFPath); err != nil {
		testutil.SkipOrFail(t, "this kernel has no BTF: "+err.Error())
	}
	unshare := testutil.RequireTool(t, "unshare")
	// Long enough for the probe to load on a loaded machine before the
	// answer comes.
	const delay = 5 * time.Second
	const slowName = "slow.probehub.test"
	dns := startSlowDNS(t, "127.0.0.77:53", delay)

	dir := t.TempDir()
	marker := filepath.Join(dir, "marker")
	if err := os.WriteFile(marker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	resolv := filepath.Join(dir, "resolv.conf")
	if err := os.WriteFile(resolv, []byte("nameserver 127.0.0.77\noptions timeout:10 attempts:1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rules := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(rules, []byte(`- rule: Marker opened
  desc: the test's marker file opened
  condition: evt.type in (open, openat) and fd.name = `+marker+`
  output: marker opened (file=%fd.name)
  priority: WARNING
- rule: Contact slow host
  desc: a connection to the host whose name resolves slowly
  condition: evt.type = connect and fd.sip.name = `+slowName+`
  output: contact (ip=%fd.sip)
  priority: WARNING
`), 0o644); err != nil {
		t.Fatal(err)
	}

	// The sensor in a mount namespace of its own whose resolv.conf names
	// the slow server; Go's resolver, which reads it at each lookup.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, unshare, "-m", "--propagation", "private", "sh", "-c",
		`mount --bind "$0" /etc/resolv.conf && exec "$@"`, resolv,
		sensorBin, "run", "--rules", rules, "--no-cri", "--metrics-listen", "", "--gpu-filter", "off")
	cmd.Env = append(os.Environ(), "GODEBUG=netdns=go")
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGINT) }
	cmd.WaitDelay = 20 * time.Second
	stdout := &testutil.SyncBuffer{}
	cmd.Stdout = stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}

	// Open the marker every 20 ms from now on.
	stopOpens := make(chan struct{})
	opened := make(chan struct{})
	go func() {
		defer close(opened)
		for {
			select {
			case <-stopOpens:
				return
			case <-time.After(20 * time.Millisecond):
			}
			if f, err := os.Open(marker); err == nil {
				f.Close()
			}
		}
	}()

	var running time.Time
	var logs strings.Builder
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		logs.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), `msg="sensor running"`) {
			running = logTime(t, sc.Text())
			break
		}
	}
	go func() { // drain
		for sc.Scan() {
		}
	}()
	if running.IsZero() {
		close(stopOpens)
		_ = cmd.Wait()
		t.Fatalf("no \"sensor running\":\n%s", logs.String())
	}
	// A few opens after the start too, then stop.
	time.Sleep(500 * time.Millisecond)
	close(stopOpens)
	<-opened
	time.Sleep(time.Second)
	cancel()
	_ = cmd.Wait()

	asked, ok := dns.firstQuery(slowName)
	if !ok {
		t.Fatalf("the sensor never asked the DNS server for %s; logs:\n%s", slowName, logs.String())
	}
	if wait := running.Sub(asked); wait < delay-500*time.Millisecond {
		t.Fatalf("\"sensor running\" %v after the first query for %s: want it after the %v answer", wait, slowName, delay)
	}
	var early, all int
	for line := range strings.SplitSeq(stdout.String(), "\n") {
		var a struct {
			Rule string    `json:"rule"`
			Time time.Time `json:"time"`
		}
		if json.Unmarshal([]byte(line), &a) != nil || a.Rule != "Marker opened" {
			continue
		}
		all++
		// Made while the names were being resolved: before the sensor
		// logged that evaluation starts (with a margin for the moment
		// between the probe's attach and that line, had it come after
		// the names).
		if a.Time.Before(running.Add(-200*time.Millisecond)) && a.Time.After(asked) {
			early++
		}
	}
	t.Logf("first query %s, sensor running %s later; %d marker alerts, %d for opens made while the names resolved",
		asked.Format(time.RFC3339Nano), running.Sub(asked), all, early)
	if early == 0 {
		t.Fatalf("no alert for the opens made while the names resolved (%d marker alerts in all); logs:\n%s\nalerts:\n%s",
			all, logs.String(), stdout.String())
	}
}
