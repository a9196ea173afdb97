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

// ProfileBranches are the branches the sensor's GPU filter has a built-in
// profile for (sensor/gpu/profiles/r*.yaml; a test there keeps this list
// equal to the files). A driver of another branch runs with the filter off.
var ProfileBranches = []Branch{"R535", "R550", "R570", "R580"}
