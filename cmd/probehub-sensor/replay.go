package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/rules"
	"github.com/spf13/cobra"
)

func newReplayCmd(_ *globalFlags) *cobra.Command {
	var ruleFiles []string
	var events string
	var all bool
	cmd := &cobra.Command{
		Use:   "replay --rules FILE... --events EVENTS.jsonl",
		Short: "Evaluate recorded events against rules and print alerts as Falco JSON",
		Long: `replay reads recorded events, one JSON object per line, evaluates them
against the rules and prints one Falco JSON alert per match: the way to
test and tune rules in staging before production.

Each line is detected by its shape:
  - a syscall event, as printed by ` + "`probehub-sensor capture --json`" + `;
  - a Kubernetes audit event (audit.k8s.io/v1, has "apiVersion" and "kind"),
    when the k8s_audit source is built in;
  - CloudTrail records ({"Records": [...]}).

CloudTrail log files are also read whole: a .json.gz file as CloudTrail
writes it to S3, a decompressed one, or a directory tree of them (the S3
layout, AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/), replayed in time
order by the timestamp in each file's name.

Syscall events go through a process table built from the recorded clone,
fork, vfork, execve, chdir and procexit events, as the live sensor's is:
alerts carry proc.pname, proc.aname[N], proc.exepath and proc.cwd of
processes started during the recording (capture records these events by
default; with --syscalls, include them). Processes that started before the
recording are known only by what their own events carry.

Examples:
  probehub-sensor capture --json --duration 30s > events.jsonl
  probehub-sensor replay --rules falco_rules.yaml --events events.jsonl
  probehub-sensor replay --rules falco_rules.yaml --rules local.yaml --events - < events.jsonl
  probehub-sensor replay --rules aws_cloudtrail_rules.yaml --events trail.json.gz
  probehub-sensor replay --rules aws_cloudtrail_rules.yaml --events ./AWSLogs/`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(ruleFiles) == 0 || events == "" {
				return fmt.Errorf("replay needs --rules FILE and --events FILE (or - for stdin)")
			}
			var opts []rules.Option
			if all {
				opts = append(opts, rules.WithAllMatches())
			}
			srcs := ruleSources()
			e, err := newEngineWith(srcs, opts...)
			if err != nil {
				return err
			}
			if _, err := e.LoadFiles(ruleFiles...); err != nil {
				return fmt.Errorf("%w\n(run `probehub-sensor rules validate` for details)", err)
			}
			if err := noRules(e, ruleFiles); err != nil {
				return err
			}
			resolveRuleNames(cmd.Context(), srcs, cmd.ErrOrStderr())
			if files, ok, err := cloudTrailInput(events); err != nil {
				return err
			} else if ok {
				return replayCloudTrail(cmd.Context(), e, files, cmd.OutOrStdout())
			}
			in := io.Reader(os.Stdin)
			if events != "-" {
				f, err := os.Open(events)
				if err != nil {
					return fmt.Errorf("open events: %w", err)
				}
				defer func() { _ = f.Close() }() // read only
				in = f
			}
			if err := replay(cmd.Context(), e, in, cmd.OutOrStdout()); err != nil {
				return fmt.Errorf("replay %s: %w", events, err)
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&ruleFiles, "rules", nil, "rules file (repeat; later files override earlier ones)")
	cmd.Flags().StringVar(&events, "events", "", "events file (JSON lines), - for stdin; or CloudTrail .json[.gz] files or a directory of them")
	cmd.Flags().BoolVar(&all, "all-matches", false, "alert on every matching rule, not only the first (rule_matching: all)")
	return cmd
}

// replay evaluates every line of in and writes alerts to out. A syscall
// event in the form capture writes is parsed once, by event.Decoder, into
// one reused Event; other lines are told apart by sourceOf and decoded by
// their source.
func replay(ctx context.Context, e *rules.Engine, in io.Reader, out io.Writer) (err error) {
	lines := newEventLines(in)
	defer func() {
		if cerr := lines.close(); err == nil && cerr != nil {
			err = fmt.Errorf("unmap events: %w", cerr)
		}
	}()
	if lines.data != nil {
		// A mapped file that shrinks under us faults: an error, not a crash.
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer func() {
			if p := recover(); p != nil {
				if _, fault := p.(interface{ Addr() uintptr }); !fault {
					panic(p)
				}
				err = errors.New("read events: the file shrank while it was replayed")
			}
		}()
	}
	w := bufio.NewWriter(out)
	defer func() { // the alerts are lost unless the flush succeeds
		if ferr := w.Flush(); err == nil && ferr != nil {
			err = fmt.Errorf("write output: %w", ferr)
		}
	}()
	procs := newProcessHook()
	typed := syscallRuleTypes(e)
	events := 0
	var (
		dec   event.Decoder
		sev   event.Event
		one   = []any{&sev}
		alert []byte
	)
	for line := 1; ; line++ {
		raw, ok := lines.next()
		if !ok {
			break
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		data := bytes.TrimSpace(raw)
		if len(data) == 0 {
			continue
		}
		events++
		src, evs := "syscall", one
		if !dec.Fast(data, &sev) {
			src = sourceOf(data)
			d, err := decoderOf(e, src)
			if err != nil {
				return fmt.Errorf("events line %d: %w", line, err)
			}
			if evs, err = d.Decode(data); err != nil {
				return fmt.Errorf("events line %d: %w", line, err)
			}
		}
		for _, ev := range evs {
			procs.apply(ev, typed)
			for _, r := range e.Process(src, ev) {
				alert = append(e.Alert(r, ev).AppendJSON(alert[:0]), '\n')
				if _, err := w.Write(alert); err != nil {
					return fmt.Errorf("write alerts: %w", err)
				}
			}
		}
	}
	if lines.err != nil {
		return fmt.Errorf("read events: %w", lines.err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write alerts: %w", err)
	}
	if events == 0 {
		return errNoEvents
	}
	return nil
}

// errNoEvents reports an events input without one event: a replay of
// nothing proves nothing.
var errNoEvents = errors.New("the events input holds no event (empty or only blank lines)")

// decoderOf returns the engine's source src as a decoder of recorded
// events; the error wraps rules.ErrUnknownSource when the engine lacks it.
func decoderOf(e *rules.Engine, src string) (rules.Decoder, error) {
	s, err := e.Source(src)
	if err != nil {
		return nil, fmt.Errorf("%s events: %w", src, err)
	}
	d, ok := s.(rules.Decoder)
	if !ok {
		return nil, fmt.Errorf("%s events: the %s source cannot decode recorded events", src, src)
	}
	return d, nil
}

// sourceOf detects the source of one JSON line by its top-level keys.
func sourceOf(data []byte) string {
	var keys map[string]json.RawMessage
	if json.Unmarshal(data, &keys) != nil {
		return "syscall"
	}
	if _, ok := keys["Records"]; ok {
		return "aws_cloudtrail"
	}
	_, api := keys["apiVersion"]
	_, kind := keys["kind"]
	if api && kind {
		return "k8s_audit"
	}
	if _, ok := keys["eventSource"]; ok {
		return "aws_cloudtrail"
	}
	return "syscall"
}
