// Package nvidia describes what a node's NVIDIA GPUs and driver say about
// themselves (NVML facts), behind a small interface of our own.
//
// Source is the one-method interface the sensor consumes; the cgo adapter in
// nvidia/nvml implements it with go-nvml, and NoDriver implements it for
// nodes without a driver. A Refresher polls a Source on a short interval (and
// on demand) and publishes each result as an immutable *Snapshot through an
// atomic pointer, so readers on the event hot path never lock.
//
// Error contract: a Source returns an error wrapping ErrNoDriver when the
// node has no usable NVIDIA driver (no libnvidia-ml.so, driver not loaded, no
// GPU). That is a state, not a failure: Snapshot.State reports it as
// StateNoDriver, and nothing is ever suppressed on such a node. Any other
// error is StateError.
package nvidia
