package gpu

import (
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/probehub/probehub/nvidia"
	"github.com/probehub/probehub/sensor/event"
)

func (p *Profile) validate() error {
	if _, err := nvidia.ParseBranch(strings.TrimPrefix(string(p.Branch), "R")); err != nil {
		return fmt.Errorf("branch %q: %w", p.Branch, err)
	}
	seen := map[string]bool{}
	for i := range p.Entries {
		e := &p.Entries[i]
		if seen[e.Name] {
			return fmt.Errorf("entry %q defined twice", e.Name)
		}
		seen[e.Name] = true
		if err := e.validate(); err != nil {
			return fmt.Errorf("entry %q: %w", e.Name, err)
		}
	}
	return nil
}

func (e *Entry) validate() error {
	if e.Name == "" || len(e.Rules) == 0 || len(e.EvtTypes) == 0 {
		return errors.New("name, rules and evt_types are required")
	}
	for _, t := range e.EvtTypes {
		if _, err := event.ParseType(t); err != nil {
			return err
		}
	}
	for _, f := range e.Files {
		if _, err := path.Match(f, ""); err != nil {
			return fmt.Errorf("file glob %q: %w", f, err)
		}
	}
	if len(e.Process.ExePath) == 0 && len(e.Files) == 0 && len(e.Process.Images) == 0 {
		return errors.New("needs a process exepath, an image or files: an entry matching anything is refused")
	}
	for _, b := range e.Verify.Binaries {
		if err := e.validateBinary(b); err != nil {
			return err
		}
	}
	return nil
}

func (e *Entry) validateBinary(b BinarySpec) error {
	n, err := whoIndex(b.Who)
	if err != nil {
		return err
	}
	if n > len(e.Parents) {
		return fmt.Errorf("verify %s: only %d parents are specified", b.Who, len(e.Parents))
	}
	if b.Root != "host" && b.Root != "driver" {
		return fmt.Errorf("verify %s: root %q: want host or driver", b.Who, b.Root)
	}
	if b.Embeds != "" && b.Embeds != "driver_version" {
		return fmt.Errorf("verify %s: embeds %q: want driver_version", b.Who, b.Embeds)
	}
	return nil
}

// whoIndex maps "self" to 0 and "parentN" to N.
func whoIndex(who string) (int, error) {
	if who == "self" {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimPrefix(who, "parent"))
	if err != nil || n < 1 || !strings.HasPrefix(who, "parent") {
		return 0, fmt.Errorf("verify who %q: want self or parentN", who)
	}
	return n, nil
}
