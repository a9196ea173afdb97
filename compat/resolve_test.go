package compat

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func facts(distro, version, arch, release string, extra ...string) string {
	m := map[string]string{"distro": distro, "version_id": version, "arch": arch, "release": release}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func TestResolve(t *testing.T) {
	base := startServer(t, Config{})
	post := func(name, body string, status int, golden bool, want string) call {
		return call{name: name, method: http.MethodPost, path: "/v1/resolve", body: body, status: status, golden: golden, want: want}
	}
	ok := http.StatusOK
	bad := http.StatusBadRequest
	runCalls(t, base, []call{
		post("resolve-banner", facts("ubuntu", "22.04", "x86_64", "5.15.0-91-generic", "proc_version", jammyBanner+"\n", "uname_v", "#101-Ubuntu SMP Tue Nov 14 13:30:08 UTC 2023"), ok, true, `"matched_by":"banner"`),
		post("resolve-key-only", facts("ubuntu", "22.04", "amd64", "5.15.0-91-generic"), ok, true, `"matched_by":"key"`),
		post("resolve-banner-mismatch", facts("ubuntu", "22.04", "x86_64", "5.15.0-91-generic", "proc_version", "Linux version 5.15.0-91-generic (someone@else) #1 SMP"), ok, true, `"status":"unknown"`),
		post("resolve-banner-mismatch-own-btf", strings.TrimSuffix(facts("ubuntu", "22.04", "x86_64", "5.15.0-91-generic", "proc_version", "Linux version 5.15.0-91-generic (someone@else) #1 SMP"), "}")+`,"kernel_btf":true}`, ok, true, `"supported via the node's own BTF`),
		post("resolve-ubuntu-with-debian-banner", facts("ubuntu", "22.04", "x86_64", "6.1.0-18-cloud-amd64", "proc_version", debianBanner), ok, true, `is not in the catalog`),
		post("resolve-nvidia-no-data", facts("centos", "7", "x86_64", "3.10.0-1160.el7.x86_64", "proc_version", centosBanner, "nvidia_driver", "550.54.15"), ok, true, `no driver data for this kernel`),
		post("resolve-hwe", facts("ubuntu", "20.04", "x86_64", "5.15.0-91-generic", "proc_version", jammyBanner), ok, true, `"kernel":"ubuntu/20.04/x86_64/5.15.0-91-generic"`),
		post("resolve-not-in-catalog", facts("ubuntu", "24.04", "x86_64", "6.8.0-31-generic"), ok, true, `"status":"unknown"`),
		post("resolve-unpublished", facts("centos", "7", "x86_64", "3.10.0-1160.el7.x86_64", "proc_version", centosBanner), ok, true, `"status":"pending"`),
		post("resolve-old-probe", facts("centos", "7", "x86_64", "3.10.0-1160.el7.x86_64", "probe", "v0.2.0"), ok, true, `"btf_needed":true`),
		post("resolve-unbuilt", facts("debian", "12", "aarch64", "6.1.0-18-arm64"), ok, true, `"status":"pending"`),
		post("resolve-unsupported", facts("debian", "12", "x86_64", "6.1.0-18-cloud-amd64", "proc_version", debianBanner), ok, true, `"status":"unsupported"`),
		post("resolve-inconclusive", facts("amzn", "2", "x86_64", "4.14.336-257.566.amzn2.x86_64"), ok, true, `"status":"unknown"`),
		post("resolve-unknown-probe", facts("ubuntu", "22.04", "x86_64", "5.15.0-91-generic", "probe", "v9.9.9"), ok, true, `"status":"unknown"`),
		post("resolve-nvidia-550", facts("ubuntu", "22.04", "x86_64", "5.15.0-91-generic", "nvidia_driver", "550.54.15"), ok, true, `"supported":true`),
		post("resolve-nvidia-470", facts("ubuntu", "22.04", "x86_64", "5.15.0-91-generic", "nvidia_driver", "470.223.02"), ok, true, `"supported":false`),
		post("resolve-bad-arch", facts("ubuntu", "22.04", "riscv64", "6.8.0"), bad, true, `"field":"arch"`),
		post("resolve-bad-release", facts("ubuntu", "22.04", "x86_64", "../../etc/passwd"), bad, false, `"field":"release"`),
		post("resolve-release-too-long", facts("ubuntu", "22.04", "x86_64", strings.Repeat("5", 129)), bad, false, `"field":"release"`),
		post("resolve-missing-distro", facts("", "22.04", "x86_64", "6.8.0"), bad, false, `"field":"distro"`),
		post("resolve-bad-version", facts("ubuntu", "22 04", "x86_64", "6.8.0"), bad, false, `"field":"version_id"`),
		post("resolve-banner-other-release", facts("ubuntu", "22.04", "x86_64", "6.8.0", "proc_version", jammyBanner), bad, false, `"field":"proc_version"`),
		post("resolve-banner-control-chars", facts("ubuntu", "22.04", "x86_64", "6.8.0", "proc_version", "Linux version 6.8.0 \x1b[31m"), bad, false, `"field":"proc_version"`),
		post("resolve-uname-v-elsewhere", facts("ubuntu", "22.04", "x86_64", "5.15.0-91-generic", "proc_version", jammyBanner, "uname_v", "#7 SMP"), bad, false, `"field":"uname_v"`),
		post("resolve-bad-driver", facts("ubuntu", "22.04", "x86_64", "6.8.0", "nvidia_driver", "latest"), bad, false, `"field":"nvidia_driver"`),
		post("resolve-bad-probe", facts("ubuntu", "22.04", "x86_64", "6.8.0", "probe", "../x"), bad, false, `"field":"probe"`),
		post("resolve-unknown-field", `{"distro":"ubuntu","version_id":"22.04","arch":"x86_64","release":"6.8.0","kernel":"x"}`, bad, true, `"field":"kernel"`),
		post("resolve-wrong-type", `{"distro":7}`, bad, false, `"field":"distro"`),
		post("resolve-empty-body", ``, bad, false, `"field":"body"`),
		post("resolve-trailing-data", facts("ubuntu", "22.04", "x86_64", "6.8.0")+`{}`, bad, false, `"field":"body"`),
		post("resolve-too-large", `{"distro":"`+strings.Repeat("a", MaxBodyBytes)+`"}`, http.StatusRequestEntityTooLarge, false, `"error"`),
		{name: "resolve-get", path: "/v1/resolve", status: http.StatusMethodNotAllowed, want: `"error"`},
	})
}
