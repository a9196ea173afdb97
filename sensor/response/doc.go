// Package response turns alerts into actions with guard rails: it matches
// alerts against the policies of a responses file (rule names, priority,
// tags, source, namespace), and runs their actions — kill the process
// (through a pidfd, so a reused PID is never hit), terminate, label,
// annotate or isolate the pod, cordon the node, or hand the alert and the
// decision to a webhook in falcosidekick's format — after the guard rails
// agree: dry runs, a namespace deny list, per-policy and global rate limits
// and a per-target cool-down. Every decision, taken or skipped, is logged,
// counted and optionally raised as an alert of its own.
//
// Actions run on bounded queues off the capture path: a slow or unreachable
// API server or webhook never blocks capture or alerting; what does not fit
// is dropped and counted.
package response
