package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/probehub/probehub/compat/api"
	"github.com/probehub/probehub/compat/client"
	"github.com/probehub/probehub/sensor/hostinfo"
)

// askAPI asks the compatibility API whether the sensor runs on this node.
// An "unsupported" answer stops the start with the API's reasons; an
// unreachable API is logged and the registry index decides.
func askAPI(ctx context.Context, log *slog.Logger, url, hostRoot string) error {
	h, err := hostinfo.Detect(hostRoot)
	if err != nil {
		return fmt.Errorf("detect this node's kernel: %w", err)
	}
	c, err := client.New(url, &http.Client{Timeout: 3 * time.Second})
	if err != nil {
		return fmt.Errorf("--api: %w", err)
	}
	a, err := c.Resolve(ctx, api.Facts{Distro: h.Key.Distro, VersionID: h.Key.VersionID, Arch: h.Key.Arch,
		Release: h.Key.Release, ProcVersion: h.Banner})
	if errors.Is(err, client.ErrUnavailable) {
		log.Warn("compatibility API unavailable; the registry index decides", "api", url, "err", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("ask the compatibility API: %w", err)
	}
	ref := ""
	if a.Artifact != nil {
		ref = a.Artifact.Ref
	}
	log.Info("compatibility API", "status", a.Status, "kernel", a.Kernel, "artifact", ref,
		"btf_needed", a.BTFNeeded, "reasons", strings.Join(a.Reasons, "; "))
	if a.Status == api.Unsupported {
		return fmt.Errorf("the compatibility API says the sensor does not run on %s: %s", h.Key, strings.Join(a.Reasons, "; "))
	}
	return nil
}
