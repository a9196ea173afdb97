package probe

import (
	"bytes"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/sensor/event"
)

// netTypes are the socket and I/O events the network tests capture.
var netTypes = []event.Type{
	event.TypeSocket, event.TypeBind, event.TypeListen, event.TypeConnect, event.TypeAccept, event.TypeAccept4,
	event.TypeSendto, event.TypeRecvfrom, event.TypeSendmsg, event.TypeRecvmsg, event.TypeShutdown,
	event.TypeRead, event.TypeWrite, event.TypeReadv, event.TypeWritev, event.TypePread, event.TypePwrite,
	event.TypePreadv, event.TypePwritev,
}

// netModes are the probe builds the network tests run under: each variant
// once, each buffer once, and the fast variant on its helper reads.
var netModes = []mode{buffers[0], buffers[3], fastNoCast}

// expect is one event a scenario must produce: its type, fd and what to
// check in it.
type expect struct {
	typ   event.Type
	fd    int
	check func(t *testing.T, ev event.Event)
}

// collect reads events of this process until every expectation met an
// event of its type and fd (the first such event), then runs the checks.
func collect(t *testing.T, p *Probe, want []expect) {
	t.Helper()
	pid := uint32(os.Getpid())
	got := make([]*event.Event, len(want))
	await(t, p, "scenario events", func(ev event.Event) bool {
		if ev.Proc.PID != pid {
			return false
		}
		fd, _ := ev.Args.Int64("fd")
		if ev.Type == event.TypeAccept || ev.Type == event.TypeAccept4 || ev.Type == event.TypeSocket {
			fd = ev.Res
		}
		for k, w := range want {
			if got[k] == nil && w.typ == ev.Type && int64(w.fd) == fd {
				got[k] = &ev
				break
			}
		}
		return !slices.Contains(got, nil)
	})
	for k, w := range want {
		t.Run(w.typ.String()+"/"+strconv.Itoa(k), func(t *testing.T) { w.check(t, *got[k]) })
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// fdIs checks the event's FD.
func fdIs(want event.FD) func(t *testing.T, ev event.Event) {
	return func(t *testing.T, ev event.Event) {
		t.Helper()
		if diff := cmp.Diff(&want, ev.FD); diff != "" {
			t.Errorf("%s fd (-want +got):\n%s", ev.Type, diff)
		}
	}
}

// all runs several checks.
func all(checks ...func(t *testing.T, ev event.Event)) func(t *testing.T, ev event.Event) {
	return func(t *testing.T, ev event.Event) {
		t.Helper()
		for _, c := range checks {
			c(t, ev)
		}
	}
}

func argIs(name string, want any) func(t *testing.T, ev event.Event) {
	return func(t *testing.T, ev event.Event) {
		t.Helper()
		a, ok := ev.Args.Get(name)
		var got any = a.Int
		if a.IsStr {
			got = a.Str
		}
		if !ok || got != want {
			t.Errorf("%s arg %s = %v (present %v), want %v", ev.Type, name, got, ok, want)
		}
	}
}

func bufferIs(want []byte) func(t *testing.T, ev event.Event) {
	return func(t *testing.T, ev event.Event) {
		t.Helper()
		if !bytes.Equal(ev.Buffer, want) {
			t.Errorf("%s buffer %q, want %q", ev.Type, ev.Buffer, want)
		}
		if d, _ := ev.Args.String("data"); d != string(want) {
			t.Errorf("%s data arg %q, want %q", ev.Type, d, want)
		}
	}
}

func localPort(t *testing.T, fd int) (netip.Addr, uint16) {
	t.Helper()
	sa, err := unix.Getsockname(fd)
	must(t, err)
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrFrom4(a.Addr), uint16(a.Port)
	case *unix.SockaddrInet6:
		return netip.AddrFrom16(a.Addr), uint16(a.Port)
	}
	t.Fatalf("sockname %T", sa)
	return netip.Addr{}, 0
}

// payload is what the scenarios send: "cafebabe" and then some, longer
// than the default snap length.
var payload = append([]byte("cafebabe"), bytes.Repeat([]byte{0xca, 0xfe, 0xba, 0xbe}, 40)...)

// TestCaptureTCP runs a TCP connection over 127.0.0.1 and ::1 with raw
// syscalls and checks every event's tuple, roles, arguments and data.
func TestCaptureTCP(t *testing.T) {
	for _, m := range netModes {
		for _, fam := range []struct {
			name   string
			domain int
			sa     unix.Sockaddr
			ip     string
			tc     byte
		}{
			{"ipv4", unix.AF_INET, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}, "127.0.0.1", '4'},
			{"ipv6", unix.AF_INET6, &unix.SockaddrInet6{Addr: netip.IPv6Loopback().As16()}, "::1", '6'},
		} {
			t.Run(m.name+"/"+fam.name, func(t *testing.T) {
				p := load(t, m, netTypes...)
				ln, err := unix.Socket(fam.domain, unix.SOCK_STREAM, 0)
				must(t, err)
				defer unix.Close(ln)
				must(t, unix.Bind(ln, fam.sa))
				must(t, unix.Listen(ln, 8))
				_, sport := localPort(t, ln)
				c, err := unix.Socket(fam.domain, unix.SOCK_STREAM, 0)
				must(t, err)
				defer unix.Close(c)
				var dst unix.Sockaddr
				if fam.domain == unix.AF_INET {
					dst = &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: int(sport)}
				} else {
					dst = &unix.SockaddrInet6{Addr: netip.IPv6Loopback().As16(), Port: int(sport)}
				}
				must(t, unix.Connect(c, dst))
				// a second client waits in the queue while the first is
				// accepted: queuelen 1 of 8
				c2, err := unix.Socket(fam.domain, unix.SOCK_STREAM, 0)
				must(t, err)
				defer unix.Close(c2)
				must(t, unix.Connect(c2, dst))
				s, _, err := unix.Accept4(ln, unix.SOCK_CLOEXEC)
				must(t, err)
				defer unix.Close(s)
				_, cport := localPort(t, c)
				must(t, unix.Sendto(c, payload, 0, nil))
				buf := make([]byte, 4096)
				n, _, err := unix.Recvfrom(s, buf, 0)
				must(t, err)
				if n != len(payload) {
					t.Fatalf("received %d bytes", n)
				}
				_, err = unix.SendmsgBuffers(s, [][]byte{payload[:4], payload[4:]}, nil, nil, 0)
				must(t, err)
				_, _, _, _, err = unix.RecvmsgBuffers(c, [][]byte{buf}, nil, 0)
				must(t, err)
				must(t, unix.Shutdown(c, unix.SHUT_WR))

				name := fam.ip + ":" + strconv.Itoa(int(cport)) + "->" + fam.ip + ":" + strconv.Itoa(int(sport))
				conn := func(num int, server bool) event.FD {
					return event.FD{Num: int64(num), Type: fam.tc, Name: name, L4Proto: "tcp", CIP: fam.ip, CPort: cport,
						SIP: fam.ip, SPort: sport, Connected: true, Server: server}
				}
				listening := event.FD{Num: int64(ln), Type: fam.tc, Name: fam.ip + ":" + strconv.Itoa(int(sport)), L4Proto: "tcp",
					SIP: fam.ip, SPort: sport, Server: true}
				snap := payload[:DefaultSnaplen]
				collect(t, p, []expect{
					{event.TypeSocket, ln, fdIs(event.FD{Num: int64(ln), Type: fam.tc, L4Proto: "tcp"})},
					{event.TypeBind, ln, all(fdIs(listening), argIs("addr", fam.ip+":0"))},
					{event.TypeListen, ln, all(fdIs(listening), argIs("backlog", int64(8)), argIs("tuple", listening.Name))},
					{event.TypeConnect, c, all(fdIs(conn(c, false)), argIs("tuple", name), argIs("addr", fam.ip+":"+strconv.Itoa(int(sport))))},
					{event.TypeAccept4, s, all(fdIs(conn(s, true)), argIs("tuple", name),
						argIs("queuelen", int64(1)), argIs("queuemax", int64(8)), argIs("queuepct", int64(12)))},
					{event.TypeSendto, c, all(fdIs(conn(c, false)), bufferIs(snap), argIs("size", int64(len(payload))))},
					{event.TypeRecvfrom, s, all(fdIs(conn(s, true)), bufferIs(snap))},
					{event.TypeSendmsg, s, all(fdIs(conn(s, true)), bufferIs(snap), argIs("size", int64(len(payload))))},
					{event.TypeRecvmsg, c, all(fdIs(conn(c, false)), bufferIs(snap), argIs("size", int64(len(buf))))},
					{event.TypeShutdown, c, all(fdIs(conn(c, false)), argIs("how", int64(unix.SHUT_WR)))},
				})
			})
		}
	}
}

// TestCaptureUDP sends datagrams from an unconnected socket: the tuple's
// remote end comes from the address argument (fd.name_changed).
func TestCaptureUDP(t *testing.T) {
	for _, m := range netModes {
		t.Run(m.name, func(t *testing.T) {
			p := load(t, m, netTypes...)
			srv, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
			must(t, err)
			defer unix.Close(srv)
			must(t, unix.Bind(srv, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
			_, sport := localPort(t, srv)
			c, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
			must(t, err)
			defer unix.Close(c)
			must(t, unix.Sendto(c, []byte("cafebabe"), 0, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: int(sport)}))
			_, cport := localPort(t, c)
			buf := make([]byte, 64)
			_, from, err := unix.Recvfrom(srv, buf, 0)
			must(t, err)
			if from == nil {
				t.Fatal("no source address")
			}
			sp, cp := strconv.Itoa(int(sport)), strconv.Itoa(int(cport))
			collect(t, p, []expect{
				{event.TypeSendto, c, all(bufferIs([]byte("cafebabe")), argIs("addr", "127.0.0.1:"+sp), fdIs(event.FD{
					Num: int64(c), Type: '4', Name: "0.0.0.0:" + cp + "->127.0.0.1:" + sp, L4Proto: "udp",
					CIP: "0.0.0.0", CPort: cport, SIP: "127.0.0.1", SPort: sport, Connected: true, NameChanged: true}))},
				{event.TypeRecvfrom, srv, all(bufferIs([]byte("cafebabe")), argIs("addr", "127.0.0.1:"+cp), fdIs(event.FD{
					Num: int64(srv), Type: '4', Name: "127.0.0.1:" + cp + "->127.0.0.1:" + sp, L4Proto: "udp",
					CIP: "127.0.0.1", CPort: cport, SIP: "127.0.0.1", SPort: sport, Connected: true, NameChanged: true, Server: true}))},
			})
		})
	}
}

// TestCaptureUnix runs a unix stream connection: fd.name is the socket's
// path on both ends.
func TestCaptureUnix(t *testing.T) {
	for _, m := range netModes {
		t.Run(m.name, func(t *testing.T) {
			p := load(t, m, netTypes...)
			path := filepath.Join(t.TempDir(), "s.sock")
			ln, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM, 0)
			must(t, err)
			defer unix.Close(ln)
			must(t, unix.Bind(ln, &unix.SockaddrUnix{Name: path}))
			must(t, unix.Listen(ln, 1))
			c, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM, 0)
			must(t, err)
			defer unix.Close(c)
			must(t, unix.Connect(c, &unix.SockaddrUnix{Name: path}))
			s, _, err := unix.Accept4(ln, 0)
			must(t, err)
			defer unix.Close(s)
			_, err = unix.Write(c, []byte("cafebabe"))
			must(t, err)
			buf := make([]byte, 64)
			_, err = unix.Read(s, buf)
			must(t, err)
			unixFD := func(num int, server bool) func(t *testing.T, ev event.Event) {
				return func(t *testing.T, ev event.Event) {
					if ev.FD == nil || ev.FD.Type != 'u' || ev.FD.Name != path || ev.FD.Num != int64(num) || ev.FD.Server != server || !ev.FD.Connected {
						t.Errorf("%s fd %+v, want unix %s num %d server %v connected", ev.Type, ev.FD, path, num, server)
					}
				}
			}
			collect(t, p, []expect{
				{event.TypeSocket, c, fdIs(event.FD{Num: int64(c), Type: 'u'})},
				{event.TypeConnect, c, all(unixFD(c, false), argIs("addr", path))},
				{event.TypeAccept4, s, unixFD(s, true)},
				{event.TypeWrite, c, all(unixFD(c, false), bufferIs([]byte("cafebabe")))},
				{event.TypeRead, s, all(unixFD(s, true), bufferIs([]byte("cafebabe")))},
			})
		})
	}
}

// TestCaptureFileIO reads and writes a file: the data is in the buffer,
// bounded by the snap length, and the fd carries the file's path.
func TestCaptureFileIO(t *testing.T) {
	for _, m := range netModes {
		t.Run(m.name, func(t *testing.T) {
			p := load(t, m, netTypes...)
			path := filepath.Join(t.TempDir(), "data")
			fd, err := unix.Open(path, unix.O_CREAT|unix.O_RDWR, 0o600)
			must(t, err)
			defer unix.Close(fd)
			_, err = unix.Write(fd, payload)
			must(t, err)
			_, err = unix.Pwrite(fd, []byte("cafebabe"), 1000)
			must(t, err)
			_, err = unix.Writev(fd, [][]byte{[]byte("cafe"), []byte("babe")})
			must(t, err)
			buf := make([]byte, 16)
			_, err = unix.Pread(fd, buf, 0)
			must(t, err)
			_, err = unix.Readv(fd, [][]byte{buf[:2], buf[2:]}) // in the hole before the pwrite: zeros
			must(t, err)
			_, err = unix.Pwritev(fd, [][]byte{[]byte("dead"), []byte("beef")}, 2000)
			must(t, err)
			_, err = unix.Preadv(fd, [][]byte{buf[:3], buf[3:]}, 2000)
			must(t, err)
			file := func(t *testing.T, ev event.Event) {
				resolved, _ := filepath.EvalSymlinks(path)
				if ev.FD == nil || ev.FD.Type != 'f' || ev.FD.Name != resolved || ev.FD.Num != int64(fd) {
					t.Errorf("%s fd %+v, want file %s", ev.Type, ev.FD, resolved)
				}
			}
			collect(t, p, []expect{
				{event.TypeWrite, fd, all(file, bufferIs(payload[:DefaultSnaplen]))},
				{event.TypePwrite, fd, all(file, bufferIs([]byte("cafebabe")), argIs("pos", int64(1000)))},
				{event.TypeWritev, fd, all(file, bufferIs([]byte("cafebabe")), argIs("size", int64(8)))},
				{event.TypePread, fd, all(file, bufferIs(payload[:16]))},
				{event.TypeReadv, fd, all(file, bufferIs(make([]byte, 16)), argIs("size", int64(16)))},
				{event.TypePwritev, fd, all(file, bufferIs([]byte("deadbeef")), argIs("size", int64(8)), argIs("pos", int64(2000)))},
				{event.TypePreadv, fd, all(file, bufferIs([]byte("deadbeef")), argIs("size", int64(16)), argIs("pos", int64(2000)))},
			})
		})
	}
}

// TestCaptureSnaplen loads with a snap length of 4 and of none.
func TestCaptureSnaplen(t *testing.T) {
	for _, c := range []struct {
		snaplen int
		want    []byte
	}{{4, payload[:4]}, {-1, nil}, {MaxSnaplen * 2, payload}} {
		t.Run(strconv.Itoa(c.snaplen), func(t *testing.T) {
			p := loadWith(t, Options{Types: []event.Type{event.TypeWrite}, Snaplen: c.snaplen})
			r, w, err := os.Pipe()
			must(t, err)
			defer r.Close()
			defer w.Close()
			_, err = unix.Write(int(w.Fd()), payload)
			must(t, err)
			collect(t, p, []expect{{event.TypeWrite, int(w.Fd()), bufferIs(c.want)}})
		})
	}
}

// TestCaptureEnv execs a program with an environment: the execve event's
// process carries it, bounded by EnvMax.
func TestCaptureEnv(t *testing.T) {
	env := []string{"PROBEHUB_MARK=cafebabe", "PATH=/usr/bin:/bin", "EMPTY="}
	for _, c := range []struct {
		name   string
		envMax int
		want   []string
	}{{"default", 0, env}, {"bounded", len(env[0]) + 3, []string{env[0], "PA"}}, {"none", -1, nil}} {
		t.Run(c.name, func(t *testing.T) {
			p := loadWith(t, Options{Types: []event.Type{event.TypeExecve}, EnvMax: c.envMax})
			cmd := exec.Command("/bin/true")
			cmd.Env = env
			must(t, cmd.Run())
			pid := uint32(cmd.Process.Pid)
			ev := await(t, p, "execve", func(ev event.Event) bool { return ev.Type == event.TypeExecve && ev.Proc.PID == pid })
			if diff := cmp.Diff(c.want, ev.Proc.Env); diff != "" {
				t.Errorf("env (-want +got):\n%s", diff)
			}
		})
	}
}
