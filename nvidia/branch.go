package nvidia

import (
	"fmt"
	"strconv"
	"strings"
)

// Branch is a driver release branch, named as NVIDIA does: "R550" for every
// 550.x.y driver.
type Branch string

// ParseBranch returns the branch of a driver version such as "550.54.15".
func ParseBranch(version string) (Branch, error) {
	major, _, _ := strings.Cut(version, ".")
	n, err := strconv.Atoi(major)
	if err != nil || n <= 0 {
		return "", fmt.Errorf("parse driver version %q: want MAJOR.MINOR[.PATCH]", version)
	}
	return Branch("R" + strconv.Itoa(n)), nil
}
