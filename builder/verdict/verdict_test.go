package verdict

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"
	"github.com/probehub/probehub/builder/minimize"
	"github.com/probehub/probehub/wire/buildresult"
)

const object = "../minimize/testdata/core.o"

func optionalLoop(p string) bool { return p == "core_sys_exit_loop" }

func hostSpec(t *testing.T) *btf.Spec {
	t.Helper()
	if _, err := os.Stat("/sys/kernel/btf/vmlinux"); err != nil {
		t.Skip("no /sys/kernel/btf/vmlinux")
	}
	s, err := btf.LoadSpec("/sys/kernel/btf/vmlinux")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// brokenSpec is the minimized host BTF with task_struct.pid renamed and no
// syscall functions: a relocation and a tracepoint that fail.
func brokenSpec(t *testing.T, o *minimize.Object) *btf.Spec {
	t.Helper()
	out, err := btf.LoadSpecFromReader(bytes.NewReader(brokenRaw(t, o)))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// brokenRaw is brokenSpec's raw BTF.
func brokenRaw(t *testing.T, o *minimize.Object) []byte {
	t.Helper()
	raw, err := os.ReadFile("/sys/kernel/btf/vmlinux")
	if err != nil {
		t.Fatal(err)
	}
	k, err := minimize.ParseKernel(raw)
	if err != nil {
		t.Fatal(err)
	}
	res, err := o.MinimizeRaw(k)
	if err != nil {
		t.Fatal(err)
	}
	s, err := btf.LoadSpecFromReader(bytes.NewReader(res.BTF))
	if err != nil {
		t.Fatal(err)
	}
	var task *btf.Struct
	if err := s.TypeByName("task_struct", &task); err != nil {
		t.Fatal(err)
	}
	for i := range task.Members {
		if task.Members[i].Name == "pid" {
			task.Members[i].Name = "pid_renamed"
		}
	}
	var types []btf.Type
	for typ := range s.All() {
		types = append(types, typ)
	}
	b, err := btf.NewBuilder(types[1:], nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err = b.Marshal(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestJudgeRelocationTarget: judged against a kernel's relocation target
// (minimize.RelocationTarget, names from the whole BTF through Has), the
// verdict is the one against the whole BTF, on this kernel, on the broken
// one and on old releases.
func TestJudgeRelocationTarget(t *testing.T) {
	o, err := minimize.LoadObject(object)
	if err != nil {
		t.Fatal(err)
	}
	hostSpec(t) // skips without the host BTF
	host, err := os.ReadFile("/sys/kernel/btf/vmlinux")
	if err != nil {
		t.Fatal(err)
	}
	for name, raw := range map[string][]byte{"this kernel": host, "broken": brokenRaw(t, o)} {
		whole, err := btf.LoadSpecFromReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		types, funcs := HookNames(o)
		k, err := minimize.ParseKernelLookup(raw, append(o.TypeNames(), types...), funcs)
		if err != nil {
			t.Fatal(err)
		}
		target, err := minimize.RelocationTarget(k, o)
		if err != nil {
			t.Fatal(err)
		}
		for _, release := range []string{"6.18.0", "5.10.0-28-amd64", "4.15.0-20-generic"} {
			in := Input{Object: o, Release: release, Arch: "x86_64", Optional: optionalLoop}
			in.Target = whole
			want := Judge(in)
			in.Target, in.Has = target, k.HasType
			if got := Judge(in); !reflect.DeepEqual(got, want) {
				t.Errorf("%s, %s: against the relocation target\n%+v\nagainst the whole BTF\n%+v", name, release, got, want)
			}
		}
	}
}

func TestJudge(t *testing.T) {
	o, err := minimize.LoadObject(object)
	if err != nil {
		t.Fatal(err)
	}
	full := hostSpec(t)
	broken := brokenSpec(t, o)
	for _, tc := range []struct {
		desc    string
		target  *btf.Spec
		release string
		want    buildresult.Status
		reasons []string // substrings, one per expected reason
	}{
		{"this kernel", full, "6.18.0", buildresult.Supported, nil},
		{"no BTF", nil, "6.18.0", buildresult.Unknown, []string{"no BTF source"}},
		{"5.10: optional bpf_loop program disabled", full, "5.10.0-28-amd64", buildresult.Supported,
			[]string{"older than helper bpf_loop"}},
		{"4.15: raw tracepoints and global data missing", full, "4.15.0-20-generic", buildresult.Unsupported,
			[]string{"older than global data", "older than program type RawTracepoint"}},
		{"renamed field, missing syscall", broken, "6.18.0", buildresult.Unsupported,
			[]string{"byte_off of task_struct.pid", "no btf_trace_sys_enter"}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			v := Judge(Input{Object: o, Target: tc.target, Release: tc.release, Arch: "x86_64", Optional: optionalLoop})
			if v.Status != tc.want {
				t.Errorf("status %s, want %s: %v", v.Status, tc.want, v.Reasons)
			}
			all := ""
			for _, r := range v.Reasons {
				all += r.String() + "\n"
			}
			for _, s := range tc.reasons {
				if !strings.Contains(all, s) {
					t.Errorf("no reason mentions %q; reasons:\n%s", s, all)
				}
			}
			if tc.reasons == nil && len(v.Reasons) > 0 {
				t.Errorf("unexpected reasons:\n%s", all)
			}
			t.Logf("%s:\n%s", v.Status, all)
		})
	}
}

func TestSelect(t *testing.T) {
	o, err := minimize.LoadObject(object)
	if err != nil {
		t.Fatal(err)
	}
	full := hostSpec(t)
	variants := []Variant{{Name: "ringbuf", Object: o}, {Name: "perfbuf", Object: o, Ignore: PerfBuffer}}
	i, v := Select(variants, Input{Target: full, Release: "6.1.0", Arch: "x86_64"})
	if i != 0 || v.Status != buildresult.Supported {
		t.Fatalf("Select = %d %s", i, v.Status)
	}
	i, v = Select(variants, Input{Target: full, Release: "5.10.0", Arch: "x86_64"})
	if i != -1 || v.Status != buildresult.Unsupported {
		t.Fatalf("Select on 5.4 with every program required = %d %s", i, v.Status)
	}
}

func TestGuarded(t *testing.T) {
	read := func(typ, path string) minimize.Outcome {
		return minimize.Outcome{Kind: minimize.KindFieldByteOffset, Type: typ, Path: path, Fixup: "byte_off=poison"}
	}
	exists := func(typ, path string) minimize.Outcome {
		return minimize.Outcome{Kind: minimize.KindFieldExists, Type: typ, Path: path, Fixup: "exists=1->0"}
	}
	for _, tc := range []struct {
		desc string
		r    minimize.Outcome
		outs []minimize.Outcome
		want bool
	}{
		{"same field", read("task_struct", "task_struct.loginuid"), []minimize.Outcome{exists("task_struct", "task_struct.loginuid")}, true},
		{"member of the checked field", read("task_struct", "task_struct.loginuid.val"), []minimize.Outcome{exists("task_struct", "task_struct.loginuid")}, true},
		{"sibling with a common prefix", read("task_struct", "task_struct.loginuid_x"), []minimize.Outcome{exists("task_struct", "task_struct.loginuid")}, false},
		{"unchecked field", read("task_struct", "task_struct.sessionid"), []minimize.Outcome{exists("task_struct", "task_struct.loginuid")}, false},
		{"other flavour", read("task_struct___old", "task_struct___old.state"), []minimize.Outcome{exists("task_struct", "task_struct.__state")}, true},
		{"no checks", read("task_struct", "task_struct.loginuid.val"), nil, false},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			if got := guarded(tc.r, tc.outs); got != tc.want {
				t.Errorf("guarded(%s) = %v, want %v", tc.r.Path, got, tc.want)
			}
		})
	}
}

func TestSelectVersionOnly(t *testing.T) {
	o, err := minimize.LoadObject(object)
	if err != nil {
		t.Fatal(err)
	}
	variants := []Variant{{Name: "ringbuf", Object: o}, {Name: "perfbuf", Object: o, Ignore: PerfBuffer}}
	for _, tc := range []struct {
		desc, release string
		want          buildresult.Status
		first         string // the first reason, exactly; "" skips
	}{
		{"4.15 without BTF is too old by its version", "4.15.0-20-generic", buildresult.Unsupported, "needs ≥ 5.5 (bpf_probe_read_kernel), has 4.15"},
		{"6.1 without BTF is unknown with the caller's reason", "6.1.0-18-amd64", buildresult.Unknown, "no image package"},
		{"5.6 without BTF: only the ring-buffer variant is too new, so unknown", "5.6.0-1056-oem", buildresult.Unknown, "no image package"},
		{"unparsable release without BTF", "weird", buildresult.Unknown, "no image package"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			_, v := Select(variants, Input{Release: tc.release, Arch: "x86_64", Optional: optionalLoop, NoBTF: "no image package"})
			if v.Status != tc.want || len(v.Reasons) == 0 || v.Reasons[0].Message != tc.first {
				t.Errorf("Select(%s) = %s %+v", tc.release, v.Status, v.Reasons)
			}
		})
	}
}
