// Package output delivers alerts: to stdout, a file, an HTTP webhook
// (falcosidekick accepts the body unchanged) or a Slack incoming webhook,
// routed per Kubernetes namespace so that each tenant's alerts reach that
// tenant's outputs and no other's.
//
// Delivery never blocks the caller: every output has a bounded queue drained
// by its own goroutine with retries; when a queue is full the alert is
// dropped and counted.
package output
