package helm

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/probehub/probehub/internal/testutil"
)

// TestAuditReceiver runs the real sensor with the chart's audit receiver
// arguments, its rendered rules and routes, as UID 65532 with no
// capabilities (as the Deployment does), serving HTTPS with a token. A
// recorded `kubectl exec` audit event posted with the token raises the
// starter rule's alert; without the token it is refused.
//
// Slow: renders the chart, builds the real sensor and runs it as an
// unprivileged HTTPS server (40 s).
func TestAuditReceiver(t *testing.T) {
	t.Log("slow: renders the chart, builds the real sensor and runs it as an unprivileged HTTPS server (40 s)")
	out, err := render(t, loadChart(t), fullValues)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rc := startAuditReceiver(ctx, t, decode(t, out), nil)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: rc.pool}}, Timeout: 10 * time.Second}
	event, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "sensor", "rules", "k8saudit", "testdata", "events", "pod_exec.json"))
	if err != nil {
		t.Fatal(err)
	}
	post := func(token string) (int, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://"+rc.addr+"/k8s-audit", bytes.NewReader(event))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	if code, err := post(""); code != http.StatusUnauthorized {
		t.Fatalf("POST without the token: %d (%v), want 401", code, err)
	}
	if code, err := post(rc.token); err != nil || code/100 != 2 {
		t.Fatalf("POST with the token: %d (%v)\n%s", code, err, rc.stderr.String())
	}
	for {
		select {
		case a := <-rc.alerts:
			if strings.Contains(a, "Exec/attach into a pod") {
				t.Logf("alert: %.200s", a)
				return
			}
		case <-ctx.Done():
			t.Fatalf("no alert for the exec event:\n%s", rc.stderr.String())
		}
	}
}

// auditReceiver is the chart's audit receiver, running.
type auditReceiver struct {
	addr   string         // its webhook's host:port on 127.0.0.1
	token  string         // the bearer token it accepts
	cert   string         // its certificate (PEM), self-signed: its own CA
	pool   *x509.CertPool // trusts cert
	alerts <-chan string  // its stdout, line by line: the alerts
	stderr *lockedBuffer  // its log
}

// startAuditReceiver runs the real sensor as the rendered chart (objs) runs
// its audit receiver: the Deployment's arguments, the rules ConfigMap, the
// routes and token Secrets, as UID 65532 with no capabilities, serving
// HTTPS with a fresh self-signed certificate for 127.0.0.1. extraRules
// (file name → content) go into its rules directory beside the chart's,
// as a user adds rules files there; extraArgs follow the chart's. It stops
// with ctx or at the test's end.
func startAuditReceiver(ctx context.Context, t *testing.T, objs []object, extraRules map[string]string, extraArgs ...string) *auditReceiver {
	t.Helper()
	testutil.RequireRoot(t)
	testutil.RequireTool(t, "setpriv")
	var args []string
	files := map[string]string{} // path in the pod → content
	for _, o := range objs {
		switch v := o.Value.(type) {
		case *appsv1.Deployment:
			if v.Name == "probehub-k8s-audit" {
				args = v.Spec.Template.Spec.Containers[0].Args
			}
		case *corev1.ConfigMap:
			if v.Name == "probehub-rules" {
				for k, body := range v.Data {
					files["/etc/probehub/rules.d/"+k] = body
				}
			}
		case *corev1.Secret:
			switch v.Name {
			case "probehub-routes":
				files["/etc/probehub/routes/routes.yaml"] = v.StringData["routes.yaml"]
			case "probehub-audit-token":
				files["/etc/probehub/audit-token/token"] = v.StringData["token"]
			case "probehub-metrics-token":
				files["/etc/probehub/metrics/token"] = v.StringData["token"]
			}
		}
	}
	if args == nil {
		t.Fatal("no probehub-k8s-audit Deployment rendered")
	}
	for name, body := range extraRules {
		files["/etc/probehub/rules.d/"+name] = body
	}
	cert, key, pool := selfSigned(t)
	files["/etc/probehub/audit-tls/tls.crt"], files["/etc/probehub/audit-tls/tls.key"] = cert, key
	root, err := os.MkdirTemp("", "probehub-audit-") // readable by UID 65532, unlike t.TempDir's parent
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	for p, body := range files {
		dst := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	// Both listeners on port 0: the sensor logs the port it got (a free
	// port picked here could be taken by another test before it binds).
	for i, a := range args {
		name, val, _ := strings.Cut(a, "=")
		switch {
		case name == "--k8s-audit-listen", name == "--metrics-listen":
			args[i] = name + "=127.0.0.1:0"
		case strings.HasPrefix(val, "/etc/probehub/"):
			args[i] = name + "=" + filepath.Join(root, val)
		}
	}
	args = append(args, extraArgs...)
	bin := buildSensor(t)
	cmd := exec.CommandContext(ctx, "setpriv", append([]string{"--reuid", "65532", "--regid", "65532", "--clear-groups",
		"--bounding-set", "-all", "--inh-caps", "-all", "--", bin}, append(args, "--duration", "10m")...)...) // --duration: ends even if the test is killed
	alerts, stderr := startSensorProc(ctx, t, cmd, "k8s audit webhook listening")
	addr, _ := testutil.LogAttr(stderr.String(), "k8s audit webhook listening", "addr") // bound before it is logged
	return &auditReceiver{addr: addr, token: strings.TrimSpace(files["/etc/probehub/audit-token/token"]),
		cert: cert, pool: pool, alerts: alerts, stderr: stderr}
}

// startSensorProc starts cmd (the sensor), stops it with an interrupt at
// ctx's end or the test's, and waits until its log says ready. It returns
// its stdout line by line (the alerts) and its log.
func startSensorProc(ctx context.Context, t *testing.T, cmd *exec.Cmd, ready string) (<-chan string, *lockedBuffer) {
	t.Helper()
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt) // an error: it has exited already
		<-exited
	})
	alerts := make(chan string, 1024)
	go func() {
		defer close(alerts)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for sc.Scan() {
			alerts <- sc.Text()
		}
	}()
	for !strings.Contains(stderr.String(), ready) {
		select {
		case err := <-exited:
			exited <- err // for the cleanup
			t.Fatalf("the sensor did not start (%v):\n%s", err, stderr.String())
		case <-ctx.Done():
			t.Fatalf("the sensor did not start:\n%s", stderr.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	return alerts, stderr
}

// selfSigned returns a PEM certificate and key for 127.0.0.1 and a pool
// that trusts it.
func selfSigned(t *testing.T) (string, string, *x509.CertPool) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "probehub-k8s-audit"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kd, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(c)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd})), pool
}
