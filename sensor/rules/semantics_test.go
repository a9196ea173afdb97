package rules

import "testing"

// TestSemantics checks one rule of Falco's condition semantics per case;
// cite names the section of docs/rules.md (and the libsinsp
// source it summarises) that the case mirrors.
func TestSemantics(t *testing.T) {
	open := func(kv ...any) *fakeEvent { return ev(1, kv...) }
	for _, tc := range []struct {
		desc, cite, cond string
		ev               *fakeEvent
		want             bool
	}{
		{"missing field: = is false", "§3.3 general (filter_compare.cpp: compare() false without a value)", "t.s = x", open(), false},
		{"missing field: != is false too", "§3.3 general", "t.s != x", open(), false},
		{"missing field: not (=) is true", "§3.3 general", "not t.s = x", open(), true},
		{"exists is extraction success", "§3.3 exists", "t.s exists", open("t.s", ""), true},
		{"exists on missing", "§3.3 exists", "t.s exists", open(), false},
		{"= is case-sensitive strcmp", "§3.3 =", "t.s = Bash", open("t.s", "bash"), false},
		{"glob '*' crosses '/' (fnmatch without FNM_PATHNAME)", "§3.3 glob", "t.s glob '/home/*/.ssh/*'", open("t.s", "/home/a/b/.ssh/id"), true},
		{"glob matches the whole value", "§3.3 glob", "t.s glob '*.ssh'", open("t.s", "/x/.ssh/y"), false},
		{"glob bracket and ?", "§3.3 glob", "t.s glob '/dev/sd[a-c]?'", open("t.s", "/dev/sdb1"), true},
		{"iglob folds case", "§3.3 iglob (FNM_CASEFOLD)", "t.s iglob '*.EXE'", open("t.s", "a.exe"), true},
		{"pmatch: path at the prefix", "§3.3 pmatch", "t.s pmatch (/var/run)", open("t.s", "/var/run"), true},
		{"pmatch: path below the prefix", "§3.3 pmatch", "t.s pmatch (/var/run)", open("t.s", "/var/run/x"), true},
		{"pmatch: not a component prefix", "§3.3 pmatch", "t.s pmatch (/var/run)", open("t.s", "/var/running"), false},
		{"pmatch: wildcard within a component", "§3.3 pmatch", "t.s pmatch (/opt/*)", open("t.s", "/opt/dir/subdir"), true},
		{"pmatch: empty components ignored", "§3.3 pmatch", "t.s pmatch (/etc)", open("t.s", "//etc//x"), true},
		{"in: scalar in set", "§3.3 in", "t.s in (a, b, c)", open("t.s", "b"), true},
		{"double: > compares as a number", "§4 DOUBLE (proc.fdusage)", "t.f > 80", open("t.f", 80.5), true},
		{"double: = a fraction", "§4 DOUBLE", "t.f = 12.5", open("t.f", 12.5), true},
		{"double: <= false", "§4 DOUBLE", "t.f <= 12", open("t.f", 12.5), false},
		{"double: in", "§4 DOUBLE", "t.f in (1, 12.5)", open("t.f", 12.5), true},
		{"double: missing is false", "§4 DOUBLE", "t.f < 100", open(), false},
		{"in: list field needs every value", "§3.3 in (list field)", "t.list in (a, b)", open("t.list", []string{"a", "c"}), false},
		{"in: list field, all in set", "§3.3 in (list field)", "t.list in (a, b)", open("t.list", []string{"a", "b"}), true},
		{"in: empty extraction does not match", "§3.3 in (list field)", "t.list in (a, b)", open("t.list", []string{}), false},
		{"intersects: any value", "§3.3 intersects", "t.list intersects (a, b)", open("t.list", []string{"x", "b"}), true},
		{"intersects: none", "§3.3 intersects", "t.list intersects (a, b)", open("t.list", []string{"x"}), false},
		{"regex is anchored (full match)", "§3.3 regex", "t.s regex 'ba.h'", open("t.s", "/bin/bash"), false},
		{"regex full match", "§3.3 regex", "t.s regex '.*/ba.h'", open("t.s", "/bin/bash"), true},
		{"contains", "§3.3 contains (strstr)", "t.s contains needle", open("t.s", "haystack needle hay"), true},
		{"icontains", "§3.3 icontains (strcasestr)", "t.s icontains NEEDLE", open("t.s", "a NeEdLe"), true},
		{"startswith", "§3.3 startswith", "t.s startswith /etc/", open("t.s", "/etc/passwd"), true},
		{"endswith", "§3.3 endswith", "t.s endswith .so", open("t.s", "/lib/x.so"), true},
		{"bcontains takes hex", "§3.3 bcontains", "t.s bcontains cafebabe", open("t.s", "x\xca\xfe\xba\xbey"), true},
		{"bstartswith takes hex", "§3.3 bstartswith", "t.s bstartswith 7f454c46", open("t.s", "\x7fELF..."), true},
		{"numbers compare numerically", "§3.1 numbers converted to the field type", "t.n >= 10", open("t.n", 9), false},
		{"numbers: hex", "§3.1 HexNumber", "t.n = 0x10", open("t.n", 16), true},
		{"numbers on a string field compare as strings", "§3.1 (fd.typechar = 4)", "t.s = 4", open("t.s", "4"), true},
		{"bool", "§3.3 bool fields", "t.b = true", open("t.b", true), true},
		{"ipnet: = is inside the CIDR", "§3.3 = (ipnet)", "t.net = 10.0.0.0/8", open("t.net", "10.1.2.3"), true},
		{"ipnet: != outside", "§3.3 = (ipnet)", `t.net != "127.0.0.0/8"`, open("t.net", "127.0.0.1"), false},
		{"ipnet: in any CIDR", "§3.3 in (ipnet)", "t.net in (192.168.0.0/16, 172.16.0.0/12)", open("t.net", "172.20.0.1"), true},
		{"ip: = compares addresses", "§3.3 = (IPv4/IPv6 exactly)", "t.ip = 10.0.0.1", open("t.ip", "10.0.0.1"), true},
		{"either-end ip (fd.ip): = matches one end", "§3.3 fd.ip (compare_ip)", "t.ip = 10.0.0.5", open("t.ip", []string{"10.0.0.5", "93.184.216.34"}), true},
		{"either-end ip (fd.ip): != needs both ends to differ", "§3.3 fd.ip (compare_ip)", `t.ip != "0.0.0.0"`, open("t.ip", []string{"10.0.0.5", "0.0.0.0"}), false},
		{"either-end ip (fd.ip): != with both ends other", "§3.3 fd.ip (compare_ip)", `t.ip != "0.0.0.0"`, open("t.ip", []string{"10.0.0.5", "93.184.216.34"}), true},
		{"either-end net (fd.net): != needs both ends outside", "§3.3 fd.net (compare_net)", `t.net != "127.0.0.0/8"`, open("t.net", []string{"127.0.0.1", "10.0.0.1"}), false},
		{"either-end net (fd.net): = one end inside", "§3.3 fd.net (compare_net)", `t.net = "127.0.0.0/8"`, open("t.net", []string{"127.0.0.1", "10.0.0.1"}), true},
		{"either-end port (fd.port): != needs both ends to differ", "§3.3 fd.port (compare_port)", "t.n != 443", open("t.n", []int64{51234, 443}), false},
		{"either-end port (fd.port): = one end", "§3.3 fd.port (compare_port)", "t.n = 443", open("t.n", []int64{51234, 443}), true},
		{"any-of field (proc.aname): != one value differs", "§3.3 proc.aname without index", "t.any != sshd", open("t.any", []string{"bash", "sshd"}), true},
		{"any-of field (proc.aname) matches one value", "§3.3 proc.aname without index", "t.any = sshd", open("t.any", []string{"bash", "sshd", "systemd"}), true},
		{"any-of field with in", "§3.3 proc.aname without index", "t.any in (cron, sshd)", open("t.any", []string{"bash", "sshd"}), true},
		{"oneof: exactly one", "§3.3 modifiers", "t.s startswith oneof (/a, /a/b)", open("t.s", "/a/b/c"), false},
		{"anyof: at least one", "§3.3 modifiers", "t.s startswith anyof (/x, /a)", open("t.s", "/a/b"), true},
		{"allof: every value", "§3.3 modifiers", "t.s contains allof (a, b)", open("t.s", "ab"), true},
		{"val(): field against field", "§3.3 field RHS", "t.s = val(t.s2)", open("t.s", "x", "t.s2", "x"), true},
		{"val(): missing RHS is false", "§3.3 general", "t.s = val(t.s2)", open("t.s", "x"), false},
		{"tolower transformer", "§3.1 FieldTransformer", "tolower(t.s) = bash", open("t.s", "BaSh"), true},
		{"toupper against tolower", "§3.3 field RHS", "toupper(t.s) = toupper(t.s2)", open("t.s", "ab", "t.s2", "AB"), true},
		{"b64 decodes", "§3.1 FieldTransformer", "b64(t.s) = hello", open("t.s", "aGVsbG8="), true},
		{"basename", "§3.1 FieldTransformer", "basename(t.s) = bash", open("t.s", "/bin/bash"), true},
		{"len", "§3.1 FieldTransformer", "len(t.s) > 3", open("t.s", "abcd"), true},
		{"concat", "§3.1 FieldTransformer", "concat(t.s, t.s2) = ab", open("t.s", "a", "t.s2", "b"), true},
		{"quoted escapes", "§3.1 QuotedStr", `t.s = "a\"b\tc\x41"`, open("t.s", "a\"b\tcA"), true},
		{"single quotes", "§3.1 QuotedStr", `t.s = 'it\'s'`, open("t.s", "it's"), true},
		{"'not' toggles per occurrence", "§3.1 NotExpr", "not not t.s = x", open("t.s", "x"), true},
		{"not( without blank", "§3.1 NotExpr", "not(t.s = x)", open("t.s", "y"), true},
		{"in( without blank", "§3.1 ListOp", "t.s in(a,b)", open("t.s", "a"), true},
		{"and binds tighter than or", "§3.1 grammar", "t.s = a or t.s = b and t.n = 1", open("t.s", "a", "t.n", 2), true},
		{"empty list is legal", "§3.1 list literals", "t.s in ()", open("t.s", "a"), false},
		{"evt.type compares by name", "§3.3 evt.type", "evt.type = open", open(), true},
		{"evt.type != other", "§3.3 evt.type", "evt.type != execve", open(), true},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			if got := matches(t, ruleFile(tc.cond), tc.ev); got != tc.want {
				t.Errorf("%s (%s): %q = %v, want %v", tc.desc, tc.cite, tc.cond, got, tc.want)
			}
		})
	}
}
