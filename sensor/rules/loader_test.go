package rules

import (
	"errors"
	"strings"
	"testing"
)

// TestLoaderSemantics: how lists, macros and redefinitions combine across
// files; cite names the section of docs/rules.md each case checks.
func TestLoaderSemantics(t *testing.T) {
	open := func(kv ...any) *fakeEvent { return ev(1, kv...) }
	for _, tc := range []struct {
		desc, cite string
		files      []string
		ev         *fakeEvent
		want       bool
	}{
		{"list substituted inside ()", "§3.4 lists", []string{ruleFile("t.s in (shells, zsh)", "- list: shells\n  items: [bash, sh]")}, open("t.s", "sh"), true},
		{"list defined after the rule applies", "§3.4 no ordering requirement", []string{ruleFile("t.s in (shells)") + "- list: shells\n  items: [bash]\n"}, open("t.s", "bash"), true},
		{"empty list removes one comma", "§3.4 empty list", []string{ruleFile("t.s in (empty, a)", "- list: empty\n  items: []")}, open("t.s", "a"), true},
		{"items naming an earlier list expand", "§3.4 one level", []string{ruleFile("t.s in (b)", "- list: a\n  items: [x]\n- list: b\n  items: [a, y]")}, open("t.s", "x"), true},
		{"item with a blank is quoted", "§3.4 quoting", []string{ruleFile("t.s in (l)", "- list: l\n  items: [\"puma reactor\"]")}, open("t.s", "puma reactor"), true},
		{"rules see every macro", "§3.4 macros", []string{ruleFile("m", "- macro: m\n  condition: t.s = x")}, open("t.s", "x"), true},
		{"last list definition wins", "§3.6 redefinition", []string{ruleFile("t.s in (l)", "- list: l\n  items: [a]\n- list: l\n  items: [b]")}, open("t.s", "a"), false},
		{"later file overrides earlier", "§3.6", []string{ruleFile("m", "- macro: m\n  condition: t.s = a"), "- macro: m\n  condition: t.s = b"}, open("t.s", "b"), true},
		{"list override append", "§3.6 lists", []string{ruleFile("t.s in (l)", "- list: l\n  items: [a]"), "- list: l\n  items: [b]\n  override:\n    items: append"}, open("t.s", "b"), true},
		{"legacy list append", "§3.6 lists", []string{ruleFile("t.s in (l)", "- list: l\n  items: [a]"), "- list: l\n  items: [b]\n  append: true"}, open("t.s", "a"), true},
		{"macro append is text concatenation", "§3.6 macros", []string{ruleFile("m", "- macro: m\n  condition: t.s = a"), "- macro: m\n  condition: or t.s = b\n  override:\n    condition: append"}, open("t.s", "b"), true},
		{"rule condition append", "§3.6 rules", []string{ruleFile("t.s = a"), "- rule: r\n  condition: and t.n = 1\n  override:\n    condition: append"}, open("t.s", "a", "t.n", 2), false},
		{"rule condition replace", "§3.6 rules", []string{ruleFile("t.s = a"), "- rule: r\n  condition: t.s = b\n  override:\n    condition: replace"}, open("t.s", "b"), true},
		{"enabled-only item disables", "§2 enabled-only", []string{ruleFile("t.s = a"), "- rule: r\n  enabled: false"}, open("t.s", "a"), false},
		{"override enabled replace", "§3.6 rules", []string{ruleFile("t.s = a"), "- rule: r\n  enabled: false\n  override:\n    enabled: replace"}, open("t.s", "a"), false},
		{"exception tuple with implicit = comps", "§3.5", []string{ruleFile("t.s startswith /") + "  exceptions:\n  - name: e\n    fields: [t.s, t.n]\n    values:\n    - [/ok, 1]\n"}, open("t.s", "/ok", "t.n", 1), false},
		{"exception tuple: other values still match", "§3.5", []string{ruleFile("t.s startswith /") + "  exceptions:\n  - name: e\n    fields: [t.s, t.n]\n    values:\n    - [/ok, 1]\n"}, open("t.s", "/ok", "t.n", 2), true},
		{"exception single field: implicit in", "§3.5", []string{ruleFile("t.s startswith /") + "  exceptions:\n  - name: e\n    fields: t.s\n    values: [/a, /b]\n"}, open("t.s", "/b"), false},
		{"exception with list value and pmatch", "§3.5", []string{ruleFile("t.s startswith /") + "  exceptions:\n  - name: e\n    fields: [t.s]\n    comps: [pmatch]\n    values:\n    - [[/opt, /srv]]\n"}, open("t.s", "/srv/x"), false},
		{"exception without values is skipped", "§3.5", []string{ruleFile("t.s startswith /") + "  exceptions:\n  - name: e\n    fields: [t.s]\n"}, open("t.s", "/x"), true},
		{"exception values appended by override", "§3.5 appending", []string{ruleFile("t.s startswith /") + "  exceptions:\n  - name: e\n    fields: [t.s]\n",
			"- rule: r\n  exceptions:\n  - name: e\n    values:\n    - [/x]\n  override:\n    exceptions: append"}, open("t.s", "/x"), false},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			e, err := loadFake(t, nil, tc.files...)
			if err != nil {
				t.Fatalf("%s: load: %v", tc.cite, err)
			}
			if got := len(e.Process("syscall", tc.ev)) > 0; got != tc.want {
				t.Errorf("%s (%s): got %v, want %v", tc.desc, tc.cite, got, tc.want)
			}
		})
	}
}

// TestLoadErrors: every error names file:line:col (docs/rules.md §7 checklist).
func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		desc, file, want string
	}{
		{"unknown field", ruleFile("t.s = a and t.nope = 1"), "f0.yaml:4:27: unknown field 't.nope'"},
		{"macro sees only earlier macros", "- macro: a\n  condition: b\n- macro: b\n  condition: t.s = x\n" + ruleFile("a"), "f0.yaml:2:14: undefined macro 'b'"},
		{"undefined macro", ruleFile("nope"), "f0.yaml:4:15: undefined macro 'nope'"},
		{"syntax", ruleFile("t.s = a and"), "f0.yaml:4:23:"},
		{"and needs a blank or (", ruleFile("t.s = a andt.s = b"), "unexpected token"},
		{"op type check", ruleFile("t.n contains 1"), "operator 'contains' is not supported"},
		{"op type check on a double", ruleFile("t.f startswith 1"), "operator 'startswith' is not supported"},
		{"double with a word", ruleFile("t.f > many"), "'many' is not a valid number"},
		{"bad number", ruleFile("t.n = abc"), "not a valid number"},
		{"bad regex", ruleFile("t.s regex 'a('"), "invalid regex"},
		{"yaml", "- rule: [", "f0.yaml:1:"},
		{"not a sequence", "rule: x", "rules content is not yaml array"},
		{"missing key", "- rule: r\n  condition: t.s = a\n", "item has no mapping for key 'output'"},
		{"append to an undefined rule", "- rule: r\n  condition: x\n  append: true", "no rule by that name already exists"},
		{"override key not present", ruleFile("t.s = a") + "- rule: r\n  override:\n    output: append\n", "does not define it"},
		{"overridable key not listed", ruleFile("t.s = a") + "- rule: r\n  condition: x\n  output: y\n  override:\n    condition: append\n", "unexpected key 'output'"},
		{"append and override together", ruleFile("t.s = a") + "- rule: r\n  condition: x\n  append: true\n  override:\n    condition: append\n", "cannot be used together"},
		{"engine version too new", "- required_engine_version: 0.99.0\n", "rules require engine version 0.99.0"},
		{"priority", "- rule: r\n  desc: d\n  condition: t.s = a\n  output: o\n  priority: loud\n", "invalid priority"},
		{"redefined with another source", ruleFile("t.s = a") + "- rule: r\n  desc: d\n  condition: t.s = a\n  output: o\n  priority: INFO\n  source: k8s_audit\n", "redefined with source"},
		{"max depth", ruleFile(strings.Repeat("(", 2000) + "t.s = a" + strings.Repeat(")", 2000)), "exceeded max depth"},
		{"trailing % in output", "- rule: r\n  desc: d\n  condition: t.s = a\n  output: 'x %'\n  priority: INFO\n", "trailing '%'"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			_, err := loadFake(t, nil, tc.file)
			var le *LoadError
			if !errors.As(err, &le) || !errors.Is(err, ErrLoad) {
				t.Fatalf("got %v, want a *LoadError", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got\n%v\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

func TestEngineVersionForms(t *testing.T) {
	for _, v := range []string{"15", "0.57.0", "0.63.0"} {
		if _, err := loadFake(t, nil, "- required_engine_version: "+v+"\n"+ruleFile("t.s = a")); err != nil {
			t.Errorf("%s: %v", v, err)
		}
	}
}

func TestUnknownKeyWarning(t *testing.T) {
	e, _ := New(WithSource(fakeSource{}))
	rep, err := e.Load(File{Name: "f", Data: []byte(ruleFile("t.s = a") + "  colour: red\n")})
	if err != nil || len(rep.Warnings) == 0 || rep.Warnings[0].Code != "unknown-key" || rep.Warnings[0].Pos.Line != 7 {
		t.Fatalf("got %v %+v", err, rep.Warnings)
	}
}

// TestEventTypes mirrors ppm_codes.cpp (docs/rules.md §3.9).
func TestEventTypes(t *testing.T) {
	for _, tc := range []struct {
		cond string
		want string
	}{
		{"evt.type = open", "open"},
		{"evt.type in (open, execve) and t.s = a", "open,execve"},
		{"evt.type = open or evt.type = connect", "open,connect"},
		{"not evt.type = open", "execve,connect"},
		{"evt.type != open and t.s = a", "execve,connect"},
		{"not (evt.type = open and t.s = a)", ""}, // full set
		{"t.s = a", ""},
		{"not t.s = a", ""},
		{"evt.num = 0", "-"},
	} {
		e, err := loadFake(t, nil, ruleFile(tc.cond))
		if err != nil {
			t.Fatal(err)
		}
		r := e.Rules()[0]
		got := strings.Join(r.EventTypes, ",")
		if r.types != nil && len(r.types.members()) == 0 {
			got = "-"
		}
		if got != tc.want {
			t.Errorf("%q: types %q, want %q", tc.cond, got, tc.want)
		}
	}
}

// TestFirstAndAllMatches mirrors rule_matching first/all (docs/rules.md §3.8).
func TestFirstAndAllMatches(t *testing.T) {
	f := ruleFile("t.s = a") + strings.Replace(ruleFile("evt.type = open"), "rule: r", "rule: r2", 1)
	for _, tc := range []struct {
		opts []Option
		want int
	}{{nil, 1}, {[]Option{WithAllMatches()}, 2}} {
		e, err := loadFake(t, tc.opts, f)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.Process("syscall", ev(1, "t.s", "a")); len(got) != tc.want || got[0].Name != "r" {
			t.Errorf("got %d matches (first %v), want %d", len(got), got, tc.want)
		}
	}
}
