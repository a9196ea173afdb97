#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager and etcd from the Go module
# proxy (no kubelet, no scheduler, no container engine) into
# ${PROBEHUB_CACHE:-~/.cache/probehub}/kube/bin, for deploy/helm's
# integration tests (make test-integration: go test -tags integration
# ./deploy/helm/ with PROBEHUB_KUBE_BIN set to that directory).
# Neither module can be `go install`ed directly: their go.mod files replace
# their own sub-modules with local paths. So each is built from a small
# wrapper module that pins those sub-modules to the published versions.
# About 20-40 minutes on 2 busy cores, once.
set -euo pipefail
K8S=${K8S_VERSION:-1.34.1}
ETCD=${ETCD_VERSION:-3.6.5}
out=${PROBEHUB_CACHE:-$HOME/.cache/probehub}/kube
mkdir -p "$out/bin" "$out/src/kube" "$out/src/etcd"
export GOFLAGS=-mod=mod

cd "$out/src/kube"
go mod download -json "k8s.io/kubernetes@v$K8S" >/dev/null
mod=$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/v$K8S.mod
{
	printf 'module kapi\n\ngo 1.26.0\n\nrequire k8s.io/kubernetes v%s\n\n' "$K8S"
	grep '=> ./staging' "$mod" | awk -v v="v0.${K8S#1.}" '{print "replace " $1 " => " $1 " " v}'
} >go.mod
printf '//go:build tools\n\npackage kapi\n\nimport (\n\t_ "k8s.io/kubernetes/cmd/kube-apiserver"\n\t_ "k8s.io/kubernetes/cmd/kube-controller-manager"\n)\n' >tools.go
echo 'package kapi' >doc.go
go mod tidy
go build -o "$out/bin/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
go build -o "$out/bin/kube-controller-manager" k8s.io/kubernetes/cmd/kube-controller-manager

cd "$out/src/etcd"
cat >go.mod <<MOD
module etcdwrap

go 1.26.0

require go.etcd.io/etcd/server/v3 v$ETCD

replace (
	go.etcd.io/etcd/api/v3 => go.etcd.io/etcd/api/v3 v$ETCD
	go.etcd.io/etcd/client/pkg/v3 => go.etcd.io/etcd/client/pkg/v3 v$ETCD
	go.etcd.io/etcd/client/v3 => go.etcd.io/etcd/client/v3 v$ETCD
	go.etcd.io/etcd/pkg/v3 => go.etcd.io/etcd/pkg/v3 v$ETCD
)
MOD
printf '//go:build tools\n\npackage etcdwrap\n\nimport _ "go.etcd.io/etcd/server/v3"\n' >tools.go
echo 'package etcdwrap' >doc.go
go mod tidy
go build -o "$out/bin/etcd" go.etcd.io/etcd/server/v3
echo "$out/bin"
