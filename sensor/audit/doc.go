// Package audit is the sensor's Kubernetes audit input, compatible with
// Falco's k8saudit plugin: an HTTP webhook receiving audit.k8s.io/v1 Event or
// EventList bodies on POST /k8s-audit (the kube-apiserver webhook backend),
// and a Tail that follows an audit log file (JSON lines) across appends,
// truncation and rotation.
//
// Both decode with a rules.Decoder (normally *k8saudit.Source) and hand every
// event to a Sink; the sensor pipeline feeds them to the rule engine. Both
// count what they see in atomic counters (Stats) for the pipeline to export.
// Malformed input is counted and rejected, never fatal.
package audit

import "context"

// Sink receives decoded events. It is called from the goroutine that
// decoded them (an HTTP request's, or the Tail's) and should not block
// for long: the webhook answers the API server only after the sink returns.
type Sink func(ctx context.Context, ev any)

// ChanSink returns a Sink that sends events to ch, giving up when ctx is
// done.
func ChanSink(ch chan<- any) Sink {
	return func(ctx context.Context, ev any) {
		select {
		case ch <- ev:
		case <-ctx.Done():
		}
	}
}
