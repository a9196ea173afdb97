package event

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

const captured = `{"time":"2026-12-03T09:32:20.898702899Z","type":"openat","cpu":0,"res":3,"proc":{"pid":18674,"tid":18674,"ppid":18496,"vpid":18674,"uid":0,"gid":0,"euid":0,"loginuid":4294967295,"comm":"bash","cgroup_id":3863,"cgroup":"/system.slice/ssh.service","mntns":4026531832,"pidns":4026531836,"netns":4026531833},"args":{"fd":3,"dirfd":-100,"name":"/dev/null","flags":577,"mode":438},"fd":{"num":3,"type":102,"name":"/dev/null"}}`

// fill sets every field reachable from v to a non-zero value, so that a
// field added to the event model shows up in its JSON form.
func fill(v reflect.Value, name string) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 12, 3, 9, 32, 20, 898702899, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), v.Type().Field(i).Name)
			}
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), name)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		fill(v.Index(0), name+"0")
		fill(v.Index(1), name+"1")
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, name+"k")
		fill(e, name+"v")
		v.SetMapIndex(k, e)
	case reflect.String:
		v.SetString("/" + strings.ToLower(name) + " é")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(-int64(len(name)) - 1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(len(name)) + 1)
	}
}

// TestDecodeEveryField: an event with every field set, in the form
// encoding/json writes, is read by the fast path and gives what
// encoding/json gives. When this fails after a field was added to the
// event model, add its key to decode.go.
func TestDecodeEveryField(t *testing.T) {
	var ev Event
	fill(reflect.ValueOf(&ev).Elem(), "")
	ev.Type = TypeOpenat
	ev.Args = Args{{Name: "name", Str: "/etc/shadow", IsStr: true}, {Name: "fd", Int: -1}}
	data, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	var d Decoder
	var got Event
	if !d.Fast(data, &got) {
		t.Fatalf("the fast path refused the JSON form of a full event (a field the decoder lacks?):\n%s", data)
	}
	var want Event
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("fast decode differs from encoding/json:\n got %+v\nwant %+v", got, want)
	}
}

// TestDecodeForms: each form decodes (or fails) as encoding/json does; fast
// says which go through the scanner.
func TestDecodeForms(t *testing.T) {
	tests := []struct {
		desc string
		data string
		fast bool
	}{
		{"captured", captured, true},
		{"white space", " {\n \"type\" : \"close\" , \"res\" : -9 ,\"args\":{ \"fd\" : 3 } } \n", true},
		{"empty args", `{"type":"close","args":{}}`, true},
		{"bool arg", `{"type":"close","args":{"a":true,"b":false}}`, true},
		{"nulls", `{"type":null,"proc":null,"fd":null,"args":null,"time":null}`, true},
		{"duplicate keys", `{"type":"close","type":"openat","fd":{"num":1},"fd":{"name":"x"}}`, true},
		{"enter event", `{"type":"execve","dir":">","proc":{"args":["-c","x"],"env":[],"exit_code":-2147483648}}`, true},
		{"buffer", `{"type":"close","buffer":"aGVsbG8="}`, true},
		{"time without fraction", `{"time":"2026-01-02T03:04:05Z"}`, true},
		{"time with short fraction", `{"time":"2026-01-02T03:04:05.5Z"}`, true},
		{"container", `{"type":"openat","container":{"id":"abc","pod_labels":{"a":"b"}},"proc":{"ancestors":[{"pid":1,"name":"init"}]}}`, true},
		{"escaped string", `{"proc":{"comm":"a\"b\u00e9"}}`, true},
		{"escaped arg", `{"args":{"name":"\/etc\/shadow"}}`, true},
		{"every escape", `{"args":{"s":"\"\\\/\b\f\n\r\t\u003e\u00E9\u20ac é"}}`, true},
		{"surrogate pair", `{"proc":{"comm":"\ud83d\ude00"}}`, true},
		{"lone surrogates", `{"proc":{"comm":"\ud83d x \ude00 \ud83d\u0041"}}`, true},
		{"bad escape", `{"proc":{"comm":"\x"}}`, false},
		{"bad unicode escape", `{"proc":{"comm":"\u00zz"}}`, false},
		{"truncated escape", `{"proc":{"comm":"\u00`, false},
		{"escape and invalid UTF-8", "{\"proc\":{\"comm\":\"\\n\xff\"}}", false},
		{"escaped time", `{"time":"2026-01-02T03:04:05\u002e5Z"}`, false},
		{"time with offset", `{"time":"2026-01-02T03:04:05+02:00"}`, false},
		{"case-folded key", `{"TYPE":"close"}`, false},
		{"unknown key", `{"kind":"Event","apiVersion":"audit.k8s.io/v1"}`, false},
		{"invalid UTF-8", "{\"proc\":{\"comm\":\"a\xffb\"}}", false},
		{"null line", `null`, false},
		{"float res", `{"res":1.5}`, false},
		{"float arg", `{"args":{"fd":1.5}}`, false},
		{"null arg", `{"args":{"fd":null}}`, false},
		{"nested arg", `{"args":{"fd":[1]}}`, false},
		{"uint32 overflow", `{"cpu":4294967296}`, false},
		{"negative uint", `{"cpu":-1}`, false},
		{"largest uint64", `{"proc":{"cgroup_id":18446744073709551615}}`, true},
		{"19 digits", `{"proc":{"cgroup_id":9999999999999999999},"res":-9223372036854775808}`, true},
		{"uint64 overflow", `{"proc":{"cgroup_id":18446744073709551616}}`, false},
		{"21 digits", `{"proc":{"cgroup_id":100000000000000000000}}`, false},
		{"int64 overflow", `{"res":9223372036854775808}`, false},
		{"key with white space before the colon", `{"type" :"close","args":{"fd" : 3}}`, true},
		{"non-ASCII key", `{"args":{"é":1}}`, false},
		{"unknown type", `{"type":"nosuchcall"}`, false},
		{"bad time", `{"time":"2026-02-30T00:00:00Z"}`, false},
		{"leading zero", `{"res":01}`, false},
		{"trailing garbage", `{"res":1} x`, false},
		{"truncated", `{"res":1,"proc":{"pid":`, false},
		{"not json", `hello`, false},
		{"bad base64", `{"buffer":"!!"}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			var d Decoder
			var fast Event
			if got := d.Fast([]byte(tc.data), &fast); got != tc.fast {
				t.Errorf("Fast = %v, want %v", got, tc.fast)
			}
			compare(t, []byte(tc.data))
		})
	}
}

// compare checks that Decode gives encoding/json's event or fails where
// it fails, into a fresh event and into a reused one.
func compare(t *testing.T, data []byte) {
	t.Helper()
	compareWith(t, new(Decoder), data)
}

// compareWith is compare with a decoder that may have read other lines
// before (its caches hold them).
func compareWith(t *testing.T, d *Decoder, data []byte) {
	t.Helper()
	var want Event
	wantErr := json.Unmarshal(data, &want)
	reused := Event{Args: make(Args, 4), FD: &FD{Num: 9, Name: "old"}, Buffer: []byte("old"),
		Proc: Process{Args: []string{"old"}, Env: []string{"A=1"}, Comm: "old"}}
	for i, got := range []*Event{{}, &reused} {
		err := d.Decode(data, got)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("#%d: error %v, encoding/json says %v", i, err, wantErr)
		}
		if err == nil && !reflect.DeepEqual(*got, want) {
			t.Errorf("#%d: decoded %+v\nencoding/json %+v", i, *got, want)
		}
	}
}

// TestArgsUnmarshal: Args.UnmarshalJSON keeps order and refuses values that
// are not strings, integers or booleans, naming the argument.
func TestArgsUnmarshal(t *testing.T) {
	var a Args
	if err := json.Unmarshal([]byte(`{"b":"x","a":-3,"c":true}`), &a); err != nil {
		t.Fatal(err)
	}
	want := Args{{Name: "b", Str: "x", IsStr: true}, {Name: "a", Int: -3}, {Name: "c", Int: 1}}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("got %+v, want %+v", a, want)
	}
	for data, msg := range map[string]string{`{"fd":1.5}`: `"fd"`, `{"fd":[1]}`: `"fd"`, `[1]`: "want object"} {
		if err := json.Unmarshal([]byte(data), &a); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: error %v, want one naming %s", data, err, msg)
		}
	}
}

// TestDecodeAllocs: decoding a line seen before allocates nothing.
func TestDecodeAllocs(t *testing.T) {
	var d Decoder
	var ev Event
	data := []byte(captured)
	if err := d.Decode(data, &ev); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { d.Decode(data, &ev) }); n != 0 {
		t.Errorf("%v allocations per decode, want 0", n)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(captured))
	f.Add([]byte(`{"type":"close","args":{"a":true},"buffer":"aGk=","container":{"id":"x"}}`))
	f.Add([]byte(`{"time":"2026-01-02T03:04:05.123Z","proc":{"args":["a"],"start":"2026-01-02T03:04:05Z"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		compare(t, data)
	})
}

// FuzzDecodeAfter: a line decodes as encoding/json decodes it whatever
// line the decoder read before (its caches of strings, times, types and
// proc objects never leak one line into the next).
func FuzzDecodeAfter(f *testing.F) {
	other := strings.Replace(captured, `"comm":"bash"`, `"comm":"dash"`, 1)
	f.Add([]byte(captured), []byte(captured))
	f.Add([]byte(captured), []byte(other))
	f.Add([]byte(captured), []byte(strings.Replace(captured, `"args":`, `"proc":{"tid":7},"args":`, 1)))
	f.Add([]byte(`{"proc":{"pid":1,"tid":1,"ppid":0,"uid":0,"gid":0,"comm":"init"}}`),
		[]byte(`{"proc":{"pid":1,"tid":1,"ppid":0,"uid":0,"gid":0,"comm":"init"},"proc":{"comm":"x"}}`))
	f.Fuzz(func(t *testing.T, first, data []byte) {
		var d Decoder
		var ev Event
		_ = d.Decode(first, &ev)
		compareWith(t, &d, data)
	})
}

// TestDecodeAfter runs FuzzDecodeAfter's seeds in both orders.
func TestDecodeAfter(t *testing.T) {
	lines := []string{captured,
		strings.Replace(captured, `"comm":"bash"`, `"comm":"dash"`, 1),
		strings.Replace(captured, `"args":`, `"proc":{"tid":7},"args":`, 1),
		strings.Replace(captured, `"proc":`, `"proc":null,"proc":`, 1),
		strings.Replace(captured, `"netns":4026531833}`, `"netns":4026531833,"args":["x"]}`, 1),
	}
	for i, a := range lines {
		for j, b := range lines {
			t.Run(fmt.Sprintf("%d-%d", i, j), func(t *testing.T) {
				var d Decoder
				compareWith(t, &d, []byte(a))
				compareWith(t, &d, []byte(b))
			})
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	data := []byte(captured)
	for _, impl := range []struct {
		name   string
		decode func(*Event) error
	}{
		{"fast", func() func(*Event) error {
			var d Decoder
			return func(ev *Event) error { return d.Decode(data, ev) }
		}()},
		{"encoding-json", func(ev *Event) error { *ev = Event{}; return json.Unmarshal(data, ev) }},
	} {
		b.Run(impl.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			var ev Event
			for b.Loop() {
				if err := impl.decode(&ev); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/event")
		})
	}
}

// TestDecodeFreshEvent: an event cleared by its caller counts as fresh: a
// kept copy of the one before keeps its own args and FD.
func TestDecodeFreshEvent(t *testing.T) {
	var d Decoder
	var ev Event
	if err := d.Decode([]byte(captured), &ev); err != nil {
		t.Fatal(err)
	}
	kept := ev
	want := Event{Args: append(Args(nil), kept.Args...), FD: &FD{}}
	*want.FD = *kept.FD
	ev = Event{}
	other := strings.NewReplacer(`"name":"/dev/null"`, `"name":"/etc/passwd"`, `"fd":3`, `"fd":4`).Replace(captured)
	if err := d.Decode([]byte(other), &ev); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(kept.Args, want.Args) || !reflect.DeepEqual(*kept.FD, *want.FD) {
		t.Errorf("the kept event changed: args %v fd %+v", kept.Args, *kept.FD)
	}
	// A line without args or fd, then one with: the same event takes its
	// storage back, with no allocation.
	bare, full := []byte(`{"type":"close","res":0}`), []byte(captured)
	if n := testing.AllocsPerRun(50, func() {
		_ = d.Decode(bare, &ev)
		_ = d.Decode(full, &ev)
	}); n != 0 {
		t.Errorf("%v allocations per pair of lines, want 0", n)
	}
}

// TestDecodeFDList: a poll's fd list (entries with and without an open fd)
// survives a JSON round trip, as replay reads it.
func TestDecodeFDList(t *testing.T) {
	ev := Event{Type: TypePpoll, Res: 2, Args: Args{{Name: "fds", Str: "3:44 9:?40", IsStr: true}, {Name: "timeout", Int: 5}},
		FDList: []PolledFD{{Num: 3, Flags: 4, FD: &FD{Num: 3, Type: '4', Name: "127.0.0.1:40000->10.0.0.2:80", CIP: "127.0.0.1", CPort: 40000,
			SIP: "10.0.0.2", SPort: 80, L4Proto: "tcp", Connected: true}}, {Num: 9, Flags: 0x40}}}
	data, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	compare(t, data)
	var got Event
	if err := Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.FDList, ev.FDList) {
		t.Errorf("FDList %+v, want %+v", got.FDList, ev.FDList)
	}
}
