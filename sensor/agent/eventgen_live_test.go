package agent

import (
	"context"
	"debug/elf"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/container"
	"github.com/probehub/probehub/sensor/container/containerdtest"
)

// EventGeneratorEnv names a statically linked build of Falco's own
// event-generator (github.com/falcosecurity/event-generator: `go run
// ./tools/file-bundler/ events/k8saudit/yaml && CGO_ENABLED=0 go build`).
// The Go module proxy does not serve it, so CI cannot build one; the test
// that runs it is opt-in.
const EventGeneratorEnv = "PROBEHUB_EVENT_GENERATOR"

// TestLiveEventGenerator runs the real event-generator, every syscall
// action including those it disables by default (`run 'syscall\.'
// --all`), against the live sensor with the upstream stable, incubating
// and sandbox files loaded unmodified and every rule enabled: first on
// the host, then as PID 1 of a privileged pod of a real containerd (where
// its container-only actions run; the tool decides it is in a container
// when PID 1 is itself). Every action the tool reports executed must
// raise the rule it is named after, from the host or from the pod, and
// so must one it reports failed after running its program (a patched
// pkexec that exits 127); an action it skips before running anything (a
// tool the machine lacks, capsh for the release_agent escape) is logged
// with the tool's reason.
func TestLiveEventGenerator(t *testing.T) {
	testutil.RequireRoot(t)
	bin := os.Getenv(EventGeneratorEnv)
	if bin == "" {
		t.Skip(EventGeneratorEnv + " is not set (a static build of falcosecurity/event-generator)")
	}
	if !staticELF(t, bin) {
		t.Fatalf("%s=%s: not a statically linked executable (the pod has no libc): build it with CGO_ENABLED=0", EventGeneratorEnv, bin)
	}
	files := upstreamRules(t, "falco_rules.yaml", "falco-incubating_rules.yaml", "falco-sandbox_rules.yaml")
	enable := disabledRules(t, files)
	rules := ruleNames(t, files)

	t.Run("host", func(t *testing.T) {
		ls := startLive(t, nil, func(c *Config) {
			c.Rules.Paths, c.Rules.Enabled, c.Rules.AllMatches = files, enable, true
		})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		// In a directory of its own: some actions write to the working
		// directory.
		c := exec.CommandContext(ctx, bin, "run", `syscall\.`, "--all", "--sleep", "200ms")
		c.Dir = t.TempDir()
		out, err := c.CombinedOutput()
		if err != nil {
			t.Fatalf("event-generator: %v\n%s", err, out)
		}
		checkEventGenerator(t, ls.def, string(out), rules, "host")
	})

	t.Run("container", func(t *testing.T) {
		testutil.RequireTool(t, "ctr")
		image := containerdtest.BusyboxImage(t, nil, eventGeneratorFiles(t, bin))
		rt := containerdtest.Start(t)
		ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
		defer cancel()
		const ref = "probehub.test/event-generator:1.0"
		rt.Import(ctx, ref, image)
		k := container.NewCRICache(ctx, container.CRIOptions{Sockets: []string{rt.Socket}, ContainerdRoot: rt.Root})
		t.Cleanup(func() { k.Close() })
		ls := startLive(t, k, func(c *Config) {
			c.Rules.Paths, c.Rules.Enabled, c.Rules.AllMatches = files, enable, true
		})
		// Every action in a privileged pod, as the tool's own manifests
		// run it; the one that asks for an unprivileged pod (unshare
		// without CAP_SYS_ADMIN) in one of those.
		for _, pc := range []struct {
			pod        containerdtest.Pod
			actions    string
			sink       *memSink
			privileged bool
		}{
			{containerdtest.Pod{Name: "event-generator-0", Namespace: "tenant-a", UID: "0e0e0e0e-1111-2222-3333-444455556666"},
				`syscall\.`, ls.tenantA, true},
			{containerdtest.Pod{Name: "event-generator-1", Namespace: "tenant-b", UID: "0e0e0e0e-1111-2222-3333-444455557777"},
				`syscall\.ChangeNamespacePrivilegesViaUnshare$`, ls.tenantB, false},
		} {
			outDir := t.TempDir()
			// The busybox applets the actions call (ln, find, shred,
			// crontab, base64 ...), and the users and files they read;
			// then the tool replaces the shell as PID 1.
			cmd := []string{"/bin/sh", "-c", "/bin/busybox --install -s /bin; " +
				"mkdir -p /home/user/.ssh /root/.ssh /var/lib/rpm /etc/cron.d; " +
				"printf 'root:x:0:0:root:/root:/bin/sh\\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\\n' > /etc/passwd; " +
				"echo 'root:*:19000:0:99999:7:::' > /etc/shadow; " +
				"sleep 2; exec /bin/event-generator run '" + pc.actions + "' --all --sleep 200ms > /out/event-generator.log 2>&1"}
			pod := pc.pod
			pod.Container = containerdtest.Container{Name: "event-generator", Image: ref, Command: cmd, Privileged: pc.privileged,
				Mounts: []*runtimeapi.Mount{{ContainerPath: "/out", HostPath: outDir}}}
			run := rt.RunPod(ctx, pod)
			containerdtest.AwaitMetadata(t, k, run)
			log := awaitExit(ctx, t, rt, run.ContainerID, filepath.Join(outDir, "event-generator.log"))
			for _, a := range checkEventGenerator(t, pc.sink, log, rules, pod.Name) {
				wantFields(t, a, map[string]any{"container.id": run.ContainerID[:12], "k8s.ns.name": pod.Namespace,
					"k8s.pod.name": pod.Name})
			}
		}
	})
}

// awaitExit waits for the container to exit 0 and returns its log.
func awaitExit(ctx context.Context, t *testing.T, rt *containerdtest.Runtime, id, logPath string) string {
	t.Helper()
	for {
		st, err := rt.RT.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: id})
		if err != nil {
			t.Fatalf("status of %.12s: %v", id, err)
		}
		if st.Status.State == runtimeapi.ContainerState_CONTAINER_EXITED {
			b, err := os.ReadFile(logPath)
			if err != nil {
				t.Fatal(err)
			}
			if st.Status.ExitCode != 0 {
				t.Fatalf("event-generator in %.12s exited %d:\n%s", id, st.Status.ExitCode, b)
			}
			return string(b)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("event-generator in %.12s still running: %v", id, ctx.Err())
		case <-time.After(time.Second):
		}
	}
}

// eventGeneratorFiles is what the pod's image carries besides busybox:
// the tool, and busybox under the names of the programs some actions run
// but busybox has no applet for (nmap, scp, apt-get ...): running them is
// the action (the exec is what the rules see); they fail after it.
func eventGeneratorFiles(t *testing.T, bin string) map[string]containerdtest.File {
	t.Helper()
	eg, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	bb, err := os.ReadFile(containerdtest.Busybox)
	if err != nil {
		testutil.SkipOrFail(t, "static busybox: "+err.Error()+": run `make setup` (busybox-static)")
	}
	files := map[string]containerdtest.File{
		"bin/event-generator": {Data: eg, Mode: 0o755},
		"bin/capsh":           {Data: []byte(capshDecode), Mode: 0o755},
	}
	for _, name := range []string{"nmap", "scp", "apt-get", "curl", "ssh", "kubectl", "sudoedit", "pkexec"} {
		files["bin/"+name] = containerdtest.File{Data: bb, Mode: 0o755}
	}
	return files
}

// capshDecode answers `capsh --decode=HEX` as libcap's capsh does
// ("0x...=cap_chown,cap_dac_override,..."): the tool asks it whether the
// container has CAP_SYS_ADMIN before the release_agent and unshare
// actions, and the image has no libc for the real one.
const capshDecode = `#!/bin/sh
v=${1#--decode=}
out=
i=0
for n in chown dac_override dac_read_search fowner fsetid kill setgid setuid setpcap linux_immutable \
	net_bind_service net_broadcast net_admin net_raw ipc_lock ipc_owner sys_module sys_rawio sys_chroot \
	sys_ptrace sys_pacct sys_admin sys_boot sys_nice sys_resource sys_time sys_tty_config mknod lease \
	audit_write audit_control setfcap mac_override mac_admin syslog wake_alarm block_suspend audit_read \
	perfmon bpf checkpoint_restore; do
	if [ $(( (0x$v >> i) & 1 )) -eq 1 ]; then out="$out,cap_$n"; fi
	i=$((i + 1))
done
echo "0x$v=${out#,}"
`

// eventGenOutcome is what event-generator reported for one action.
type eventGenOutcome struct {
	status string // executed, skipped, error
	detail string // the reason or the error
}

var (
	ansiEscape = regexp.MustCompile("\x1b\\[[0-9;]*m")
	// exitedNonZero is an error or skip reason saying the program the
	// action runs ran and failed (sudoedit on a patched sudo, busybox
	// under a name it has no applet for): its exec is what the rules see.
	exitedNonZero = regexp.MustCompile(`exit (status|code) [1-9][0-9]*`)
	eventGenLine  = regexp.MustCompile(`^\S+\s+action (executed|skipped|error)\s+action=(syscall\.\S+)(?:\s+as=\S+)?(?:\s+(?:reason|error)=(.*))?$`)
)

// parseEventGenerator reads event-generator's text log: the last outcome
// of each syscall action (an action spawned as another program reports
// from the child too; an error there is the action's).
func parseEventGenerator(log string) map[string]eventGenOutcome {
	out := map[string]eventGenOutcome{}
	for line := range strings.SplitSeq(ansiEscape.ReplaceAllString(log, ""), "\n") {
		m := eventGenLine.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		action := strings.TrimPrefix(m[2], "syscall.")
		if prev, ok := out[action]; ok && prev.status == "error" {
			continue
		}
		out[action] = eventGenOutcome{status: m[1], detail: strings.Trim(m[3], `"`)}
	}
	return out
}

// ruleKey is how an action's name and its rule's name compare: letters
// and digits, lower case ("Read environment variable from /proc files" is
// ReadEnvironmentVariableFromProcFiles).
func ruleKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// eventGenNeedsNetwork are the actions whose syscalls start with a name
// lookup of a host on the Internet: where it does not resolve they make no
// connection and no rule can fire.
var eventGenNeedsNetwork = map[string]string{
	"DisallowedSSHConnectionNonStandardPort":  "example.com",
	"InterpretedProcsOutboundNetworkActivity": "example.net",
}

// checkEventGenerator asserts every executed action's rule fired into
// sink, and returns those alerts.
func checkEventGenerator(t *testing.T, sink *memSink, log string, rules map[string]string, where string) []alertJSON {
	t.Helper()
	outcomes := parseEventGenerator(log)
	if len(outcomes) == 0 {
		t.Fatalf("no action outcomes in event-generator's output:\n%s", log)
	}
	actions := make([]string, 0, len(outcomes))
	for a := range outcomes {
		actions = append(actions, a)
	}
	sort.Strings(actions)
	var alerts []alertJSON
	executed := 0
	for _, action := range actions {
		o := outcomes[action]
		rule, ok := rules[ruleKey(action)]
		switch {
		case o.status != "executed" && !exitedNonZero.MatchString(o.detail):
			t.Logf("%s: %s %s: %s", where, action, o.status, o.detail)
			continue
		case !ok:
			t.Logf("%s: %s executed; no rule of that name in the upstream files", where, action)
			continue
		}
		if host, ok := eventGenNeedsNetwork[action]; ok {
			if _, err := net.DefaultResolver.LookupHost(context.Background(), host); err != nil {
				t.Logf("%s: %s executed, not checked: %s does not resolve here (%v)", where, action, host, err)
				continue
			}
		}
		executed++
		a, ok := sink.wait(t, rule, "")
		if !ok {
			t.Errorf("%s: event-generator's %s executed; no %q alert (alerts seen: %v)", where, action, rule, sink.rulesSeen())
			continue
		}
		alerts = append(alerts, a)
	}
	t.Logf("%s: %d actions ran, each raised its rule; %d alerts of %d rules in all", where, executed, sink.count(), len(sink.rulesSeen()))
	if executed == 0 {
		t.Fatalf("%s: event-generator executed no action:\n%s", where, log)
	}
	return alerts
}

// count is the number of alerts received.
func (s *memSink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.msgs)
}

// ruleNames maps ruleKey of every rule of the files to its name.
func ruleNames(t *testing.T, files []string) map[string]string {
	t.Helper()
	names := map[string]string{}
	for _, it := range ruleItems(t, files) {
		names[ruleKey(it.Rule)] = it.Rule
	}
	return names
}

// disabledRules are the rules the files declare enabled: false.
func disabledRules(t *testing.T, files []string) []string {
	t.Helper()
	var names []string
	for _, it := range ruleItems(t, files) {
		if it.Enabled != nil && !*it.Enabled {
			names = append(names, it.Rule)
		}
	}
	return names
}

type ruleItem struct {
	Rule    string `yaml:"rule"`
	Enabled *bool  `yaml:"enabled"`
}

func ruleItems(t *testing.T, files []string) []ruleItem {
	t.Helper()
	var all []ruleItem
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var items []ruleItem
		if err := yaml.Unmarshal(b, &items); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, it := range items {
			if it.Rule != "" {
				all = append(all, it)
			}
		}
	}
	return all
}

// staticELF reports whether path is an ELF executable without an
// interpreter.
func staticELF(t *testing.T, path string) bool {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatalf("%s=%s: %v", EventGeneratorEnv, path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return false
		}
	}
	return true
}
