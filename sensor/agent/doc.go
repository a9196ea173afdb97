// Package agent is the sensor's pipeline: kernel events from the probe are
// kept in the process table, enriched with their container, evaluated by the
// rule engine, passed through the GPU-node filter and delivered by the output
// router; Kubernetes audit events join at the rule engine. Rules reload
// (SIGHUP or a file change) swaps the engine atomically: events keep flowing,
// and a bad reload keeps the running rules.
package agent
