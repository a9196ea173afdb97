package main

import (
	"context"
	"os"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/container"
	"github.com/probehub/probehub/sensor/container/containerdtest"
	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/proctable"
)

// TestReplayContainerMatchesLive runs a real pod in a private containerd,
// then the live pipeline with its CRI cache and, beside it, the capture
// command asking the same containerd: the container's shell, older than
// both, reads /etc/shadow through a cat each time the host writes its
// trigger. The capture records the container's metadata once containerd
// has answered; the replay of the recording gives the alert of a read
// after that with the same container and pod fields (container.name,
// image, k8s.pod.name, k8s.ns.name) and everything else as the live one.
func TestReplayContainerMatchesLive(t *testing.T) {
	testutil.RequireRoot(t)
	rulesFile := testutil.SharedData(t, "falco_rules.yaml")
	rt := containerdtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	const image = "probehub.test/replay:v1"
	cmd := []string{"/bin/sh", "-c", "while :; do read line < /data/trigger && cat /etc/shadow > /dev/null; done"}
	rt.Import(ctx, image, containerdtest.BusyboxImage(t, cmd, map[string]containerdtest.File{
		"etc/shadow": {Data: []byte("root:*:20000:0:99999:7:::\n"), Mode: 0o640},
	}))
	data, err := os.MkdirTemp(rt.Dir, "data")
	if err != nil {
		t.Fatal(err)
	}
	fifo := containerdtest.NewTrigger(t, data)
	run := rt.RunPod(ctx, containerdtest.Pod{Name: "web-5c7d", Namespace: "tenant-r", UID: "6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
		Container: containerdtest.Container{Name: "web", Image: image, Command: cmd,
			Mounts: []*runtimeapi.Mount{{ContainerPath: "/data", HostPath: data}}}})
	id := run.ContainerID[:12]

	k := container.NewCRICache(ctx, container.CRIOptions{Sockets: []string{rt.Socket}, ContainerdRoot: rt.Root})
	t.Cleanup(func() { _ = k.Close() })
	if err := k.Err(); err != nil {
		t.Fatalf("CRI cache: %v", err)
	}
	types := append(append([]event.Type(nil), proctable.Lifecycle...), event.TypeOpen, event.TypeOpenat, event.TypeOpenat2)
	sink := &snapshotSink{}
	startSnapshotSensor(t, rulesFile, types, sink, k)
	recording, capErr := startCapture(t, types, []string{rt.Socket}, run.ContainerID)

	trigger := func() { t.Helper(); containerdtest.Trigger(t, fifo) }
	// The first read: both caches ask containerd in the background.
	trigger()
	if _, ok := sink.wait(snapshotRule, id, 1); !ok {
		t.Fatalf("no live %q alert for container %s", snapshotRule, id)
	}
	for deadline := time.Now().Add(testutil.Patience); ; time.Sleep(20 * time.Millisecond) {
		c := event.Container{ID: id, FullID: run.ContainerID}
		if k.Lookup(run.ContainerID, &c) && recording.out.containers.Load() > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no container metadata: live %v, container records %d", k.Lookup(run.ContainerID, &event.Container{}), recording.out.containers.Load())
		}
		trigger() // the capture writes the record before the container's next event
		time.Sleep(200 * time.Millisecond)
	}
	n := len(sink.all(snapshotRule, id)) + 1
	trigger()
	live, ok := sink.wait(snapshotRule, id, n)
	if !ok {
		t.Fatalf("no live %q alert #%d for container %s", snapshotRule, n, id)
	}
	rec, err := recording.stop(t, int64(n))
	if err != nil {
		t.Fatalf("capture: %v (stderr: %s)", err, capErr.String())
	}
	got := replayRecording(t, rulesFile, rec)
	all := alertsFor(got, snapshotRule, id)
	if len(all) < n {
		t.Fatalf("replay: %d %q alerts for container %s, want %d as live", len(all), snapshotRule, id, n)
	}
	replayed := all[n-1]
	t.Logf("live alert #%d: %s", n, live["output"])
	for f, v := range map[string]any{"container.id": id, "container.name": "web", "container.image.repository": "probehub.test/replay",
		"container.image.tag": "v1", "k8s.pod.name": "web-5c7d", "k8s.ns.name": "tenant-r"} {
		if got := replayed["output_fields"].(map[string]any)[f]; got != v {
			t.Errorf("replayed %s = %v, want %v", f, got, v)
		}
	}
	sameAlert(t, live, replayed)
}
