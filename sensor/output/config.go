package output

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the routes file (--routes):
//
//	outputs:
//	  - {name: stdout, type: stdout}
//	  - {name: team-a, type: webhook, url: https://sidekick.team-a.svc:2801/}
//	  - {name: sec, type: slack, url: https://hooks.slack.com/services/…}
//	  - {name: archive, type: file, path: /var/log/probehub/alerts.jsonl}
//	routes:
//	  - {namespaces: [team-a, team-a-*], outputs: [team-a]}
//	cluster_wide: [archive]
//	default: [stdout]
type Config struct {
	Outputs []OutputConfig `yaml:"outputs"`
	Routes  []struct {
		Namespaces []string `yaml:"namespaces"`
		Outputs    []string `yaml:"outputs"`
	} `yaml:"routes"`
	ClusterWide []string `yaml:"cluster_wide"`
	Default     []string `yaml:"default"`
	QueueSize   int      `yaml:"queue_size"`
	Retries     int      `yaml:"retries"`
}

// OutputConfig is one named output.
type OutputConfig struct {
	Name    string            `yaml:"name"`
	Type    string            `yaml:"type"` // stdout, file, webhook, slack
	URL     string            `yaml:"url"`
	Path    string            `yaml:"path"`
	Format  string            `yaml:"format"` // stdout: json (default) or text
	Headers map[string]string `yaml:"headers"`
}

// MaxQueueSize bounds queue_size: each output's queue is allocated up
// front, so a mistyped size must not take the node's memory.
const MaxQueueSize = 1 << 16

// LoadConfig reads a routes file; unknown keys are errors.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read routes: %w", err)
	}
	return ParseConfig(b, path)
}

// ParseConfig parses the routes file b read from name; unknown keys are
// errors, and so is a file with no outputs, routes or defaults in it (an
// empty file would silently send every alert to stdout).
func ParseConfig(b []byte, name string) (*Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty routes file", name)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if c.QueueSize < 0 || c.QueueSize > MaxQueueSize {
		return nil, fmt.Errorf("%s: queue_size %d: want 0 (default %d) to %d", name, c.QueueSize, 1024, MaxQueueSize)
	}
	if len(c.Outputs) == 0 && len(c.Routes) == 0 && len(c.ClusterWide) == 0 && len(c.Default) == 0 {
		return nil, fmt.Errorf("%s: no outputs, routes, cluster_wide or default", name)
	}
	return &c, nil
}

// Build opens the configured sinks and the router. stdout is where "stdout"
// outputs write. The returned closers must be closed after the router.
func (c *Config) Build(stdout io.Writer) (*Router, []io.Closer, error) {
	sinks := map[string]Sink{}
	var closers []io.Closer
	for i, o := range c.Outputs {
		if o.Name == "" {
			return nil, closers, fmt.Errorf("routes: output %d has no name", i+1)
		}
		if _, dup := sinks[o.Name]; dup {
			return nil, closers, fmt.Errorf("routes: output %q defined twice", o.Name)
		}
		s, cl, err := o.sink(stdout)
		if err != nil {
			return nil, closers, err
		}
		if cl != nil {
			closers = append(closers, cl)
		}
		sinks[o.Name] = s
	}
	cfg := RouterConfig{ClusterWide: c.ClusterWide, Default: c.Default, QueueSize: c.QueueSize, Retries: c.Retries, Backoff: 200 * time.Millisecond}
	for _, r := range c.Routes {
		cfg.Routes = append(cfg.Routes, Route{Namespaces: r.Namespaces, Outputs: r.Outputs})
	}
	r, err := NewRouter(sinks, cfg)
	return r, closers, err
}

func (o OutputConfig) sink(stdout io.Writer) (Sink, io.Closer, error) {
	switch o.Type {
	case "stdout":
		return NewWriter(stdout, o.Format != "text"), nil, nil
	case "file":
		if o.Path == "" {
			return nil, nil, fmt.Errorf("routes: output %q: file needs path", o.Name)
		}
		w, c, err := OpenFile(o.Path)
		return w, c, err
	case "webhook":
		if o.URL == "" {
			return nil, nil, fmt.Errorf("routes: output %q: webhook needs url", o.Name)
		}
		return &Webhook{URL: o.URL, Headers: o.Headers}, nil, nil
	case "slack":
		if o.URL == "" {
			return nil, nil, fmt.Errorf("routes: output %q: slack needs url", o.Name)
		}
		return &Slack{URL: o.URL}, nil, nil
	}
	return nil, nil, fmt.Errorf("routes: output %q: unknown type %q (want stdout, file, webhook or slack)", o.Name, o.Type)
}
