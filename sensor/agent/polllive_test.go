package agent

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/internal/testutil"
)

const pollRules = `
- rule: ppoll on the test port
  desc: d
  condition: evt.type = ppoll and fdlist.sports contains "%[1]d"
  output: ppoll names=[%%fdlist.names] sports=%%fdlist.sports cips=%%fdlist.cips sips=%%fdlist.sips cports=%%fdlist.cports fds=%%evt.arg.fds
  priority: WARNING
- rule: ppoll on the test file
  desc: d
  condition: evt.type = ppoll and fdlist.names contains "%[2]s"
  output: ppoll names=%%fdlist.names nums=%%fdlist.nums
  priority: WARNING
`

// freeLowPort is a 127.0.0.1 TCP port below the ephemeral range that is
// free now: the connection's server end then has the lower port.
func freeLowPort(t *testing.T) int {
	t.Helper()
	s, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(s)
	for p := 20000 + os.Getpid()%5000; p < 32000; p++ {
		if unix.Bind(s, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: p}) == nil {
			return p
		}
	}
	t.Fatal("no free port below 32000")
	return 0
}

// TestLivePollFdlist: a process ppolls a TCP connection and a file; rules
// on fdlist.sports and fdlist.names fire through the real sensor path (probe,
// decoder, agent, rules, outputs).
func TestLivePollFdlist(t *testing.T) {
	testutil.RequireRoot(t)
	dir := t.TempDir()
	port := freeLowPort(t)
	file := filepath.Join(dir, "probehub-polled.log")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	rulesDir := filepath.Join(dir, "rules")
	if err := os.Mkdir(rulesDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(rulesDir, "poll.yaml"), fmt.Appendf(nil, pollRules, port, file), 0o644); err != nil {
		t.Fatal(err)
	}
	ls := startLive(t, nil, func(c *Config) { c.Rules.Paths = []string{rulesDir} })
	sink := ls.def
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "PROBEHUB_HELPER=poll-fdlist", "PROBEHUB_POLL_PORT="+strconv.Itoa(port), "PROBEHUB_POLL_FILE="+file)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("helper: %v: %s", err, out)
	}
	sp := strconv.Itoa(port)
	for _, w := range []struct{ rule, marker string }{
		{"ppoll on the test port", "sports=" + sp + " cips=127.0.0.1 sips=127.0.0.1 cports="},
		{"ppoll on the test file", "names=<NA>," + file + " nums=999,"},
	} {
		al, ok := sink.wait(t, w.rule, w.marker)
		if !ok {
			t.Errorf("no %q alert with %q; alerts: %v", w.rule, w.marker, sink.rulesAll())
			continue
		}
		t.Logf("%s: %s", w.rule, al.Output)
		if w.rule == "ppoll on the test port" && !strings.Contains(al.Output, "->127.0.0.1:"+sp+","+file+"]") {
			t.Errorf("names: %s", al.Output)
		}
	}
}

// pollHelperAction runs the helper action of TestLivePollFdlist: connect
// to 127.0.0.1:PROBEHUB_POLL_PORT (listened on here), open
// PROBEHUB_POLL_FILE and ppoll both, then the file alone.
func pollHelperAction(name string) bool {
	if name != "poll-fdlist" {
		return false
	}
	port, _ := strconv.Atoi(os.Getenv("PROBEHUB_POLL_PORT"))
	sa := &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: port}
	ln, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil || unix.Bind(ln, sa) != nil || unix.Listen(ln, 1) != nil {
		os.Exit(2)
	}
	c, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil || unix.Connect(c, sa) != nil {
		os.Exit(3)
	}
	f, err := unix.Open(os.Getenv("PROBEHUB_POLL_FILE"), unix.O_RDONLY, 0)
	if err != nil {
		os.Exit(4)
	}
	fds := []unix.PollFd{{Fd: int32(c), Events: unix.POLLOUT}, {Fd: int32(f), Events: unix.POLLIN}}
	if n, err := unix.Ppoll(fds, &unix.Timespec{Sec: 1}, nil); err != nil || n != 2 {
		os.Exit(5)
	}
	// the file alone, with an fd that is not open: the rules engine raises
	// the first matching rule of an event, as Falco does
	fds = []unix.PollFd{{Fd: 999, Events: unix.POLLIN}, {Fd: int32(f), Events: unix.POLLIN}}
	if n, err := unix.Ppoll(fds, &unix.Timespec{Sec: 1}, nil); err != nil || n != 2 {
		os.Exit(6)
	}
	return true
}
