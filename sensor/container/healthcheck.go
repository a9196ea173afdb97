package container

import (
	"encoding/json"
	"os"
	"path/filepath"
)

// contentBlobs is where containerd keeps content (image configs among
// it), under its root.
const contentBlobs = "io.containerd.content.v1.content/blobs/sha256"

// DefaultContainerdRoot is containerd's root on the host.
const DefaultContainerdRoot = "/var/lib/containerd"

// imageHealthcheck returns the health check command an image's config
// declares (Docker's HEALTHCHECK, kept in the image config's
// config.Healthcheck), read from containerd's content store under root:
// on containerd the CRI image id is the config's digest. The command is
// what the check runs: ["CMD", exe, args…] runs exe, ["CMD-SHELL", line]
// runs /bin/sh -c line, and ["NONE"] (checks switched off) is kept as
// such. Nil when the image declares none or the blob cannot be read.
func imageHealthcheck(root, imageID string) []string {
	if root == "" || !isHex64(imageID) {
		return nil
	}
	b, err := os.ReadFile(filepath.Join(root, contentBlobs, imageID))
	if err != nil {
		return nil
	}
	var cfg struct {
		Config struct {
			Healthcheck *struct {
				Test []string `json:"Test"`
			} `json:"Healthcheck"`
		} `json:"config"`
	}
	if json.Unmarshal(b, &cfg) != nil || cfg.Config.Healthcheck == nil {
		return nil
	}
	return healthcheckCommand(cfg.Config.Healthcheck.Test)
}

// healthcheckCommand turns a Healthcheck.Test into the command run.
func healthcheckCommand(test []string) []string {
	if len(test) == 0 {
		return nil
	}
	switch test[0] {
	case "NONE":
		return []string{"NONE"}
	case "CMD":
		if len(test) > 1 {
			return test[1:]
		}
	case "CMD-SHELL":
		if len(test) > 1 {
			return []string{"/bin/sh", "-c", test[1]}
		}
	}
	return nil
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
