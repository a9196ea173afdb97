package kernelbuild

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Symbol is one line of a config fragment or a .config: CONFIG_NAME=value.
// Value is "y", "m", "n" (also written "# CONFIG_NAME is not set"), a
// number or a quoted string, exactly as Kconfig writes it.
type Symbol struct {
	Name  string // with the CONFIG_ prefix
	Value string
}

func (s Symbol) String() string { return s.Name + "=" + s.Value }

// Fragment is a kernel config fragment, in file order.
type Fragment []Symbol

var (
	symbolLine = regexp.MustCompile(`^(CONFIG_[A-Za-z0-9_]+)=(.*)$`)
	notSetLine = regexp.MustCompile(`^# (CONFIG_[A-Za-z0-9_]+) is not set$`)
)

// ParseFragment reads a fragment (or a whole .config): CONFIG_X=value lines,
// "# CONFIG_X is not set" lines, comments and blank lines. A symbol set twice
// is an error: the second would silently win in merge_config.sh.
func ParseFragment(r io.Reader) (Fragment, error) {
	var f Fragment
	seen := map[string]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		s, ok, err := parseLine(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if !ok {
			continue
		}
		if prev, dup := seen[s.Name]; dup {
			return nil, fmt.Errorf("line %d: %s already set on line %d", n, s.Name, prev)
		}
		seen[s.Name] = n
		f = append(f, s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read config fragment: %w", err)
	}
	return f, nil
}

// parseLine returns the symbol a line sets; ok is false for comments and
// blank lines.
func parseLine(line string) (Symbol, bool, error) {
	if m := notSetLine.FindStringSubmatch(line); m != nil {
		return Symbol{Name: m[1], Value: "n"}, true, nil
	}
	if line == "" || strings.HasPrefix(line, "#") {
		return Symbol{}, false, nil
	}
	m := symbolLine.FindStringSubmatch(line)
	if m == nil {
		return Symbol{}, false, fmt.Errorf("%q: want CONFIG_NAME=value, \"# CONFIG_NAME is not set\" or a comment", line)
	}
	if m[2] == "" {
		return Symbol{}, false, fmt.Errorf("%s has no value", m[1])
	}
	return Symbol{Name: m[1], Value: m[2]}, true, nil
}

// Bytes writes the fragment back in merge_config.sh's input form.
func (f Fragment) Bytes() []byte {
	var b bytes.Buffer
	for _, s := range f {
		if s.Value == "n" {
			fmt.Fprintf(&b, "# %s is not set\n", s.Name)
			continue
		}
		fmt.Fprintf(&b, "%s\n", s)
	}
	return b.Bytes()
}

// Mismatch is a fragment symbol the final .config does not have: Kconfig
// dropped it (an unmet dependency, a choice, a symbol that does not exist in
// this kernel version).
type Mismatch struct {
	Want Symbol
	Got  string // the .config's value; "" when the symbol is absent
}

func (m Mismatch) String() string {
	got := m.Got
	if got == "" {
		got = "absent"
	}
	return fmt.Sprintf("%s (got %s)", m.Want, got)
}

// Check compares the fragment with a final .config. A symbol wanted "n" is
// met when the .config has it not set or does not have it at all (its
// dependencies are off).
func (f Fragment) Check(config []byte) ([]Mismatch, error) {
	have, err := ParseFragment(bytes.NewReader(config))
	if err != nil {
		return nil, fmt.Errorf("parse .config: %w", err)
	}
	got := make(map[string]string, len(have))
	for _, s := range have {
		got[s.Name] = s.Value
	}
	var out []Mismatch
	for _, want := range f {
		v, ok := got[want.Name]
		if v == want.Value || (want.Value == "n" && !ok) {
			continue
		}
		out = append(out, Mismatch{Want: want, Got: v})
	}
	return out, nil
}
