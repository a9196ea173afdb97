package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/probehub/probehub/compat/api"
	"github.com/probehub/probehub/compat/client"
	"github.com/probehub/probehub/sensor/hostinfo"
)

// apiAnswer is what the compatibility API said about this node; nil when
// it was not asked or did not answer.
type apiAnswer struct{ a client.Answer }

// askAPI asks the compatibility API whether the sensor runs on this node.
// The answer is advisory (see bootFlags.kernelTypes); an unreachable API is
// logged and returns nil.
func askAPI(ctx context.Context, log *slog.Logger, url, hostRoot string) (*apiAnswer, error) {
	h, err := hostinfo.Detect(hostRoot)
	if err != nil {
		return nil, fmt.Errorf("detect this node's kernel: %w", err)
	}
	c, err := client.New(url, &http.Client{Timeout: 3 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("--api: %w", err)
	}
	a, err := c.Resolve(ctx, api.Facts{Distro: h.Key.Distro, VersionID: h.Key.VersionID, Arch: h.Key.Arch,
		Release: h.Key.Release, ProcVersion: h.Banner, KernelBTF: h.KernelBTF != ""})
	if err != nil {
		log.Warn("compatibility API gave no answer; the node decides itself", "api", url, "err", err)
		return nil, nil
	}
	ref := ""
	if a.Artifact != nil {
		ref = a.Artifact.Ref
	}
	log.Info("compatibility API", "status", a.Status, "kernel", a.Kernel, "artifact", ref,
		"btf_needed", a.BTFNeeded, "reasons", strings.Join(a.Reasons, "; "))
	return &apiAnswer{a: a}, nil
}

// logDecision logs the node's own decision beside the API's answer, loudly
// when they disagree.
func (x *apiAnswer) logDecision(log *slog.Logger, decision string) {
	if x == nil {
		return
	}
	if x.a.Status == api.Unsupported {
		log.Warn("the compatibility API says unsupported, but this node can load: its own decision wins",
			"api_status", x.a.Status, "api_reasons", strings.Join(x.a.Reasons, "; "), "node", decision)
		return
	}
	log.Info("compatibility API and node agree", "api_status", x.a.Status, "node", decision)
}

// wrap adds the API's answer to the error of a node that cannot load.
func (x *apiAnswer) wrap(err error) error {
	if x == nil {
		return err
	}
	return fmt.Errorf("%w (the compatibility API says %s: %s)", err, x.a.Status, strings.Join(x.a.Reasons, "; "))
}
