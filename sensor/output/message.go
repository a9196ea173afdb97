package output

import "context"

// Message is one alert ready for delivery.
type Message struct {
	Rule      string
	Priority  string
	Source    string
	Namespace string // the tenant namespace; empty for cluster-level alerts
	Text      string // Falco's text output line
	JSON      []byte // Falco's JSON alert
}

// Sink writes messages somewhere. Send is called from one goroutine per sink.
type Sink interface {
	Send(ctx context.Context, m Message) error
}
