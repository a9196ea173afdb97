package rules

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/probehub/probehub/internal/version"
)

type semver [3]int

func parseSemver(s string) (semver, error) {
	var v semver
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) != 3 {
		return v, fmt.Errorf("invalid version %q: want MAJOR.MINOR.PATCH", s)
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return v, fmt.Errorf("invalid version %q: want MAJOR.MINOR.PATCH", s)
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

// checkEngineVersion checks a required_engine_version value (an integer N
// meaning 0.N.0, or a semver) against version.EngineVersion: same major,
// and not newer.
func checkEngineVersion(s string) error {
	req := s
	if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
		req = fmt.Sprintf("0.%d.0", n)
	}
	want, err := parseSemver(req)
	if err != nil {
		return err
	}
	have, _ := parseSemver(version.EngineVersion)
	if want[0] != have[0] || have.less(want) {
		return fmt.Errorf("rules require engine version %s, but engine version is %s", req, version.EngineVersion)
	}
	return nil
}
