package crawler

import (
	"regexp"
	"strings"
)

var seriesRe = regexp.MustCompile(`~(\d\d\.\d\d)\.\d+`)

// Base kernels of Ubuntu releases (the GA kernel of each series).
var baseVersions = map[string]string{
	"3.13": "14.04", "3.16": "14.10", "3.19": "15.04", "4.2": "15.10", "4.4": "16.04", "4.8": "16.10",
	"4.10": "17.04", "4.13": "17.10", "4.15": "18.04", "4.18": "18.10", "5.0": "19.04", "5.3": "19.10",
	"5.4": "20.04", "5.8": "20.10", "5.11": "21.04", "5.13": "21.10", "5.15": "22.04", "5.19": "22.10",
	"6.2": "23.04", "6.5": "23.10", "6.8": "24.04", "6.11": "24.10", "6.14": "25.04",
}

// Targets whose kernels ship on an older series without a ~ suffix in the
// version (linux-oem-5.x, linux-intel-5.13 on focal, linux-azure 4.11 on xenial).
var targetVersions = map[string]string{
	"ubuntu-oem-5.6": "20.04", "ubuntu-oem-5.10": "20.04", "ubuntu-oem-5.13": "20.04", "ubuntu-oem-5.14": "20.04",
	"ubuntu-oem-5.17": "22.04", "ubuntu-intel-5.13": "20.04", "ubuntu-oem": "18.04",
}

var ubuntuCodenames = map[string]string{
	"14.04": "trusty", "16.04": "xenial", "18.04": "bionic", "20.04": "focal", "22.04": "jammy", "24.04": "noble",
	"14.10": "utopic", "15.04": "vivid", "15.10": "wily", "16.10": "yakkety", "17.04": "zesty", "17.10": "artful",
	"18.10": "cosmic", "19.04": "disco", "19.10": "eoan", "20.10": "groovy", "21.04": "hirsute", "21.10": "impish",
	"22.10": "kinetic", "23.04": "lunar", "23.10": "mantic", "24.10": "oracular", "25.04": "plucky",
}

// UbuntuVersion returns the VERSION_ID of the Ubuntu release a kernel
// package belongs to: the series in a backport version (5.4.0-128.144~18.04.1
// → 18.04), else the target's known series, else the series whose GA
// kernel has the release's major.minor; "" when none applies.
func UbuntuVersion(release, version, target string) string {
	if m := seriesRe.FindStringSubmatch(version); m != nil {
		return m[1]
	}
	if v, ok := targetVersions[target]; ok {
		return v
	}
	if strings.HasPrefix(release, "4.11.") && target == "ubuntu-azure" {
		return "16.04"
	}
	p := strings.SplitN(release, ".", 3)
	if len(p) < 2 {
		return ""
	}
	return baseVersions[p[0]+"."+p[1]]
}
