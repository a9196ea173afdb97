package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/probehub/probehub/sensor/rules"
	"github.com/probehub/probehub/sensor/rules/syscall"
	"github.com/spf13/cobra"
)

type fieldJSON struct {
	Source      string `json:"source"`
	Class       string `json:"class"`
	Name        string `json:"name"`
	Type        string `json:"type"`
	Arg         string `json:"arg,omitempty"`
	ArgRequired bool   `json:"arg_required,omitempty"`
	Desc        string `json:"desc"`
	Fill        string `json:"fill,omitempty"`
	Live        bool   `json:"live"`
}

func newRulesFieldsCmd() *cobra.Command {
	var asJSON, liveOnly, notLive bool
	var source string
	cmd := &cobra.Command{
		Use:   "fields [--source syscall|k8s_audit|aws_cloudtrail] [--json]",
		Short: "List the fields rules can use, per source, and which ones this sensor fills",
		Long: `fields prints the field catalog of each event source, the way
` + "`falco --list`" + ` does: name, type and description, grouped by field class.
A field marked "not collected" is known (rules using it load, with one
warning per field) but the sensor does not gather its data, so it is
always <NA> and every comparison on it is false.

Examples:
  probehub-sensor rules fields --source syscall
  probehub-sensor rules fields --source syscall --not-collected
  probehub-sensor rules fields --json | jq '.[] | select(.live | not) | .name'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var srcs []rules.Source
			for _, s := range ruleSources() {
				if source == "" || s.Name() == source {
					srcs = append(srcs, s)
				}
			}
			if len(srcs) == 0 {
				return fmt.Errorf("unknown source %q: want syscall, k8s_audit or aws_cloudtrail", source)
			}
			var out []fieldJSON
			for _, s := range srcs {
				for _, f := range s.Fields() {
					fj := toFieldJSON(s.Name(), f)
					if liveOnly && !fj.Live || notLive && fj.Live {
						continue
					}
					out = append(out, fj)
				}
			}
			if asJSON {
				if out == nil {
					out = []fieldJSON{}
				}
				return json.NewEncoder(cmd.OutOrStdout()).Encode(out)
			}
			return printFields(cmd.OutOrStdout(), out)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array of fields")
	cmd.Flags().StringVar(&source, "source", "", "only this source (syscall, k8s_audit, aws_cloudtrail); default all")
	cmd.Flags().BoolVar(&liveOnly, "live", false, "only the fields the sensor fills")
	cmd.Flags().BoolVar(&notLive, "not-collected", false, "only the fields the sensor does not collect")
	return cmd
}

var kindTypes = map[rules.Kind]string{rules.KindString: "CHARBUF", rules.KindInt: "INT64", rules.KindBool: "BOOL", rules.KindFloat: "DOUBLE",
	rules.KindIP: "IPADDR", rules.KindIPNet: "IPNET", rules.KindStrings: "LIST(CHARBUF)"}

func toFieldJSON(source string, f rules.FieldInfo) fieldJSON {
	fj := fieldJSON{Source: source, Class: f.Class, Name: f.Name, Type: f.Type, Arg: f.ArgForm,
		ArgRequired: f.Arg == rules.ArgRequired, Desc: f.Desc, Fill: f.Fill, Live: !f.NotCollected}
	if fj.Class == "" {
		fj.Class, _, _ = strings.Cut(f.Name, ".")
	}
	if fj.Type == "" {
		fj.Type = kindTypes[f.Kind]
	}
	if fj.Arg == "" && f.Arg != rules.ArgNone {
		fj.Arg = "[arg]"
	}
	return fj
}

// printFields writes the catalog as `falco --list` does: a header per
// class, then one line per field.
func printFields(w io.Writer, fs []fieldJSON) error {
	classDesc := map[string]string{}
	for _, c := range syscall.Classes() {
		classDesc["syscall\x00"+c[0]] = c[1]
	}
	last := ""
	for _, f := range fs {
		if k := f.Source + "\x00" + f.Class; k != last {
			last = k
			fmt.Fprintf(w, "%s\nField Class:   %s\nEvent Sources: %s\n", strings.Repeat("-", 79), f.Class, f.Source)
			if d := classDesc[k]; d != "" {
				fmt.Fprintf(w, "Description:   %s\n", d)
			}
			fmt.Fprintln(w)
		}
		name := f.Name + f.Arg
		desc := f.Desc
		switch {
		case !f.Live:
			desc += " [not collected: always <NA>]"
		case f.Fill == syscall.FillNever:
			desc += " [always <NA>, as in Falco]"
		}
		if _, err := fmt.Fprintf(w, "%-40s %-14s %s\n", name, f.Type, desc); err != nil {
			return err
		}
	}
	return nil
}
