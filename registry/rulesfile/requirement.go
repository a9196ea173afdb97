package rulesfile

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/probehub/probehub/internal/version"
)

// ErrRequirement is wrapped by the errors of rules whose config layer
// requires what this sensor does not provide (a newer rule engine).
var ErrRequirement = errors.New("rules artifact requirement not met")

// Provides is what this build offers a config layer's requirements, with
// falcoctl's names: engine_version_semver (the rule engine, e.g. "0.63.0")
// and the older integer engine_version (its minor number, "63").
func Provides() map[string]string {
	minor := strings.Split(version.EngineVersion, ".")[1]
	return map[string]string{"engine_version_semver": version.EngineVersion, "engine_version": minor}
}

// CheckRequirements checks c's requirements against have (usually
// Provides()) as falcoctl's follower does: a name have lacks is unmet; an
// integer version needs have's integer to be at least it; a semantic
// version needs the same major and have at least it. Errors wrap
// ErrRequirement and name the requirement and both versions.
func CheckRequirements(c Config, have map[string]string) error {
	for _, r := range c.Requirements {
		got, ok := have[r.Name]
		if !ok {
			return fmt.Errorf("%w: requires %s %s, which this sensor does not provide (it provides engine_version_semver %s)", ErrRequirement, r.Name, r.Version, have["engine_version_semver"])
		}
		if err := meets(r, got); err != nil {
			return err
		}
	}
	return nil
}

func meets(r Requirement, got string) error {
	if want, err := strconv.Atoi(r.Version); err == nil {
		n, err := strconv.Atoi(got)
		if err != nil {
			return fmt.Errorf("%w: %s %q: want an integer to compare with %q", ErrRequirement, r.Name, r.Version, got)
		}
		if n < want {
			return fmt.Errorf("%w: requires %s %d, this sensor has %d: upgrade the sensor, or follow an older rules version", ErrRequirement, r.Name, want, n)
		}
		return nil
	}
	want, err := parseSemver(r.Version)
	if err != nil {
		return fmt.Errorf("%w: %s %q: %w", ErrRequirement, r.Name, r.Version, err)
	}
	have, err := parseSemver(got)
	if err != nil {
		return fmt.Errorf("%w: %s: this sensor's %q: %w", ErrRequirement, r.Name, got, err)
	}
	if want[0] != have[0] || have.less(want) {
		return fmt.Errorf("%w: requires %s %s, this sensor's rule engine is %s: upgrade the sensor, or follow an older rules version", ErrRequirement, r.Name, r.Version, got)
	}
	return nil
}

type semver [3]int

// parseSemver reads MAJOR.MINOR.PATCH, ignoring a -pre-release or +build
// suffix.
func parseSemver(s string) (semver, error) {
	var v semver
	core, _, _ := strings.Cut(strings.TrimPrefix(s, "v"), "+")
	core, _, _ = strings.Cut(core, "-")
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return v, fmt.Errorf("want a semantic version MAJOR.MINOR.PATCH")
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return v, fmt.Errorf("want a semantic version MAJOR.MINOR.PATCH")
		}
		v[i] = n
	}
	return v, nil
}

func (v semver) less(o semver) bool {
	for i := range v {
		if v[i] != o[i] {
			return v[i] < o[i]
		}
	}
	return false
}
