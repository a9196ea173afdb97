package compat

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// TestOpenAPIResponses validates real responses of every endpoint, success
// and error answers, against openapi.json's schemas (kin-openapi), so the
// hand-written document cannot drift from what the handlers send.
func TestOpenAPIResponses(t *testing.T) {
	ctx := context.Background()
	// The page is HTML: its body is checked for its content type only.
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.FileBodyDecoder)
	defer openapi3filter.UnregisterBodyDecoder("text/html")
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openAPI)
	if err != nil {
		t.Fatalf("load openapi.json: %v", err)
	}
	if err := doc.Validate(ctx); err != nil {
		t.Fatalf("openapi.json is not a valid document: %v", err)
	}
	b := &built{done: make(chan struct{}, 4)}
	base := startServer(t, Config{Token: testToken, Build: b.build})
	doc.Servers = openapi3.Servers{{URL: base}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	auth := map[string]string{"Authorization": "Bearer " + testToken}
	key := "/v1/kernels/ubuntu%2F22.04%2Fx86_64%2F5.15.0-91-generic"
	calls := []call{
		{name: "page", method: http.MethodGet, path: "/"},
		{name: "page bad filter", method: http.MethodGet, path: "/?release=%3Cx%3E"},
		{name: "healthz", method: http.MethodGet, path: "/healthz"},
		{name: "readyz", method: http.MethodGet, path: "/readyz"},
		{name: "metrics", method: http.MethodGet, path: "/metrics"},
		{name: "openapi", method: http.MethodGet, path: "/openapi.json"},
		{name: "resolve", method: http.MethodPost, path: "/v1/resolve", body: facts("ubuntu", "22.04", "x86_64", "5.15.0-91-generic", "proc_version", jammyBanner)},
		{name: "resolve unknown kernel", method: http.MethodPost, path: "/v1/resolve", body: facts("debian", "12", "x86_64", "6.1.0-99-amd64")},
		{name: "resolve bad", method: http.MethodPost, path: "/v1/resolve", body: `{"distro":"UBUNTU"}`},
		{name: "resolve too large", method: http.MethodPost, path: "/v1/resolve", body: `{"distro":"` + strings.Repeat("a", MaxBodyBytes) + `"}`},
		{name: "kernels", method: http.MethodGet, path: "/v1/kernels"},
		{name: "kernels filtered", method: http.MethodGet, path: "/v1/kernels?distro=ubuntu&arch=x86_64"},
		{name: "kernels bad", method: http.MethodGet, path: "/v1/kernels?arch=sparc"},
		{name: "kernel", method: http.MethodGet, path: key},
		{name: "kernel missing", method: http.MethodGet, path: "/v1/kernels/ubuntu%2F22.04%2Fx86_64%2F9.9.9-1-generic"},
		{name: "kernel bad", method: http.MethodGet, path: "/v1/kernels/nope"},
		{name: "probes", method: http.MethodGet, path: "/v1/probes"},
		{name: "matrix", method: http.MethodGet, path: "/v1/matrix"},
		{name: "matrix csv", method: http.MethodGet, path: "/v1/matrix?format=csv"},
		{name: "matrix bad", method: http.MethodGet, path: "/v1/matrix?format=xml"},
		{name: "stats", method: http.MethodGet, path: "/v1/stats"},
		{name: "stats bad", method: http.MethodGet, path: "/v1/stats?distro=UBUNTU"},
		{name: "aliases", method: http.MethodGet, path: "/v1/aliases"},
		{name: "aliases filtered", method: http.MethodGet, path: "/v1/aliases?distro=ubuntu&arch=amd64"},
		{name: "aliases bad", method: http.MethodGet, path: "/v1/aliases?arch=sparc"},
		{name: "builds", method: http.MethodPost, path: "/v1/builds", body: `{"kernel":"ubuntu/22.04/x86_64/5.15.0-91-generic","probe":"v0.10.0"}`, header: auth},
		{name: "builds no token", method: http.MethodPost, path: "/v1/builds", body: `{"kernel":"ubuntu/22.04/x86_64/5.15.0-91-generic"}`},
		{name: "builds bad", method: http.MethodPost, path: "/v1/builds", body: `{"kernel":"nope"}`, header: auth},
		{name: "refresh", method: http.MethodPost, path: "/v1/catalog/refresh", header: auth},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequest(c.method, base+c.path, strings.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			if c.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			for k, v := range c.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			route, params, err := router.FindRoute(req)
			if err != nil {
				t.Fatalf("%s %s: not in openapi.json: %v", c.method, c.path, err)
			}
			in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
			out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode,
				Header: resp.Header, Body: io.NopCloser(bytes.NewReader(body)),
				Options: &openapi3filter.Options{IncludeResponseStatus: true}}
			if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
				t.Errorf("%s %s → %d: the response does not match openapi.json: %v\nbody: %.400s", c.method, c.path, resp.StatusCode, err, body)
			}
		})
	}
}
