# Images for users who have a container engine. Without one (CI, air-gapped
# hosts), `probehub image build` builds the same images in Go, reproducibly.
#   docker build --target sensor -t probehub-sensor .   (the default target)
#   docker build --target server -t probehub .
# The eBPF objects are committed (bpf2go output), so no clang is needed here.
# .dockerignore keeps data/ (catalog, artifacts, signing keys) and build
# outputs out of the context.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=""
# go-nvml's cgo preamble calls NVML entry points that nvml.h marks
# deprecated; without this every build prints about a hundred warnings.
ENV CGO_CFLAGS="-O2 -g -Wno-deprecated-declarations"
RUN CGO_ENABLED=1 go build -trimpath \
      -ldflags "-s -w -X github.com/probehub/probehub/internal/version.Version=${VERSION}" \
      -o /out/probehub-sensor ./cmd/probehub-sensor && \
    CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/probehub/probehub/internal/version.Version=${VERSION}" \
      -o /out/probehub ./cmd/probehub

# The build side and compatibility API: static, non-root.
FROM gcr.io/distroless/static-debian12:nonroot AS server
COPY --from=build /out/probehub /usr/bin/probehub
ENTRYPOINT ["/usr/bin/probehub"]
CMD ["serve", "--listen", ":8080"]

# cgo is kept for the sensor only: NVML (libnvidia-ml.so.1) is dlopen'ed at
# run time from the host's driver when the node has one; without it the
# sensor reports "no NVIDIA driver" and carries on. It runs as UID 0 with the
# chart's capability set only (deploy/helm/probehub/README.md).
FROM gcr.io/distroless/base-debian12 AS sensor
COPY --from=build /out/probehub-sensor /usr/bin/probehub-sensor
ENTRYPOINT ["/usr/bin/probehub-sensor"]
CMD ["run", "--rules", "/etc/probehub/rules.d"]
