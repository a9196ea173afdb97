package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/probehub/probehub/sensor/rules"
	"github.com/probehub/probehub/sensor/rules/cloudtrail"
	"github.com/probehub/probehub/sensor/rules/k8saudit"
	"github.com/probehub/probehub/sensor/rules/syscall"
	"github.com/spf13/cobra"
)

// ruleSources are the event sources the sensor evaluates rules over.
func ruleSources() []rules.Source {
	return []rules.Source{syscall.New(), &k8saudit.Source{}, &cloudtrail.Source{}}
}

func newEngine(extra ...rules.Option) (*rules.Engine, error) {
	return newEngineWith(ruleSources(), extra...)
}

// newEngineWith builds an engine over srcs.
func newEngineWith(srcs []rules.Source, extra ...rules.Option) (*rules.Engine, error) {
	var opts []rules.Option
	for _, s := range srcs {
		opts = append(opts, rules.WithSource(s))
	}
	return rules.New(append(opts, extra...)...)
}

func newRulesCmd(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "Check and inspect Falco rules files",
		Long: `Falco rules files (lists, macros, rules, exceptions, overrides) load
unmodified. Files are applied in order: later files override earlier ones,
exactly as Falco loads falco_rules.yaml, then falco_rules.local.yaml, then
rules.d/.

Examples:
  probehub-sensor rules validate /etc/falco/falco_rules.yaml my_rules.yaml
  probehub-sensor rules validate --json rules.yaml | jq .errors
  probehub-sensor rules list falco_rules.yaml
  probehub-sensor rules fields --source syscall`,
	}
	cmd.AddCommand(newRulesValidateCmd(g), newRulesListCmd(g), newRulesFieldsCmd(), newRulesPushCmd(), newRulesPromoteCmd())
	return cmd
}

type diagJSON struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Message string `json:"message"`
	Code    string `json:"code"`
}

func toDiagJSON(ds []rules.Diag) []diagJSON {
	out := []diagJSON{}
	for _, d := range ds {
		out = append(out, diagJSON{File: d.Pos.File, Line: d.Pos.Line, Col: d.Pos.Col, Message: d.Msg, Code: d.Code})
	}
	return out
}

// errInvalidRules makes the command exit 1 after the errors were printed.
var errInvalidRules = errors.New("rules have errors")

func newRulesValidateCmd(_ *globalFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Load rules files and report every error as file:line:col: message",
		Long: `validate loads the files in order, as the sensor would, and prints every
error as file:line:col: message (and warnings, prefixed "warning:"). It
exits 0 when all files load, 1 otherwise.

Examples:
  probehub-sensor rules validate falco_rules.yaml falco_rules.local.yaml
  probehub-sensor rules validate --json rules.yaml`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := newEngine()
			if err != nil {
				return err
			}
			rep, err := e.LoadFiles(args...)
			var le *rules.LoadError
			if err != nil && !errors.As(err, &le) {
				return err
			}
			var errs, warns []rules.Diag
			if le != nil {
				errs = le.Errs
			}
			if rep != nil {
				warns = rep.Warnings
			}
			if err := printValidation(cmd.OutOrStdout(), asJSON, errs, warns, len(e.Rules())); err != nil {
				return err
			}
			if len(errs) > 0 {
				cmd.SilenceErrors = true
				return errInvalidRules
			}
			if len(e.Rules()) == 0 && skippedRules(warns) > 0 {
				return fmt.Errorf("%w: no rule loaded, %d skipped (see the warnings above)", errInvalidRules, skippedRules(warns))
			}
			return noRules(e, args)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"valid", "rules", "errors", "warnings"} as JSON`)
	return cmd
}

// noRules refuses a load that yielded no rule at all: an empty file (or
// only comments) alone is a mistake, though it is fine beside others (an
// empty falco_rules.local.yaml).
func noRules(e *rules.Engine, files []string) error {
	if len(e.Rules()) > 0 {
		return nil
	}
	return fmt.Errorf("%w: %s: no rule in the file(s) (empty, only comments, or only macros and lists)", errInvalidRules, strings.Join(files, ", "))
}

// skippedRules counts the rules a load skipped (unknown source, or unknown
// field with skip-if-unknown-filter).
func skippedRules(warns []rules.Diag) int {
	n := 0
	for _, w := range warns {
		if w.Code == "unknown-source" || w.Code == "unknown-field" {
			n++
		}
	}
	return n
}

func printValidation(w io.Writer, asJSON bool, errs, warns []rules.Diag, n int) error {
	if asJSON {
		return json.NewEncoder(w).Encode(map[string]any{
			"valid": len(errs) == 0, "rules": n, "errors": toDiagJSON(errs), "warnings": toDiagJSON(warns)})
	}
	for _, d := range errs {
		fmt.Fprintln(w, d.String())
	}
	for _, d := range warns {
		fmt.Fprintln(w, d.String())
	}
	if len(errs) == 0 {
		_, err := fmt.Fprintf(w, "ok: %d rules loaded\n", n)
		return err
	}
	_, err := fmt.Fprintf(w, "%d errors\n", len(errs))
	return err
}

type ruleJSON struct {
	Name       string   `json:"name"`
	Source     string   `json:"source"`
	Priority   string   `json:"priority"`
	Enabled    bool     `json:"enabled"`
	EventTypes []string `json:"event_types"`
	Tags       []string `json:"tags"`
	Pos        string   `json:"pos"`
}

func newRulesListCmd(_ *globalFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list FILE...",
		Short: "List the rules of rules files with source, priority, enabled and event types",
		Long: `list loads the files (as validate does) and prints one line per rule: name,
source, priority, enabled, and the event types the rule needs ("*" for
every type, and for sources without event types such as k8s_audit).

Examples:
  probehub-sensor rules list falco_rules.yaml
  probehub-sensor rules list --json falco_rules.yaml | jq '.[] | select(.enabled)'`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := newEngine()
			if err != nil {
				return err
			}
			if _, err := e.LoadFiles(args...); err != nil {
				return fmt.Errorf("%w\n(run `probehub-sensor rules validate` for details)", err)
			}
			if err := noRules(e, args); err != nil {
				return err
			}
			return printRules(cmd.OutOrStdout(), asJSON, e.Rules())
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array of rules")
	return cmd
}

func printRules(w io.Writer, asJSON bool, rs []*rules.Rule) error {
	out := make([]ruleJSON, 0, len(rs))
	for _, r := range rs {
		out = append(out, ruleJSON{Name: r.Name, Source: r.Source, Priority: r.Priority.String(), Enabled: r.Enabled,
			EventTypes: r.EventTypes, Tags: r.Tags, Pos: r.Pos.String()})
	}
	if asJSON {
		return json.NewEncoder(w).Encode(out)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tSOURCE\tPRIORITY\tENABLED\tEVENT TYPES")
	for _, r := range out {
		types := strings.Join(r.EventTypes, ",")
		if types == "" {
			types = "*"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%s\n", r.Name, r.Source, r.Priority, r.Enabled, types)
	}
	return tw.Flush()
}
