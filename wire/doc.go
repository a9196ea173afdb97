// Package wire holds the on-disk and wire formats shared by the build side,
// the kernel matrix and the compatibility service, one leaf package each:
// buildresult (a build output directory), matrixrow (the matrix's
// results.json) and job (the host ↔ guest protocol of the matrix).
package wire
