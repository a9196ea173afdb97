package agent

import (
	"fmt"
	"github.com/probehub/probehub/sensor/event"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/probehub/probehub/sensor/rules"
	"github.com/probehub/probehub/sensor/rules/k8saudit"
	"github.com/probehub/probehub/sensor/rules/syscall"
)

// RulesConfig says which rules to load and how to evaluate them.
type RulesConfig struct {
	// Paths are rules files or directories (their *.yaml and *.yml files, in
	// name order), loaded in order: later files override earlier ones.
	Paths []string
	// Extra are rules files given as bytes (built-in rules), loaded last.
	Extra []rules.File
	// MinPriority drops rules less severe than this priority name
	// (emergency … debug). Default "": debug, every rule.
	MinPriority string
	// AllMatches alerts every matching rule, not only the first.
	AllMatches bool
	// Disabled and Enabled name rules to switch off or on after loading.
	Disabled, Enabled []string
	// Hostname is the alerts' hostname field.
	Hostname string
	// ProcRoot is where the fields of live process state (proc.vmrss,
	// fd.types, …) read; "" leaves them missing. Only for live capture.
	ProcRoot string
	// DirLookup finds the directory a dirfd names for evt.abspath and
	// fs.path.* (the agent sets its process table's); nil leaves it to
	// ProcRoot.
	DirLookup event.DirLookup
	// UserInfo resolves user.homedir and user.shell; nil leaves them
	// missing.
	UserInfo func(uid uint32) (home, shell string, ok bool)
	// GroupName names a gid for gid arguments (evt.arg.gid, evt.args);
	// nil leaves Debian's base-passwd groups.
	GroupName func(gid uint32) string
	// Resolver resolves the host names rules compare fd.*.name with
	// (fd.sip.name = "kubernetes.default.svc.cluster.local"). Default nil:
	// the system's resolver, as Falco's getaddrinfo: in a DaemonSet with
	// dnsPolicy ClusterFirstWithHostNet that is the cluster's DNS.
	Resolver syscall.Resolver
}

// ContainerOutput is appended to every syscall rule's output, as Falco's
// container plugin suggests, so each alert says which container, pod and
// namespace it came from.
const ContainerOutput = "container_id=%container.id container_name=%container.name " +
	"container_image_repository=%container.image.repository container_image_tag=%container.image.tag " +
	"k8s_pod_name=%k8s.pod.name k8s_ns_name=%k8s.ns.name"

// ExpandPaths lists the rules files of files and directories.
func ExpandPaths(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("rules path: %w", err)
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		ents, err := os.ReadDir(p)
		if err != nil {
			return nil, fmt.Errorf("rules dir: %w", err)
		}
		var names []string
		for _, e := range ents {
			if !e.IsDir() && (strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
				names = append(names, filepath.Join(p, e.Name()))
			}
		}
		sort.Strings(names)
		out = append(out, names...)
	}
	return out, nil
}

// NewEngine builds and loads a rule engine with the syscall and k8s_audit
// sources. The error lists every problem as file:line:col: message.
func NewEngine(c RulesConfig, users map[uint32]string) (*rules.Engine, *rules.Report, error) {
	minPri := rules.PriorityDebug
	if c.MinPriority != "" {
		p, err := rules.ParsePriority(c.MinPriority)
		if err != nil {
			return nil, nil, err
		}
		minPri = p
	}
	sopts := []syscall.Option{syscall.WithUsers(users)}
	if c.Hostname != "" {
		sopts = append(sopts, syscall.WithHostname(c.Hostname)) // evt.hostname
	}
	if c.ProcRoot != "" {
		sopts = append(sopts, syscall.WithProcFS(c.ProcRoot))
	}
	if c.DirLookup != nil {
		sopts = append(sopts, syscall.WithDirLookup(c.DirLookup))
	}
	if c.UserInfo != nil {
		sopts = append(sopts, syscall.WithUserInfo(c.UserInfo))
	}
	if c.GroupName != nil {
		sopts = append(sopts, syscall.WithGroups(c.GroupName))
	}
	if c.Resolver != nil {
		sopts = append(sopts, syscall.WithResolver(c.Resolver))
	}
	opts := []rules.Option{
		rules.WithSource(syscall.New(sopts...)),
		rules.WithSource(&k8saudit.Source{}),
		rules.WithMinPriority(minPri),
		rules.WithAppendOutput("syscall", ContainerOutput),
	}
	if c.Hostname != "" {
		opts = append(opts, rules.WithHostname(c.Hostname))
	}
	if c.AllMatches {
		opts = append(opts, rules.WithAllMatches())
	}
	e, err := rules.New(opts...)
	if err != nil {
		return nil, nil, err
	}
	files, err := ExpandPaths(c.Paths)
	if err != nil {
		return nil, nil, err
	}
	var all []rules.File
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, nil, fmt.Errorf("read rules: %w", err)
		}
		all = append(all, rules.File{Name: f, Data: b})
	}
	all = append(all, c.Extra...)
	if t := toggles(c.Enabled, c.Disabled); t != nil {
		all = append(all, *t)
	}
	rep, err := e.Load(all...)
	if err != nil {
		return nil, rep, err
	}
	if len(c.Paths) > 0 && len(e.Rules()) == 0 {
		// An empty file, a directory without .yaml files or only macros
		// and lists: a sensor that can raise nothing must not look healthy.
		return nil, rep, fmt.Errorf("%s: no rule loaded (empty, only comments, only macros and lists, or no .yaml file in a directory)", strings.Join(c.Paths, ", "))
	}
	return e, rep, nil
}

// toggles is a generated rules file that switches rules on or off the way a
// user's local rules file does (override: {enabled: replace}).
func toggles(on, off []string) *rules.File {
	if len(on)+len(off) == 0 {
		return nil
	}
	var b strings.Builder
	item := func(name string, enabled bool) {
		fmt.Fprintf(&b, "- rule: %s\n  enabled: %v\n  override:\n    enabled: replace\n", yamlQuote(name), enabled)
	}
	for _, n := range off {
		item(n, false)
	}
	for _, n := range on {
		item(n, true)
	}
	return &rules.File{Name: "<command line --enable/--disable>", Data: []byte(b.String())}
}

func yamlQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
