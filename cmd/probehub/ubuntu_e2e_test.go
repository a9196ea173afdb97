package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/probehub/probehub/builder/extract"
	"github.com/probehub/probehub/compat"
	"github.com/probehub/probehub/compat/api"
	"github.com/probehub/probehub/internal/aptfixture"
	"github.com/probehub/probehub/internal/debcache"
	"github.com/probehub/probehub/kernels"
)

// probehub runs the command in-process with args; it fails the test on an
// error unless wantErr.
func probehub(t *testing.T, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	cmd := newRootCmd()
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("probehub %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// TestUbuntuFixtureEndToEnd runs crawl → build → publish → resolve over the
// fixture Ubuntu archive (internal/aptfixture: real format, signed by a key
// made for the test), whose one downloadable kernel is a real Debian cloud
// kernel repackaged with Ubuntu's names and layout: in jammy-updates as
// linux-image-unsigned-<release> beside a larger signed linux-image, in
// noble-updates with the image in linux-modules-<release>.
func TestUbuntuFixtureEndToEnd(t *testing.T) {
	fx, srv, release, _ := realKernelArchive(t)

	data := t.TempDir()
	probehub(t, "--data-dir", data, "kernels", "crawl", "--keyring", fx.Keyring, "--arch", "amd64,arm64",
		"--source", "apt:"+srv.URL+"#bionic,jammy,jammy-updates,jammy-security,noble,noble-updates")
	jammy := kernels.Key{Distro: "ubuntu", VersionID: "22.04", Arch: "x86_64", Release: release}
	noble := kernels.Key{Distro: "ubuntu", VersionID: "24.04", Arch: "x86_64", Release: release}
	bionic := kernels.Key{Distro: "ubuntu", VersionID: "18.04", Arch: "x86_64", Release: "4.15.0-20-generic"}
	checkAliasesCLI(t, data)
	out := filepath.Join(data, "build")
	probehub(t, "--data-dir", data, "build", "-q", "--out", out, "--kernel", jammy.String(), "--kernel", noble.String(), "--kernel", bionic.String())

	cat, err := kernels.Load(filepath.Join(data, kernels.CatalogFile))
	if err != nil {
		t.Fatal(err)
	}
	k, _ := cat.Get(jammy)
	if !strings.HasPrefix(k.Banner, "Linux version "+release+" ") || k.Packages.Image.Name != "linux-image-unsigned-"+release {
		t.Fatalf("catalog entry after build: banner %q image %+v", k.Banner, k.Packages.Image)
	}
	probehub(t, "--data-dir", data, "publish", "--gen-key", filepath.Join(data, "cosign"))
	probehub(t, "--data-dir", data, "publish", out, "--to", "layout:"+filepath.Join(data, "oci"), "--sign-key", filepath.Join(data, "cosign.key"))

	var st api.Stats
	if err := json.Unmarshal([]byte(probehub(t, "--data-dir", data, "kernels", "stats", "--build-dir", out, "--json")), &st); err != nil {
		t.Fatal(err)
	}
	if st.Kernels != cat.Len() || st.ByStatus[api.Supported] != 2 || st.ByStatus[api.Unsupported] != 1 || len(st.Groups) < 6 {
		t.Errorf("stats: %+v", st)
	}

	src, err := serveSources(&globalFlags{dataDir: data}, &serveFlags{buildDir: out})
	if err != nil {
		t.Fatal(err)
	}
	s := compat.New(compat.Config{Sources: src})
	if err := s.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(s.Handler())
	defer api.Close()
	checkAliasesAPI(t, api.URL)
	node := strings.Replace(k.Banner, ") # SMP", ") #1 SMP", 1) // /proc/version has the build number
	for _, tc := range []struct {
		desc   string
		facts  map[string]any
		status string
		want   string // in the answer
	}{
		{"jammy node with this kernel", map[string]any{"distro": "ubuntu", "version_id": "22.04", "arch": "x86_64", "release": release, "proc_version": node}, "supported", `"artifact"`},
		{"noble: image from linux-modules", map[string]any{"distro": "ubuntu", "version_id": "24.04", "arch": "x86_64", "release": release, "proc_version": node}, "supported", `"artifact"`},
		{"bionic 4.15: too old by its version", map[string]any{"distro": "ubuntu", "version_id": "18.04", "arch": "x86_64", "release": "4.15.0-20-generic"}, "unsupported", "needs ≥ 5.5 (bpf_probe_read_kernel), has 4.15"},
		{"another build of the release", map[string]any{"distro": "ubuntu", "version_id": "22.04", "arch": "x86_64", "release": release, "proc_version": "Linux version " + release + " (someone@else) #2 SMP"}, "unknown", "another build"},
		{"a Debian banner on a Debian node is not the Ubuntu entry", map[string]any{"distro": "debian", "version_id": "12", "arch": "x86_64", "release": release, "proc_version": node}, "unknown", "is not in the catalog"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			a, raw := resolve(t, api.URL, tc.facts)
			if string(a.Status) != tc.status || !strings.Contains(raw, tc.want) {
				t.Errorf("answer %s, want %s with %q", raw, tc.status, tc.want)
			}
		})
	}
}

func resolve(t *testing.T, base string, facts map[string]any) (api.Answer, string) {
	t.Helper()
	body, _ := json.Marshal(facts)
	resp, err := http.Post(base+"/v1/resolve", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	var a api.Answer
	if err := json.Unmarshal(buf.Bytes(), &a); err != nil {
		t.Fatalf("%s: %v", buf.String(), err)
	}
	return a, buf.String()
}

// checkAliasesCLI checks `kernels aliases` over the crawled fixture: the
// HWE meta-package names the kernel it installs, which the crawl recorded.
func checkAliasesCLI(t *testing.T, data string) {
	t.Helper()
	var rows []aliasRow
	if err := json.Unmarshal([]byte(probehub(t, "--data-dir", data, "kernels", "aliases", "--distro", "ubuntu", "--version", "22.04", "--json")), &rows); err != nil {
		t.Fatal(err)
	}
	var hwe *aliasRow
	for i := range rows {
		if rows[i].Kernel.VersionID != "22.04" {
			t.Errorf("--version 22.04 listed %+v", rows[i])
		}
		if rows[i].Name == "linux-image-generic-hwe-22.04" {
			hwe = &rows[i]
		}
	}
	if hwe == nil || hwe.Kernel.Release != "6.5.0-14-generic" || !hwe.InCatalog || hwe.Version != "6.5.0.14.14~22.04.7" {
		t.Fatalf("kernels aliases --json: hwe-22.04 row %+v in %+v", hwe, rows)
	}
	text := probehub(t, "--data-dir", data, "kernels", "aliases")
	if !strings.Contains(text, "META-PACKAGE") || !regexp.MustCompile(`ubuntu/22\.04/x86_64 +linux-image-generic-hwe-22\.04 +6\.5\.0\.14\.14~22\.04\.7 +6\.5\.0-14-generic +yes`).MatchString(text) {
		t.Errorf("kernels aliases:\n%s", text)
	}
}

// checkAliasesAPI checks GET /v1/aliases over the same catalog.
func checkAliasesAPI(t *testing.T, base string) {
	t.Helper()
	resp, err := http.Get(base + "/v1/aliases?name=linux-image-generic-hwe-22.04")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var l api.AliasList
	if err := json.NewDecoder(resp.Body).Decode(&l); err != nil {
		t.Fatal(err)
	}
	if len(l.Aliases) != 1 || l.Aliases[0].Kernel != "ubuntu/22.04/x86_64/6.5.0-14-generic" || l.Aliases[0].Status != api.Pending {
		t.Errorf("GET /v1/aliases?name=linux-image-generic-hwe-22.04: %+v, want the 6.5.0-14-generic kernel, pending (not built)", l.Aliases)
	}
}

// realKernelArchive serves the fixture Ubuntu archive (internal/aptfixture:
// real format, signed by a key made for the test) whose one downloadable
// kernel is the newest real Debian 6.1 cloud kernel, repackaged with
// Ubuntu's names. It returns the archive, its server (closed at the test's
// end), and the kernel's release and package version.
func realKernelArchive(t *testing.T) (fx *aptfixture.Mirror, srv *httptest.Server, release, version string) {
	t.Helper()
	ctx := context.Background()
	deb := debcache.Fetch(t, ctx, debcache.Newest(t, ctx, false, `linux-image-6\.1\.0-\d+-cloud-amd64-unsigned`))
	fh, err := os.Open(deb)
	if err != nil {
		t.Fatal(err)
	}
	name, vmlinuz, err := extract.DebKernel(ctx, fh)
	fh.Close()
	if err != nil {
		t.Fatal(err)
	}
	release = strings.TrimPrefix(path.Base(name), "vmlinuz-")
	version = strings.Split(filepath.Base(deb), "_")[1]
	fx = aptfixture.Ubuntu(t, &aptfixture.Real{Release: release, Version: version, Vmlinuz: vmlinuz})
	srv = httptest.NewServer(http.FileServer(http.Dir(fx.Dir)))
	t.Cleanup(srv.Close)
	return fx, srv, release, version
}
