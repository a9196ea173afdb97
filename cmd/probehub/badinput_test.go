package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBadInputCLI runs the built binaries over every command and flag that
// reads a file, in both binaries, with a missing file, an empty file, a
// directory, garbage, a truncated real file and, for tokens, only
// whitespace: each must exit non-zero, within two minutes, with a message
// naming the input.
//
// Slow: builds both binaries, then runs a process per command and bad input
// (about 160; the run rows start the sensor without capture) (2 min).
func TestBadInputCLI(t *testing.T) {
	t.Log("slow: builds both binaries, then runs a process per command and bad input (about 160) (2 min)")
	dir := t.TempDir()
	ph := buildProbehub(t)
	sensor := buildSensor(t)
	samples := map[string]string{ // a real file of each format, to truncate
		"btf":     "../../registry/testdata/min.btf",
		"crawler": "../../registry/testdata/README.md", // replaced below when shared data exists
		"rules":   "../../deploy/rules/nvidia-overlay.yaml",
		"key":     "../../registry/sign/testdata/cosign-encrypted.pub",
		"events":  "",
		"routes":  "../../sensor/output/testdata/routes.yaml",
		"yaml":    "", // half of a responses file is still a valid one
		"matrix":  "../../ci/matrix.yaml",
		"keyring": "/usr/share/keyrings/debian-archive-keyring.gpg",
		"deb":     "",
		"token":   "",
		"pem":     "",
		"apt":     "",
	}
	if p := filepath.Join("..", "..", "..", "shared", "data", "kernel-crawler_x86_64_ubuntu_only_2022-10-03.json"); exists(p) {
		samples["crawler"] = p
	}
	// inputs returns the bad variants of one input kind, by name.
	inputs := func(kind string) map[string]string {
		m := map[string]string{
			"missing":   filepath.Join(dir, kind+"-missing"),
			"empty":     write(t, filepath.Join(dir, kind+"-empty"), nil),
			"directory": mkdir(t, filepath.Join(dir, kind+"-dir")),
			"garbage":   write(t, filepath.Join(dir, kind+"-garbage"), []byte("\x00\x01garbage{[\xff\n")),
		}
		if src := samples[kind]; src != "" {
			b, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			m["truncated"] = write(t, filepath.Join(dir, kind+"-truncated"), b[:len(b)/2])
		}
		return m
	}
	rulesOK := write(t, filepath.Join(dir, "ok-rules.yaml"), []byte("- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: WARNING\n"))
	good := goodFiles(t, dir)
	promoteStore := "layout:" + filepath.Join(dir, "promote-oci") // holds staging rules, so promote reaches the events
	if out, err := exec.Command(sensor, "rules", "push", rulesOK, "--to", promoteStore).CombinedOutput(); err != nil {
		t.Fatalf("rules push: %v\n%s", err, out)
	}
	layout := mkdir(t, filepath.Join(dir, "empty-layout"))
	// runArgs runs the sensor without capture for a moment: a bad file must
	// stop it before then.
	runArgs := func(extra ...string) []string {
		return append([]string{"run", "--no-capture", "--duration", "3s", "--metrics-listen", "", "--rules", rulesOK}, extra...)
	}
	tests := []struct {
		name string
		bin  string
		kind string
		args func(in string) []string
	}{
		{"btf extract", ph, "btf", func(in string) []string { return []string{"btf", "extract", in, "-o", filepath.Join(dir, "out.btf")} }},
		{"btf minimize", ph, "btf", func(in string) []string {
			return []string{"btf", "minimize", "--btf", in, "-o", filepath.Join(dir, "min.btf")}
		}},
		{"kernels crawl crawler", ph, "crawler", func(in string) []string {
			return []string{"kernels", "crawl", "--source", "crawler:" + in, "--data-dir", filepath.Join(dir, "data")}
		}},
		{"kernels crawl btfhub", ph, "btfhub", func(in string) []string {
			return []string{"kernels", "crawl", "--source", "btfhub:" + in, "--data-dir", filepath.Join(dir, "data")}
		}},
		{"publish", ph, "build", func(in string) []string {
			return []string{"publish", in, "--to", "layout:" + filepath.Join(dir, "oci"), "--allow-unsigned"}
		}},
		{"publish --sign-key", ph, "key", func(in string) []string {
			return []string{"publish", dir, "--to", "layout:" + filepath.Join(dir, "oci"), "--sign-key", in}
		}},
		{"mirror", ph, "layout", func(in string) []string {
			return []string{"mirror", "layout:" + in, "layout:" + filepath.Join(dir, "dst")}
		}},
		{"rules validate", sensor, "rules", func(in string) []string { return []string{"rules", "validate", in} }},
		{"rules list", sensor, "rules", func(in string) []string { return []string{"rules", "list", in} }},
		{"replay --rules", sensor, "rules", func(in string) []string {
			return []string{"replay", "--rules", in, "--events", write(t, filepath.Join(dir, "ev.jsonl"), []byte("{}\n"))}
		}},
		{"replay --events", sensor, "events", func(in string) []string { return []string{"replay", "--rules", rulesOK, "--events", in} }},
		{"fetch --verify-key", sensor, "key", func(in string) []string {
			return []string{"fetch", "--from", "layout:" + dir, "--verify-key", in}
		}},
		{"build --deb", ph, "deb", func(in string) []string {
			return []string{"build", "--deb", in, "--out", filepath.Join(dir, "build"), "--data-dir", filepath.Join(dir, "data")}
		}},
		{"build --btf", ph, "btf", func(in string) []string {
			return []string{"build", "--btf", in, "--out", filepath.Join(dir, "build"), "--data-dir", filepath.Join(dir, "data")}
		}},
		{"kernels crawl apt", ph, "apt", func(in string) []string {
			return []string{"kernels", "crawl", "--source", "apt:" + in, "--data-dir", filepath.Join(dir, "data")}
		}},
		{"kernels crawl --keyring", ph, "keyring", func(in string) []string {
			return []string{"kernels", "crawl", "--source", "apt:../../kernels/apt/testdata/ubuntu", "--keyring", in, "--data-dir", filepath.Join(dir, "data")}
		}},
		{"matrix run --definition", ph, "matrix", func(in string) []string {
			return []string{"matrix", "run", "--definition", in, "--out", filepath.Join(dir, "matrix"), "--sensor", sensor, "--data-dir", filepath.Join(dir, "data")}
		}},
		{"matrix kernel list --definition", ph, "matrix", func(in string) []string {
			return []string{"matrix", "kernel", "list", "--definition", in}
		}},
		{"serve --token-file", ph, "token", func(in string) []string {
			return []string{"serve", "--listen", "127.0.0.1:0", "--token-file", in, "--data-dir", filepath.Join(dir, "data")}
		}},
		{"serve --metrics-token-file", ph, "token", func(in string) []string {
			return []string{"serve", "--listen", "127.0.0.1:0", "--metrics-token-file", in, "--data-dir", filepath.Join(dir, "data")}
		}},
		{"run --rules", sensor, "rules", func(in string) []string {
			return []string{"run", "--no-capture", "--duration", "3s", "--metrics-listen", "", "--rules", in}
		}},
		{"run --routes", sensor, "routes", func(in string) []string { return runArgs("--routes", in) }},
		{"run --responses", sensor, "yaml", func(in string) []string { return runArgs("--responses", in) }},
		{"run --k8s-audit-token-file", sensor, "token", func(in string) []string {
			return runArgs("--k8s-audit-listen", "127.0.0.1:0", "--k8s-audit-token-file", in)
		}},
		{"run --metrics-token-file", sensor, "token", func(in string) []string {
			return append(runArgs("--metrics-token-file", in), "--metrics-listen", "127.0.0.1:0")
		}},
		{"run --k8s-audit-tls-cert", sensor, "pem", func(in string) []string {
			return runArgs("--k8s-audit-listen", "127.0.0.1:0", "--k8s-audit-token-file", good["token"], "--k8s-audit-tls-cert", in, "--k8s-audit-tls-key", good["tls.key"])
		}},
		{"run --k8s-audit-tls-key", sensor, "pem", func(in string) []string {
			return runArgs("--k8s-audit-listen", "127.0.0.1:0", "--k8s-audit-token-file", good["token"], "--k8s-audit-tls-cert", good["tls.crt"], "--k8s-audit-tls-key", in)
		}},
		{"run --verify-key", sensor, "key", func(in string) []string {
			return runArgs("--from", "layout:"+layout, "--verify-key", in)
		}},
		{"capture --btf", sensor, "btf", func(in string) []string {
			return []string{"capture", "--json", "--duration", "1s", "--btf", in}
		}},
		{"response validate", sensor, "yaml", func(in string) []string { return []string{"response", "validate", in} }},
		{"response rbac", sensor, "yaml", func(in string) []string { return []string{"response", "rbac", in} }},
		{"rules push", sensor, "rules", func(in string) []string {
			return []string{"rules", "push", in, "--to", "layout:" + filepath.Join(dir, "rules-oci")}
		}},
		{"rules push --sign-key", sensor, "key", func(in string) []string {
			return []string{"rules", "push", rulesOK, "--to", "layout:" + filepath.Join(dir, "rules-oci"), "--sign-key", in}
		}},
		{"rules promote --events", sensor, "events", func(in string) []string {
			return []string{"rules", "promote", "--store", promoteStore, "--allow-unsigned", "--events", in}
		}},
	}
	for _, tc := range tests {
		for variant, in := range inputs(strings.ReplaceAll(tc.kind, " ", "-")) {
			t.Run(tc.name+"/"+variant, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				defer cancel()
				out, err := exec.CommandContext(ctx, tc.bin, tc.args(in)...).CombinedOutput()
				if ctx.Err() != nil {
					t.Fatalf("still running after 2 minutes on a %s input:\n%s", variant, out)
				}
				if err == nil {
					t.Fatalf("exit 0 for a %s input:\n%s", variant, out)
				}
				if !strings.Contains(string(out), filepath.Base(in)) {
					t.Errorf("the message does not name %s:\n%s", filepath.Base(in), out)
				}
			})
		}
	}
}

// TestFullDiskCLI: output written to a full disk (/dev/full) is a non-zero
// exit, never a silent loss.
func TestFullDiskCLI(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full")
	}
	defer full.Close()
	dir := t.TempDir()
	ph := buildProbehub(t)
	sensor := buildSensor(t)
	rules := write(t, filepath.Join(dir, "rules.yaml"), []byte("- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: WARNING\n"))
	for _, args := range [][]string{
		{sensor, "rules", "list", rules},
		{sensor, "rules", "list", "--json", rules},
		{sensor, "rules", "validate", rules},
		{ph, "publish", "--gen-key", filepath.Join(dir, "k")},
		{ph, "version"},
	} {
		t.Run(strings.Join(args[1:], " "), func(t *testing.T) {
			cmd := exec.Command(args[0], args[1:]...)
			cmd.Stdout = full
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Run(); err == nil {
				t.Errorf("exit 0 writing to /dev/full; stderr: %s", stderr.String())
			}
		})
	}
}

// goodFiles writes valid inputs the table pairs with a bad one: a token and
// a self-signed TLS certificate and key.
func goodFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "probehub"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"token":   write(t, filepath.Join(dir, "good-token"), []byte("s3cr3t-token\n")),
		"tls.crt": write(t, filepath.Join(dir, "good-tls.crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		"tls.key": write(t, filepath.Join(dir, "good-tls.key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})),
	}
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func write(t *testing.T, p string, b []byte) string {
	t.Helper()
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func mkdir(t *testing.T, p string) string {
	t.Helper()
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBadCatalogCLI: a catalog file that is there but is no catalog stops
// every command that reads it, the server included, naming the file (and
// line:col for bad JSON). A missing catalog is an empty one, not an error.
func TestBadCatalogCLI(t *testing.T) {
	ph := buildProbehub(t)
	catalogs := map[string]func(p string){
		"empty":     func(p string) { write(t, p, nil) },
		"garbage":   func(p string) { write(t, p, []byte("{\n  \"schema\": 1,\n  \"kernels\": [x]\n}\n")) },
		"truncated": func(p string) { write(t, p, []byte("{\"schema\": 1, \"kernels\": [{\"distro\": \"debian\"")) },
		"schema":    func(p string) { write(t, p, []byte("{\"schema\": 99, \"kernels\": []}\n")) },
		"directory": func(p string) { mkdir(t, p) },
	}
	commands := map[string]func(data string) []string{
		"serve": func(data string) []string {
			return []string{"serve", "--listen", "127.0.0.1:0", "--data-dir", data}
		},
		"build --catalog": func(data string) []string {
			return []string{"build", "--catalog", "--out", filepath.Join(data, "out"), "--data-dir", data}
		},
		"kernels list":  func(data string) []string { return []string{"kernels", "list", "--data-dir", data} },
		"kernels stats": func(data string) []string { return []string{"kernels", "stats", "--data-dir", data} },
	}
	for cmd, args := range commands {
		for variant, mk := range catalogs {
			t.Run(cmd+"/"+variant, func(t *testing.T) {
				data := t.TempDir()
				p := filepath.Join(data, "catalog.json")
				mk(p)
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				defer cancel()
				out, err := exec.CommandContext(ctx, ph, args(data)...).CombinedOutput()
				if ctx.Err() != nil {
					t.Fatalf("still running after 2 minutes on a %s catalog:\n%s", variant, out)
				}
				if err == nil {
					t.Fatalf("exit 0 for a %s catalog:\n%s", variant, out)
				}
				if !strings.Contains(string(out), p) {
					t.Errorf("the message does not name %s:\n%s", p, out)
				}
				if variant == "garbage" && !strings.Contains(string(out), p+":3:15:") {
					t.Errorf("no line:col for bad JSON:\n%s", out)
				}
			})
		}
	}
}
