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

	"github.com/probehub/probehub/sensor/agent"
	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/rules"
	"github.com/probehub/probehub/sensor/rules/cloudtrail"
	"github.com/probehub/probehub/sensor/rules/k8saudit"
	"github.com/probehub/probehub/sensor/rules/syscall"
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

A capture's recording starts with snapshot records (docs/recording.md):
the processes running when it started, read from /proc, the host's user
and group names and host name, and, as the container runtime answered,
each container's metadata. Replay seeds its process table and names from
them, then keeps the table from the recorded clone, fork, vfork, execve,
chdir and procexit events, as run does: alerts carry proc.pname,
proc.aname[N], proc.exepath, proc.cmdline, proc.cwd, user.name and the
container and pod fields as the live sensor's did, and each syscall rule's
output ends with the same container fields (container_id=…
k8s_ns_name=…). Capture records the lifecycle events by default; with
--syscalls, include them.

What replay cannot know: the live process state a rule reads from /proc
(proc.vmrss, fd.types[N], … are missing), container metadata the runtime
had not given during the capture, and, in an old recording without
snapshot records, processes older than the recording (known only by what
their own events carry) and user names.

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
			// The engine is built once the recording's snapshot records
			// are read: they name the recording machine and its users.
			var loadErr error
			build := func(rec *recording) (*rules.Engine, error) {
				e, err := replayRulesEngine(cmd.Context(), rec, ruleFiles, all, cmd.ErrOrStderr())
				loadErr = err
				return e, err
			}
			if files, ok, err := cloudTrailInput(events); err != nil {
				return err
			} else if ok {
				e, err := build(nil)
				if err != nil {
					return err
				}
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
			if err := replayWith(cmd.Context(), in, cmd.OutOrStdout(), build); err != nil {
				if loadErr != nil {
					return loadErr
				}
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

// replayRulesEngine builds replay's engine as run builds the live one:
// the rules files, and the container fields appended to each syscall
// rule's output (agent.ContainerOutput); with a recording that starts with
// snapshot records, the recording machine's host name (the alerts'
// hostname, evt.hostname) and user names (evt.arg.uid, user.loginname,
// user.homedir, user.shell). rec may be nil (CloudTrail files); extra
// options come before those.
func replayRulesEngine(ctx context.Context, rec *recording, files []string, all bool, warn io.Writer, extra ...rules.Option) (*rules.Engine, error) {
	var sopts []syscall.Option
	opts := append([]rules.Option{rules.WithAppendOutput("syscall", agent.ContainerOutput)}, extra...)
	if rec != nil && rec.hostname() != "" {
		sopts = append(sopts, syscall.WithHostname(rec.hostname()))
		opts = append(opts, rules.WithHostname(rec.hostname()))
	}
	if rec != nil && rec.names != nil {
		sopts = append(sopts, syscall.WithUsers(rec.names), syscall.WithUserInfo(rec.userInfo), syscall.WithGroups(rec.groupName))
	}
	if rec != nil {
		// evt.abspath and fs.path.* resolve dirfds from the fd names the
		// recorded opens gave, as fd.name does
		sopts = append(sopts, syscall.WithDirLookup(rec.procs.table.DirLookup))
	}
	if all {
		opts = append(opts, rules.WithAllMatches())
	}
	srcs := []rules.Source{syscall.New(sopts...), &k8saudit.Source{}, &cloudtrail.Source{}}
	e, err := newEngineWith(srcs, opts...)
	if err != nil {
		return nil, err
	}
	if _, err := e.LoadFiles(files...); err != nil {
		return nil, fmt.Errorf("%w\n(run `probehub-sensor rules validate` for details)", err)
	}
	if err := noRules(e, files); err != nil {
		return nil, err
	}
	resolveRuleNames(ctx, srcs, warn)
	return e, nil
}

// replay evaluates every line of in with e and writes alerts to out.
func replay(ctx context.Context, e *rules.Engine, in io.Reader, out io.Writer) error {
	return replayWith(ctx, in, out, func(*recording) (*rules.Engine, error) { return e, nil })
}

// replayWith evaluates every line of in and writes alerts to out. The
// snapshot records a recording starts with (event.Snapshot) seed the
// process table and the user names; engine then builds the rules engine,
// knowing what they said of the recording machine. A syscall event in the
// form capture writes is parsed once, by event.Decoder, into one reused
// Event; other lines are told apart by sourceOf and decoded by their
// source; a snapshot record later in the input (recordings concatenated)
// is applied where it stands.
func replayWith(ctx context.Context, in io.Reader, out io.Writer, engine func(*recording) (*rules.Engine, error)) (err error) {
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
	rec := newRecording()
	line, err := rec.readHead(lines)
	if err != nil {
		return err
	}
	e, err := engine(rec)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(out)
	defer func() { // the alerts are lost unless the flush succeeds
		if ferr := w.Flush(); err == nil && ferr != nil {
			err = fmt.Errorf("write output: %w", ferr)
		}
	}()
	procs := rec.procs
	typed := syscallRuleTypes(e)
	events := 0
	var (
		dec   event.Decoder
		sev   event.Event
		one   = []any{&sev}
		alert []byte
	)
	for line++; ; line++ {
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
		src, evs := "syscall", one
		if !dec.Fast(data, &sev) {
			if src = sourceOf(data); src == sourceSnapshot {
				if err := rec.apply(data); err != nil {
					return fmt.Errorf("events line %d: %w", line, err)
				}
				continue
			}
			d, err := decoderOf(e, src)
			if err != nil {
				return fmt.Errorf("events line %d: %w", line, err)
			}
			if evs, err = d.Decode(data); err != nil {
				return fmt.Errorf("events line %d: %w", line, err)
			}
		}
		events++
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
		if rec.records > 0 {
			return fmt.Errorf("%w: only %d snapshot records", errNoEvents, rec.records)
		}
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

// sourceSnapshot is what sourceOf says of a snapshot record.
const sourceSnapshot = "snapshot"

// sourceOf detects the source of one JSON line by its top-level keys.
func sourceOf(data []byte) string {
	var keys map[string]json.RawMessage
	if json.Unmarshal(data, &keys) != nil {
		return "syscall"
	}
	if _, ok := keys["snapshot"]; ok {
		return sourceSnapshot
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
