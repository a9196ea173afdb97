package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/probehub/probehub/internal/aptfixture"
	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/wire/buildresult"
)

// ddebVmlinux is a stand-in DWARF vmlinux: a real ELF object with DWARF
// (gcc -g), the linux_banner of Ubuntu's 5.6.0-1056-oem in .rodata and
// two kernel types. A real Ubuntu -dbgsym is out of reach here; Debian's
// real -dbg takes the same extraction path (TestDebianDbgPahole).
const ddebVmlinux = `struct task_struct { int pid; int tgid; };
struct task_struct init_task;
const char linux_banner[] = "Linux version 5.6.0-1056-oem (buildd@lcy01-amd64-012) (gcc version 9.3.0 (Ubuntu 9.3.0-17ubuntu1~20.04)) #60-Ubuntu SMP Tue Feb 2 13:02:19 UTC 2021\n";
`

// TestUbuntuDdebEndToEnd: a kernel without built-in BTF (Ubuntu 20.04's
// 5.6 OEM kernel) gets its BTF from the -dbgsym package of the fixture ddebs archive
// (Ubuntu's layout: usr/lib/debug/boot/vmlinux-<release> in a .ddeb)
// through pahole, after crawling the main and the ddebs archive.
func TestUbuntuDdebEndToEnd(t *testing.T) {
	gcc := testutil.RequireTool(t, "gcc")
	testutil.RequireTool(t, "pahole")
	dir := t.TempDir()
	src := filepath.Join(dir, "vmlinux.c")
	os.WriteFile(src, []byte(ddebVmlinux), 0o644)
	obj := filepath.Join(dir, "vmlinux")
	if out, err := exec.Command(gcc, "-g", "-c", "-o", obj, src).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	vmlinux, _ := os.ReadFile(obj)
	main := aptfixture.Ubuntu(t, nil)
	ddebs := main.Ddebs(t, "5.6.0-1056-oem", "5.6.0-1056.60", vmlinux)
	archive := httptest.NewServer(http.FileServer(http.Dir(main.Dir)))
	defer archive.Close()
	debug := httptest.NewServer(http.FileServer(http.Dir(ddebs.Dir)))
	defer debug.Close()

	data := t.TempDir()
	probehub(t, "--data-dir", data, "kernels", "crawl", "--keyring", main.Keyring,
		"--source", "apt:"+archive.URL+"#focal-updates", "--source", "apt:"+debug.URL+"#focal-updates")
	key := kernels.Key{Distro: "ubuntu", VersionID: "20.04", Arch: "x86_64", Release: "5.6.0-1056-oem"}
	cat, err := kernels.Load(filepath.Join(data, kernels.CatalogFile))
	if err != nil {
		t.Fatal(err)
	}
	if k, _ := cat.Get(key); k.BTF != kernels.BTFDWARF || k.Packages.Debug == nil || k.Packages.Image == nil {
		t.Fatalf("catalog entry: %+v", k)
	}
	out := filepath.Join(data, "build")
	probehub(t, "--data-dir", data, "build", "-q", "--keep-going", "--out", out, "--kernel", key.String())
	r, err := buildresult.ReadResult(out, key)
	if err != nil {
		t.Fatal(err)
	}
	if r.Error != "" || r.BTFSource != "deb" || !strings.HasPrefix(r.Banner, "Linux version 5.6.0-1056-oem ") || r.Status != "unsupported" {
		t.Fatalf("result: status %s source %s banner %q error %q reasons %v", r.Status, r.BTFSource, r.Banner, r.Error, r.Verdict.Reasons)
	}
	t.Logf("%s: %s (%s)", key, r.Status, r.Verdict.Reasons[0].Message)
}
