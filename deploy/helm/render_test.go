package helm

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"
)

var update = flag.Bool("update", false, "rewrite deploy/kubernetes/ from the chart")

const chartDir = "probehub"

// object is one rendered manifest: its template, kind and the strictly
// decoded value.
type object struct {
	Source, APIVersion, Kind, Name string
	Doc                            []byte
	Value                          any
}

// newObject returns an empty value of the Go type for apiVersion/kind.
func newObject(apiVersion, kind string) (any, error) {
	switch apiVersion + " " + kind {
	case "v1 Namespace":
		return &corev1.Namespace{}, nil
	case "v1 ServiceAccount":
		return &corev1.ServiceAccount{}, nil
	case "v1 ConfigMap":
		return &corev1.ConfigMap{}, nil
	case "v1 Secret":
		return &corev1.Secret{}, nil
	case "v1 Service":
		return &corev1.Service{}, nil
	case "apps/v1 DaemonSet":
		return &appsv1.DaemonSet{}, nil
	case "apps/v1 Deployment":
		return &appsv1.Deployment{}, nil
	case "batch/v1 Job":
		return &batchv1.Job{}, nil
	case "batch/v1 CronJob":
		return &batchv1.CronJob{}, nil
	case "policy/v1 PodDisruptionBudget":
		return &policyv1.PodDisruptionBudget{}, nil
	case "rbac.authorization.k8s.io/v1 ClusterRole":
		return &rbacv1.ClusterRole{}, nil
	case "rbac.authorization.k8s.io/v1 ClusterRoleBinding":
		return &rbacv1.ClusterRoleBinding{}, nil
	case "cert-manager.io/v1 Certificate":
		return &certificate{}, nil
	case "monitoring.coreos.com/v1 ServiceMonitor":
		return &serviceMonitor{}, nil
	}
	return nil, fmt.Errorf("no Go type for %s %s: add it to newObject", apiVersion, kind)
}

func loadChart(t *testing.T) *chart.Chart {
	t.Helper()
	c, err := loader.Load(chartDir)
	if err != nil {
		t.Fatalf("load chart: %v", err)
	}
	return c
}

// render renders the chart with vals (YAML) as release "probehub" in
// namespace "probehub" and returns the manifests by template name.
func render(t *testing.T, c *chart.Chart, vals string) (map[string]string, error) {
	t.Helper()
	v, err := chartutil.ReadValues([]byte(vals))
	if err != nil {
		t.Fatalf("values: %v", err)
	}
	opts := chartutil.ReleaseOptions{Name: "probehub", Namespace: "probehub", Revision: 1, IsInstall: true}
	rv, err := chartutil.ToRenderValues(c, v, opts, chartutil.DefaultCapabilities)
	if err != nil {
		return nil, err
	}
	return engine.Render(c, rv)
}

var docSep = regexp.MustCompile(`(?m)^---\s*$`)

// decode splits every manifest into documents and decodes each strictly:
// unknown or duplicate fields are errors.
func decode(t *testing.T, out map[string]string) []object {
	t.Helper()
	names := make([]string, 0, len(out))
	for n := range out {
		names = append(names, n)
	}
	sort.Strings(names)
	var objs []object
	for _, n := range names {
		if strings.HasSuffix(n, "NOTES.txt") || strings.HasPrefix(filepath.Base(n), "_") {
			continue
		}
		for _, doc := range docSep.Split(out[n], -1) {
			var head struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
				Metadata   struct {
					Name string `json:"name"`
				} `json:"metadata"`
			}
			if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
				t.Fatalf("%s: %v\n%s", n, err, doc)
			}
			if head.Kind == "" {
				if strings.TrimSpace(stripComments(doc)) != "" {
					t.Fatalf("%s: a document without kind:\n%s", n, doc)
				}
				continue
			}
			v, err := newObject(head.APIVersion, head.Kind)
			if err != nil {
				t.Fatalf("%s: %v", n, err)
			}
			if err := yaml.UnmarshalStrict([]byte(doc), v); err != nil {
				t.Fatalf("%s: %s %s: strict decode: %v\n%s", n, head.Kind, head.Metadata.Name, err, doc)
			}
			objs = append(objs, object{Source: n, APIVersion: head.APIVersion, Kind: head.Kind, Name: head.Metadata.Name, Doc: []byte(doc), Value: v})
		}
	}
	return objs
}

func stripComments(doc string) string {
	var b strings.Builder
	for _, l := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// fullValues turns on GPU nodes, tenants, falcosidekick, the audit receiver,
// the API with writes, metrics auth with a ServiceMonitor and the build farm.
const fullValues = `
namespace: {create: true}
image:
  sensor: {digest: "sha256:0000000000000000000000000000000000000000000000000000000000000001"}
  server: {digest: "sha256:0000000000000000000000000000000000000000000000000000000000000002"}
artifacts:
  from: registry.example.com/probehub/btf
  verifyKey: |
    -----BEGIN PUBLIC KEY-----
    MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE000000000000000000000000000000
    -----END PUBLIC KEY-----
gpu: {enabled: true}
rules:
  from: registry.example.com/probehub/rules
  files:
    extra.yaml: |
      - list: extra_binaries
        items: [nc]
tenants:
  - {name: team-a, namespaces: [team-a, team-a-*], webhook: "http://falcosidekick.team-a.svc:2801/"}
  - {name: team-b, namespaces: [team-b], webhook: "http://falcosidekick.team-b.svc:2801/"}
falcosidekick: {enabled: true}
metrics:
  token: {enabled: true, value: metrics-token}
  serviceMonitor: {enabled: true, labels: {release: prometheus}}
audit:
  enabled: true
  clusterIP: 10.96.0.97
  token: {value: audit-token}
  tls: {certManager: {enabled: true, issuerRef: {name: cluster-ca}}}
api:
  enabled: true
  registry: registry.example.com/probehub/btf
  writes: {enabled: true, value: api-token}
buildFarm:
  enabled: true
  registry: registry.example.com/probehub/btf
  shards: 8
  signKeySecret: probehub-sign-key
  registryAuthSecret: registry-push
`

func TestRenderStrict(t *testing.T) {
	c := loadChart(t)
	for _, tc := range []struct {
		description, values string
		kinds               []string // kinds that must be there
	}{
		{"defaults", "", []string{"DaemonSet", "ConfigMap", "Secret", "ServiceAccount", "Service"}},
		{"GPU, tenants, audit, API, build farm", fullValues, []string{"Namespace", "DaemonSet", "Deployment", "Job", "CronJob",
			"PodDisruptionBudget", "Certificate", "ServiceMonitor"}},
	} {
		t.Run(tc.description, func(t *testing.T) {
			out, err := render(t, c, tc.values)
			if err != nil {
				t.Fatalf("render: %v", err)
			}
			objs := decode(t, out)
			have := map[string]bool{}
			for _, o := range objs {
				have[o.Kind] = true
			}
			for _, k := range tc.kinds {
				if !have[k] {
					t.Errorf("no %s rendered", k)
				}
			}
			checkObjects(t, objs)
		})
	}
}

// TestRenderRefuses checks the chart fails with a message instead of
// rendering something that cannot work.
func TestRenderRefuses(t *testing.T) {
	c := loadChart(t)
	for _, tc := range []struct{ description, values, want string }{
		{"audit without token", "audit: {enabled: true}", "needs audit.token.value"},
		{"audit with a blank token", "audit: {enabled: true, token: {value: \"  \"}}", "needs audit.token.value"},
		{"API without store", "api: {enabled: true}", "needs api.registry"},
		{"build farm without key", "buildFarm: {enabled: true, registry: r.example/x}", "needs buildFarm.signKeySecret"},
		{"bad digest", "image: {sensor: {digest: latest}}", "want sha256:"},
		{"short digest", "image: {sensor: {digest: \"sha256:abc\"}}", "want sha256:"},
		{"latest tag", "image: {sensor: {tag: latest, digest: \"\"}}", "pin a release tag"},
		{"tenant without webhook", "tenants: [{name: a, namespaces: [a]}]", "tenant a needs a webhook URL"},
	} {
		t.Run(tc.description, func(t *testing.T) {
			_, err := render(t, c, tc.values)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestPlainManifests keeps deploy/kubernetes/ equal to the chart's
// rendering (go test -update rewrites them).
func TestPlainManifests(t *testing.T) {
	c := loadChart(t)
	for _, tc := range []struct{ file, values string }{
		{"probehub.yaml", "namespace: {create: true}"},
		{"probehub-full-example.yaml", fullValues},
	} {
		t.Run(tc.file, func(t *testing.T) {
			out, err := render(t, c, tc.values)
			if err != nil {
				t.Fatal(err)
			}
			got := plain(t, out, tc.file)
			path := filepath.Join("..", "kubernetes", tc.file)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test ./deploy/helm -update writes it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s differs from the chart's rendering: run go test ./deploy/helm -update and commit", path)
			}
		})
	}
}

// plain joins the rendered objects into one multi-document file, in a fixed
// order (namespace first).
func plain(t *testing.T, out map[string]string, file string) []byte {
	objs := decode(t, out)
	sort.SliceStable(objs, func(i, j int) bool { return objs[i].Kind == "Namespace" && objs[j].Kind != "Namespace" })
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Generated from deploy/helm/probehub by `go test ./deploy/helm -update`; do not edit.\n")
	fmt.Fprintf(&b, "# %s: helm template probehub deploy/helm/probehub --namespace probehub (values in deploy/helm/render_test.go).\n", file)
	for _, o := range objs {
		fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", o.Source, strings.TrimSpace(string(o.Doc)))
	}
	return b.Bytes()
}

// TestBuildFarmSharding keeps the GitHub Actions matrix and the chart's
// Indexed Job on the same shards: SHARDS = buildFarm.shards and the matrix
// lists 0..SHARDS-1.
func TestBuildFarmSharding(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "ci", "workflows", "build-farm.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Env  map[string]int `json:"env"`
		Jobs map[string]struct {
			Strategy struct {
				Matrix struct {
					Shard []int `json:"shard"`
				} `json:"matrix"`
			} `json:"strategy"`
		} `json:"jobs"`
	}
	if err := yaml.Unmarshal(b, &wf); err != nil {
		t.Fatal(err)
	}
	c := loadChart(t)
	shards := int(c.Values["buildFarm"].(map[string]any)["shards"].(float64))
	if wf.Env["SHARDS"] != shards {
		t.Errorf("workflow SHARDS=%d, chart buildFarm.shards=%d", wf.Env["SHARDS"], shards)
	}
	got := wf.Jobs["build"].Strategy.Matrix.Shard
	if len(got) != shards {
		t.Fatalf("matrix shards %v, want 0..%d", got, shards-1)
	}
	for i, s := range got {
		if s != i {
			t.Fatalf("matrix shards %v, want 0..%d", got, shards-1)
		}
	}
}
