package compat

import (
	"net/http"
	"testing"
)

func TestKernels(t *testing.T) {
	base := startServer(t, Config{})
	ok, bad := http.StatusOK, http.StatusBadRequest
	get := func(name, path string, status int, golden bool, want string) call {
		return call{name: name, path: path, status: status, golden: golden, want: want}
	}
	runCalls(t, base, []call{
		get("kernels-all", "/v1/kernels", ok, true, `"kernels"`),
		get("kernels-distro", "/v1/kernels?distro=ubuntu&version=22.04", ok, true, `5.15.0-91-generic`),
		get("kernels-release-prefix", "/v1/kernels?release=6.1.0-18", ok, true, `6.1.0-18-arm64`),
		get("kernels-arch-alias", "/v1/kernels?arch=arm64", ok, true, `aarch64`),
		get("kernels-flavour", "/v1/kernels?flavour=cloud-amd64", ok, true, `cloud-amd64`),
		get("kernels-nvidia", "/v1/kernels?nvidia=550", ok, true, `R550`),
		get("kernels-nvidia-any", "/v1/kernels?nvidia=any", ok, false, `"key":"ubuntu/20.04/x86_64/5.15.0-91-generic"`),
		get("stats", "/v1/stats", ok, true, `"groups"`),
		get("stats-old-probe", "/v1/stats?probe=v0.2.0", ok, false, `"probe":"v0.2.0"`),
		get("stats-bad-probe", "/v1/stats?probe=v9", http.StatusBadRequest, false, `"field":"probe"`),
		get("kernels-verdict", "/v1/kernels?verdict=pending", ok, true, `centos`),
		get("kernels-verdict-old-probe", "/v1/kernels?verdict=supported&probe=v0.2.0", ok, true, `centos`),
		get("kernels-page-1", "/v1/kernels?limit=2", ok, true, `"next_cursor":"azE6Y2VudG9zLzcveDg2XzY0LzMuMTAuMC0xMTYwLmVsNy54ODZfNjQ"`),
		get("kernels-page-2", "/v1/kernels?limit=2&cursor=azE6Y2VudG9zLzcveDg2XzY0LzMuMTAuMC0xMTYwLmVsNy54ODZfNjQ", ok, true, `debian`),
		get("kernels-bad-cursor", "/v1/kernels?cursor=Li4vLi4v", bad, true, `"field":"cursor"`),
		get("kernels-bad-limit", "/v1/kernels?limit=5000", bad, false, `"field":"limit"`),
		get("kernels-unknown-param", "/v1/kernels?distr=ubuntu", bad, false, `"field":"distr"`),
		get("kernels-repeated-param", "/v1/kernels?distro=a&distro=b", bad, false, `"field":"distro"`),
		get("kernels-bad-verdict", "/v1/kernels?verdict=great", bad, false, `"field":"verdict"`),
		get("kernels-unknown-probe", "/v1/kernels?verdict=supported&probe=v7", bad, false, `"field":"probe"`),
		get("kernels-bad-release", "/v1/kernels?release=%3Cscript%3E", bad, false, `"field":"release"`),
		get("kernel-one", "/v1/kernels/ubuntu%2F22.04%2Fx86_64%2F5.15.0-91-generic", ok, true, `"evidence"`),
		get("kernel-arch-alias", "/v1/kernels/debian%2F12%2Farm64%2F6.1.0-18-arm64", ok, false, `"arch":"aarch64"`),
		get("kernel-missing", "/v1/kernels/ubuntu%2F22.04%2Fx86_64%2F9.9.9", http.StatusNotFound, true, `not in the catalog`),
		get("kernel-traversal", "/v1/kernels/..%2F..%2Fetc%2Fpasswd", bad, false, `"field":"key"`),
		get("kernel-dotdot-release", "/v1/kernels/ubuntu%2F22.04%2Fx86_64%2F..", bad, false, `"field":"key"`),
		get("kernel-unescaped-slashes", "/v1/kernels/ubuntu/22.04/x86_64/5.15.0-91-generic", ok, false, `"key":"ubuntu/22.04/x86_64/5.15.0-91-generic"`),
		get("kernel-raw-traversal", "/v1/kernels/ubuntu/../../../etc/passwd", bad, false, `"field":"key"`),
		get("probes", "/v1/probes", ok, true, `"v0.10.0"`),
		get("probes-param", "/v1/probes?x=1", bad, false, `"field":"query"`),
		get("matrix", "/v1/matrix", ok, true, `"rows"`),
		get("matrix-filtered", "/v1/matrix?distro=debian", ok, true, `debian`),
		get("matrix-csv", "/v1/matrix?format=csv&distro=ubuntu", ok, false,
			"kernel,release,v0.2.0,v0.10.0\nubuntu/20.04/x86_64/5.15.0-91-generic,5.15.0-91-generic,pending,supported\nubuntu/22.04/x86_64/5.15.0-91-generic,5.15.0-91-generic,supported,supported\n"),
		{name: "matrix-accept-csv", path: "/v1/matrix?release=3.10", header: map[string]string{"Accept": "text/csv"}, status: ok,
			want: "centos/7/x86_64/3.10.0-1160.el7.x86_64,3.10.0-1160.el7.x86_64,supported,pending\n"},
		get("matrix-bad-format", "/v1/matrix?format=xml", bad, false, `"field":"format"`),
		get("not-found", "/v2/nothing", http.StatusNotFound, true, `"error"`),
	})
}

func TestOperational(t *testing.T) {
	base := startServer(t, Config{})
	ok := http.StatusOK
	runCalls(t, base, []call{
		{name: "healthz", path: "/healthz", status: ok, want: "ok"},
		{name: "readyz", path: "/readyz", status: ok, want: "ok"},
		{name: "openapi", path: "/openapi.json", status: ok, want: `"openapi": "3.1.0"`},
		{name: "warm-up", path: "/v1/kernels/x", status: http.StatusBadRequest},
		{name: "metrics", path: "/metrics", status: ok, want: `probehub_http_requests_total{code="400",method="GET",route="/v1/kernels/:key"} 1`},
	})
}

func TestNotReady(t *testing.T) {
	s := New(Config{})
	srv := newLoopback(t, s)
	runCalls(t, srv, []call{
		{name: "readyz", path: "/readyz", status: http.StatusServiceUnavailable, want: "not loaded"},
		{name: "resolve-empty", method: http.MethodPost, path: "/v1/resolve", body: facts("ubuntu", "22.04", "x86_64", "6.8.0"), status: http.StatusOK, want: `"status":"unknown"`},
		{name: "kernels-empty", path: "/v1/kernels", status: http.StatusOK, want: `{"kernels":[]}`},
		{name: "probes-empty", path: "/v1/probes", status: http.StatusOK, want: `{"probes":[]}`},
		{name: "matrix-empty", path: "/v1/matrix", status: http.StatusOK, want: `{"probes":[],"rows":[]}`},
	})
}
