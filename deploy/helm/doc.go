// Package helm holds the tests of the Helm chart in probehub/: it renders
// the chart with Helm's Go SDK and decodes every object strictly into the
// Kubernetes API types, and keeps the plain manifests in deploy/kubernetes/
// equal to what the chart renders. Only these tests link Helm; no binary
// imports this package.
package helm
