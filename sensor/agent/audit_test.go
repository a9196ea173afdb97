package agent

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/audit"
	"github.com/probehub/probehub/sensor/output"
	"github.com/probehub/probehub/sensor/rules/k8saudit"
)

const auditHead = `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","stage":"ResponseComplete",
"sourceIPs":["10.0.0.8"],"userAgent":"kubectl/v1.30.0","requestReceivedTimestamp":"2026-11-24T10:00:00.000000Z",
"stageTimestamp":"2026-11-24T10:00:00.100000Z",`

// TestAuditWebhookEndToEnd posts real-shaped audit events to the sensor's
// /k8s-audit endpoint (Falco's k8saudit plugin protocol) with the upstream
// k8s_audit rules loaded, and checks the alerts and the malformed counter.
func TestAuditWebhookEndToEnd(t *testing.T) {
	sink := &memSink{}
	r, err := output.NewRouter(map[string]output.Sink{"all": sink}, output.RouterConfig{Default: []string{"all"}})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	ag, err := New(Config{Rules: RulesConfig{Paths: []string{testutil.SharedData(t, "k8s_audit_rules.yaml")}}, Router: r, Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	r.Start(t.Context())
	h := audit.NewHandler(audit.Config{Token: "s3cret-token-for-tests"}, &k8saudit.Source{}, func(_ context.Context, ev any) {
		ag.HandleAudit(ev.(*k8saudit.Event))
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	post := func(body string) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+audit.DefaultPath, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer s3cret-token-for-tests")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	privileged := auditHead + `"auditID":"1","verb":"create","requestURI":"/api/v1/namespaces/tenant-a/pods",
"user":{"username":"admin","groups":["system:masters"]},"objectRef":{"resource":"pods","namespace":"tenant-a","name":"p","apiVersion":"v1"},
"responseStatus":{"metadata":{},"code":201},"requestObject":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","namespace":"tenant-a"},
"spec":{"containers":[{"name":"c","image":"busybox:1.36","securityContext":{"privileged":true}}]}}}`
	// exec and attach are audited when the response starts (stage ResponseStarted).
	exec := strings.Replace(auditHead, "ResponseComplete", "ResponseStarted", 1) + `"auditID":"2","verb":"create","requestURI":"/api/v1/namespaces/tenant-a/pods/web-0/exec?command=sh&container=web&stdin=true&tty=true",
"user":{"username":"admin","groups":["system:masters"]},"objectRef":{"resource":"pods","namespace":"tenant-a","name":"web-0","subresource":"exec","apiVersion":"v1"},
"responseStatus":{"metadata":{},"code":101}}`
	secret := `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[` + auditHead + `"auditID":"3","verb":"get","requestURI":"/api/v1/namespaces/tenant-a/secrets/db-password",
"user":{"username":"eve","groups":["system:authenticated"]},"objectRef":{"resource":"secrets","namespace":"tenant-a","name":"db-password","apiVersion":"v1"},
"responseStatus":{"metadata":{},"code":200}}]}`
	for _, b := range []string{privileged, exec, secret} {
		if code := post(b); code != http.StatusOK {
			t.Fatalf("POST: %d", code)
		}
	}
	if code := post(`{not json`); code != http.StatusBadRequest {
		t.Errorf("malformed body: %d, want 400", code)
	}
	r.Close()
	got := sink.rulesSeen()
	for _, want := range []string{"Create Privileged Pod", "Attach/Exec Pod", "Disallowed K8s User"} {
		if !slices.Contains(got, want) {
			t.Errorf("alerts %v lack %q", got, want)
		}
	}
	if n := h.Stats().Malformed.Load(); n != 1 {
		t.Errorf("handler malformed %d, want 1", n)
	}
}
