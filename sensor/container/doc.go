// Package container identifies the container of a process from its cgroup
// path, the way docker, containerd (CRI), CRI-O and podman lay cgroups out,
// and keeps what the CRI runtime says about each container in a cache that
// never blocks the event path.
package container
