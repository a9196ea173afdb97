// Package compat is the compatibility service: an HTTP API (echo v5) and an
// HTML matrix page that answer "will the sensor run on this kernel, with
// what, and was it tested?" from what the build side wrote: the kernel
// catalog, the build verdicts, the published artifact index and the
// kernel-matrix test results.
//
// The service reads its sources through four small interfaces (Catalog,
// Verdicts, Artifacts, Evidence) into an immutable in-memory index, swapped
// atomically on refresh, so that POST /v1/resolve is two map lookups. Wire
// types live in compat/api; the client the sensor uses is compat/client.
//
// Handlers return errors; one error handler maps them to a status and the
// JSON body {"error": ..., "field": ...}. A *FieldError is a 400 that names
// the request field at fault.
package compat
