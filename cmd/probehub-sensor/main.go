// Command probehub-sensor is the probehub node agent (run it as a DaemonSet):
// it loads CO-RE eBPF probes matched to the node's kernel, runs Falco-compatible
// rules over syscalls and Kubernetes audit events, and routes alerts per tenant.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCmd().ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "probehub-sensor:", err)
		os.Exit(1)
	}
}
