package main

import (
	"github.com/probehub/probehub/sensor/container"
	"github.com/probehub/probehub/sensor/event"
)

// containerMetadata fills a container's runtime metadata from its full id
// (container.Cache); false while the runtime has not answered.
type containerMetadata interface {
	Lookup(id string, c *event.Container) bool
}

// maxRecordedCgroups bounds the cgroups a capture remembers as recorded;
// past it they are forgotten, and a container's record is written again.
const maxRecordedCgroups = 4096

// containerRecords writes, before an event, the container record
// (event.Snapshot) of the event's container when the runtime has given
// its metadata and the recording does not hold it yet: a replay then
// fills the container's events that follow as `run` fills them once its
// cache has the container. Events of a container whose metadata has not
// come yet ask again, as run's do.
type containerRecords struct {
	meta containerMetadata
	// done are the cgroups recorded, or that are no container; last is
	// the latest of them (events come in runs of one process).
	done map[string]bool
	last string
}

func newContainerRecords(meta containerMetadata) *containerRecords {
	return &containerRecords{meta: meta, done: map[string]bool{}}
}

// before returns the container record to write before ev, if any; nil
// r writes none.
func (r *containerRecords) before(ev *event.Event) *event.Snapshot {
	if r == nil {
		return nil
	}
	cg := ev.Proc.Cgroup
	if cg == r.last || r.done[cg] {
		r.last = cg
		return nil
	}
	ref := container.FromCgroup(cg)
	c := event.Container{ID: ref.ShortID(), FullID: ref.ID, Type: string(ref.Runtime), PodUID: ref.PodUID}
	if ref.ID != "" && !r.meta.Lookup(ref.ID, &c) {
		return nil
	}
	if len(r.done) >= maxRecordedCgroups {
		clear(r.done)
	}
	r.done[cg], r.last = true, cg
	if ref.ID == "" {
		return nil // off containers: the cgroup tells all
	}
	return &event.Snapshot{Version: event.SnapshotVersion, Time: ev.Time, Container: &event.SnapshotContainer{Cgroup: cg, Container: c}}
}
