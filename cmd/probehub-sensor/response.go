package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/probehub/probehub/sensor/output"
	"github.com/probehub/probehub/sensor/response"
)

// responseFlags are run's flags for alert responses.
type responseFlags struct {
	file, kubeconfig, namespace, node string
}

func (f *responseFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&f.file, "responses", "", "responses file: policies that act on alerts (kill, terminate, label, annotate, isolate, cordon, webhook); see `probehub-sensor response --help`")
	fl.StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig for the Kubernetes actions of --responses (default: the pod's service account)")
	fl.StringVar(&f.namespace, "own-namespace", os.Getenv("POD_NAMESPACE"), "the sensor's own namespace, never acted in (default $POD_NAMESPACE)")
	fl.StringVar(&f.node, "node-name", os.Getenv("NODE_NAME"), "this node's Kubernetes name, cordon's target (default $NODE_NAME, else the hostname)")
}

// responder loads --responses and starts its workers; nil when not set.
func (f *responseFlags) responder(ctx context.Context, log *slog.Logger, reg prometheus.Registerer, router *output.Router) (*response.Responder, error) {
	if f.file == "" {
		return nil, nil
	}
	file, err := response.Load(f.file)
	if err != nil {
		return nil, err
	}
	o := response.Options{OwnNamespace: f.namespace, Node: f.node, Registry: reg, Logger: log, Emit: router.Deliver}
	if file.NeedsCluster() {
		k, err := response.NewKube(f.kubeconfig)
		if err != nil {
			return nil, err
		}
		o.Cluster = k
	}
	r, err := response.New(file, o)
	if err != nil {
		return nil, err
	}
	r.Start(ctx)
	log.Info("responses loaded", "file", f.file, "policies", len(file.Policies), "actions", file.Kinds())
	return r, nil
}

func newResponseCmd(_ *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "response",
		Short: "Check responses files: the policies that act on alerts",
		Long: `A responses file (run --responses FILE) turns alerts into actions, with
guard rails. Each policy matches alerts by rule name (globs), priority, tags,
source and namespace, and lists its actions:

  kill        SIGKILL the alert's process through a pidfd, after checking its
              start time, so a reused PID is never hit ({process_group: true}
              kills its whole process group)
  terminate   delete the pod ({grace_period: 0s})
  label       add labels to the pod ({labels: {k: v}})
  annotate    add annotations to the pod ({annotations: {k: v}})
  isolate     a NetworkPolicy denying all traffic to and from the pod
  cordon      mark the node unschedulable
  webhook     POST the Falco JSON alert plus the decision (output_fields
              response.*) to a URL: falcosidekick, Argo Events, Talon-style

Guard rails: dry_run per policy; never in kube-system (deny_namespaces) or the
sensor's own namespace; rate limits per policy and overall; a cool-down per
target; every decision (taken, dry_run, skipped and why, failed) is a log
line, a metric (probehub_response_decisions_total) and, with
audit_alerts: true, an alert of its own.

Example file:
  deny_namespaces: [kube-system, monitoring]
  rate_limit: {per_second: 5, burst: 10}
  audit_alerts: true
  policies:
    - name: kill-credential-readers
      match:
        rules: ["Read sensitive file untrusted"]
        min_priority: warning
        namespaces: ["team-*"]
      actions:
        - kill: {}
        - webhook: {url: "http://falcosidekick.probehub:2801/"}
      cooldown: 10s
    - name: isolate-shells
      match: {rules: ["Terminal shell in container"], tags: [mitre_execution]}
      actions: [isolate, {label: {labels: {probehub.io/quarantine: "true"}}}]
      dry_run: true

Examples:
  probehub-sensor response validate responses.yaml
  probehub-sensor response rbac responses.yaml     # the RBAC rules it needs
  sudo probehub-sensor run --rules falco_rules.yaml --responses responses.yaml`,
	}
	cmd.AddCommand(newResponseValidateCmd(), newResponseRBACCmd())
	return cmd
}

func newResponseValidateCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "validate FILE",
		Short: "Check a responses file; errors as file:line:col: message",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := response.Load(args[0])
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), summarize(f))
			}
			s := summarize(f)
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "ok: %d policies; actions %s; needs the Kubernetes API: %v\n",
				len(s.Policies), strings.Join(s.Actions, ", "), s.NeedsCluster)
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the policies as JSON")
	return cmd
}

type responsesSummary struct {
	Policies     []policySummary `json:"policies"`
	Actions      []string        `json:"actions"`
	NeedsCluster bool            `json:"needs_cluster"`
}

type policySummary struct {
	Name    string   `json:"name"`
	Actions []string `json:"actions"`
	DryRun  bool     `json:"dry_run"`
}

func summarize(f *response.File) responsesSummary {
	s := responsesSummary{Actions: []string{}, NeedsCluster: f.NeedsCluster()}
	for _, k := range f.Kinds() {
		s.Actions = append(s.Actions, string(k))
	}
	for _, p := range f.Policies {
		ps := policySummary{Name: p.Name, DryRun: p.DryRun}
		for _, a := range p.Actions {
			ps.Actions = append(ps.Actions, string(a.Kind))
		}
		s.Policies = append(s.Policies, ps)
	}
	return s
}

func newResponseRBACCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "rbac FILE",
		Short: "Print the Kubernetes RBAC rules the file's actions need (a ClusterRole's rules, YAML)",
		Long: `rbac prints the least RBAC rules the sensor's service account needs for the
actions the file's policies use: none for kill and webhook alone. The Helm
chart derives the same rules from its response values.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := response.Load(args[0])
			if err != nil {
				return err
			}
			return writeRBAC(cmd.OutOrStdout(), response.RBACRules(f.Kinds()))
		},
	}
}

func writeRBAC(w io.Writer, rules []response.PolicyRule) error {
	if len(rules) == 0 {
		_, err := fmt.Fprintln(w, "# no Kubernetes API access needed")
		return err
	}
	var b strings.Builder
	b.WriteString("rules:\n")
	for _, r := range rules {
		verbs := append([]string(nil), r.Verbs...)
		sort.Strings(verbs)
		fmt.Fprintf(&b, "  - apiGroups: [%q]\n    resources: [%s]\n    verbs: [%s]\n", r.APIGroup, r.Resource, strings.Join(verbs, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return errors.Join(errors.New("write JSON"), err)
	}
	return nil
}
