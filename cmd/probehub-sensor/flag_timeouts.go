package main

import (
	"github.com/spf13/pflag"

	"github.com/probehub/probehub/internal/limit"
)

// limitTimeouts registers an HTTP server's deadlines as flags.
type limitTimeouts limit.Timeouts

// register adds PREFIX{read-header,read,write,idle}-timeout, defaulting to
// the values t holds.
func (t *limitTimeouts) register(fl *pflag.FlagSet, prefix, what string) {
	fl.DurationVar(&t.ReadHeader, prefix+"read-header-timeout", t.ReadHeader, "time a client has to send its request headers to "+what)
	fl.DurationVar(&t.Read, prefix+"read-timeout", t.Read, "time a client has to send its whole request to "+what+"; a body still arriving then is answered 408")
	fl.DurationVar(&t.Write, prefix+"write-timeout", t.Write, "time "+what+" has to write an answer")
	fl.DurationVar(&t.Idle, prefix+"idle-timeout", t.Idle, "how long "+what+" keeps an idle keep-alive connection")
}
