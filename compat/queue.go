package compat

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/probehub/probehub/kernels"
)

// BuildFunc builds one kernel for one probe version (empty: the newest). The
// command wires it to the builder.
type BuildFunc func(ctx context.Context, key kernels.Key, probe string) error

// job is one queued build.
type job struct {
	id    string
	key   kernels.Key
	probe string
}

// queue is an in-process build queue served by one goroutine.
type queue struct {
	build BuildFunc
	jobs  chan job
	seq   atomic.Uint64
	log   *slog.Logger
}

func newQueue(build BuildFunc, size int, log *slog.Logger) *queue {
	if size <= 0 {
		size = 64
	}
	return &queue{build: build, jobs: make(chan job, size), log: log}
}

// enqueue adds a build; ok is false when the queue is full.
func (q *queue) enqueue(key kernels.Key, probe string) (id string, ok bool) {
	j := job{id: fmt.Sprintf("b-%06d", q.seq.Add(1)), key: key, probe: probe}
	select {
	case q.jobs <- j:
		return j.id, true
	default:
		return "", false
	}
}

// run builds queued jobs one at a time until ctx is done.
func (q *queue) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-q.jobs:
			if err := q.build(ctx, j.key, j.probe); err != nil {
				q.log.Error("build failed", "id", j.id, "kernel", j.key.String(), "probe", j.probe, "err", err)
				continue
			}
			q.log.Info("build done", "id", j.id, "kernel", j.key.String(), "probe", j.probe)
		}
	}
}
