// Package api holds the wire types of the compatibility API: the facts a node
// reports, the answer it gets, kernel and matrix views, and the kernel-matrix
// test result the matrix runner writes and the service reads. It imports
// nothing beyond the standard library so that the sensor and the matrix
// runner can use it without pulling in the server.
package api
