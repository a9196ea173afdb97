// Command probehub is the build side of probehub: the kernel catalog, BTF
// extraction and minimization, artifact publishing, the compatibility API and
// the kernel test matrix.
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
		fmt.Fprintln(os.Stderr, "probehub:", err)
		os.Exit(1)
	}
}
