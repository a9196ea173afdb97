package rules

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// fakeEvent is a test event: field name → value; absent means missing.
type fakeEvent struct {
	typ    int
	fields map[string]Value
}

// fakeSource has one field per kind: t.s string, t.n int, t.b bool, t.ip,
// t.net (ipnet), t.list (multi-valued), t.any (any-of, like proc.aname),
// plus evt.type over types open=1, execve=2, connect=3.
type fakeSource struct{}

var fakeKinds = map[string]Kind{"t.s": KindString, "t.s2": KindString, "t.n": KindInt, "t.n2": KindInt, "t.b": KindBool,
	"t.ip": KindIP, "t.net": KindIPNet, "t.list": KindStrings, "t.f": KindFloat, "t.any": KindString, "evt.type": KindString, "evt.num": KindInt}

var fakeTypes = []string{"", "open", "execve", "connect"}

func (fakeSource) Name() string { return "syscall" }

func (fakeSource) Fields() []FieldInfo { return nil }

func (fakeSource) Bind(field, arg string) (Accessor, Kind, error) {
	k, ok := fakeKinds[field]
	if !ok {
		return nil, 0, fmt.Errorf("unknown field '%s'", field)
	}
	if field == "evt.type" {
		return func(ev any) (Value, bool) { return Value{Str: fakeTypes[ev.(*fakeEvent).typ]}, true }, k, nil
	}
	return func(ev any) (Value, bool) { v, ok := ev.(*fakeEvent).fields[field]; return v, ok }, k, nil
}

func (fakeSource) Type(ev any) int { return ev.(*fakeEvent).typ }

func (fakeSource) TypeNumber(name string) (int, bool) {
	for i, n := range fakeTypes {
		if n == name && i > 0 {
			return i, true
		}
	}
	return 0, false
}

func (fakeSource) NumTypes() int         { return len(fakeTypes) }
func (fakeSource) TypeName(t int) string { return fakeTypes[t] }
func (fakeSource) Time(any) time.Time    { return time.Date(2023, 5, 25, 13, 44, 5, 478445995, time.UTC) }

// ruleFile returns a rules file with one rule named r on cond, after the
// given extra items.
func ruleFile(cond string, extra ...string) string {
	return strings.Join(extra, "\n") + fmt.Sprintf(`
- rule: r
  desc: d
  condition: %q
  output: out
  priority: WARNING
`, cond)
}

func loadFake(t *testing.T, opts []Option, files ...string) (*Engine, error) {
	t.Helper()
	e, err := New(append([]Option{WithSource(fakeSource{}), WithHostname("h")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	var fs []File
	for i, f := range files {
		fs = append(fs, File{Name: fmt.Sprintf("f%d.yaml", i), Data: []byte(f)})
	}
	_, err = e.Load(fs...)
	return e, err
}

// matches reports whether the rule of a one-rule file fires on ev.
func matches(t *testing.T, file string, ev *fakeEvent) bool {
	t.Helper()
	e, err := loadFake(t, nil, file)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return len(e.Process("syscall", ev)) > 0
}

func ev(typ int, kv ...any) *fakeEvent {
	e := &fakeEvent{typ: typ, fields: map[string]Value{}}
	for i := 0; i+1 < len(kv); i += 2 {
		switch v := kv[i+1].(type) {
		case string:
			e.fields[kv[i].(string)] = Value{Str: v}
		case int:
			e.fields[kv[i].(string)] = Value{Int: int64(v)}
		case bool:
			e.fields[kv[i].(string)] = Value{Bool: v}
		case float64:
			e.fields[kv[i].(string)] = Value{Float: v}
		case []string:
			// t.ip and t.net with several values are a socket's two ends
			k := kv[i].(string)
			e.fields[k] = Value{List: v, Ends: k == "t.ip" || k == "t.net"}
		case []int64:
			e.fields[kv[i].(string)] = Value{Int: v[0], Ints: v, Ends: true}
		}
	}
	return e
}
