package compat

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/probehub/probehub/internal/testutil"
)

func newLoopback(tb testing.TB, s *Server) string {
	tb.Helper()
	srv := httptest.NewServer(s.Handler())
	tb.Cleanup(srv.Close)
	return srv.URL
}

func TestWritesDisabled(t *testing.T) {
	base := startServer(t, Config{})
	runCalls(t, base, []call{
		{name: "builds-disabled", method: http.MethodPost, path: "/v1/builds", body: `{"kernel":"ubuntu/22.04/x86_64/5.15.0-91-generic"}`,
			header: map[string]string{"Authorization": "Bearer anything"}, status: http.StatusForbidden, golden: true, want: "writes are disabled"},
		{name: "refresh-disabled", method: http.MethodPost, path: "/v1/catalog/refresh", status: http.StatusForbidden, want: "writes are disabled"},
	})
}

func TestWrites(t *testing.T) {
	b := &built{done: make(chan struct{}, 4)}
	base := startServer(t, Config{Token: testToken, Build: b.build})
	auth := map[string]string{"Authorization": "Bearer " + testToken}
	post := func(name, path, body string, hdr map[string]string, status int, want string) call {
		return call{name: name, method: http.MethodPost, path: path, body: body, header: hdr, status: status, want: want}
	}
	jammyBody := `{"kernel":"ubuntu/22.04/x86_64/5.15.0-91-generic","probe":"v0.10.0"}`
	runCalls(t, base, []call{
		post("builds-no-token", "/v1/builds", jammyBody, nil, http.StatusUnauthorized, "bearer token"),
		post("builds-wrong-token", "/v1/builds", jammyBody, map[string]string{"Authorization": "Bearer " + testToken + "x"}, http.StatusUnauthorized, "bearer token"),
		post("builds-basic-auth", "/v1/builds", jammyBody, map[string]string{"Authorization": "Basic " + testToken}, http.StatusUnauthorized, "bearer token"),
		post("builds-queued", "/v1/builds", jammyBody, auth, http.StatusAccepted, `"state":"queued"`),
		post("builds-not-in-catalog", "/v1/builds", `{"kernel":"ubuntu/24.04/x86_64/6.8.0-31-generic"}`, auth, http.StatusNotFound, "not in the catalog"),
		post("builds-bad-kernel", "/v1/builds", `{"kernel":"../../x/y"}`, auth, http.StatusBadRequest, `"field":"kernel"`),
		post("builds-unknown-field", "/v1/builds", `{"kernel":"a/b/x86_64/c","force":true}`, auth, http.StatusBadRequest, `"field":"force"`),
		post("refresh", "/v1/catalog/refresh", "", auth, http.StatusOK, `{"kernels":6,"probes":["v0.2.0","v0.10.0"]}`),
	})
	select {
	case <-b.done:
	case <-time.After(testutil.Patience):
		t.Fatal("the queued build did not run")
	}
	if want := "ubuntu/22.04/x86_64/5.15.0-91-generic@v0.10.0"; len(b.keys) != 1 || b.keys[0] != want {
		t.Errorf("builds = %q, want [%q]", b.keys, want)
	}
}

func TestNoBuilder(t *testing.T) {
	base := startServer(t, Config{Token: testToken})
	runCalls(t, base, []call{{name: "builds-no-builder", method: http.MethodPost, path: "/v1/builds",
		body: `{"kernel":"ubuntu/22.04/x86_64/5.15.0-91-generic"}`, header: map[string]string{"Authorization": "Bearer " + testToken},
		status: http.StatusNotImplemented, want: "no builder"}})
}

func TestMetricsToken(t *testing.T) {
	base := startServer(t, Config{MetricsToken: testToken})
	get := func(name, path string, hdr map[string]string, status int, want string) call {
		return call{name: name, method: http.MethodGet, path: path, header: hdr, status: status, want: want}
	}
	runCalls(t, base, []call{
		get("metrics-no-token", "/metrics", nil, http.StatusUnauthorized, "bearer token"),
		get("metrics-wrong-token", "/metrics", map[string]string{"Authorization": "Bearer nope"}, http.StatusUnauthorized, "bearer token"),
		get("metrics-token", "/metrics", map[string]string{"Authorization": "Bearer " + testToken}, http.StatusOK, "# HELP"),
		get("healthz-open", "/healthz", nil, http.StatusOK, "ok"),
	})
}
