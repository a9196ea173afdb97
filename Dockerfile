# The sensor image (DaemonSet). Build: docker build -t probehub-sensor .
# The eBPF objects are committed (bpf2go output), so no clang is needed here.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=""
RUN CGO_ENABLED=1 go build -trimpath \
      -ldflags "-s -w -X github.com/probehub/probehub/internal/version.Version=${VERSION}" \
      -o /out/probehub-sensor ./cmd/probehub-sensor && \
    CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/probehub/probehub/internal/version.Version=${VERSION}" \
      -o /out/probehub ./cmd/probehub

# cgo is kept for the sensor only: NVML (libnvidia-ml.so) is dlopen'ed at run
# time from the host's driver when the node has one; without it the sensor
# reports "no NVIDIA driver" and carries on.
FROM gcr.io/distroless/base-debian12:nonroot AS sensor
COPY --from=build /out/probehub-sensor /usr/bin/probehub-sensor
COPY --from=build /out/probehub /usr/bin/probehub
USER 0
ENTRYPOINT ["/usr/bin/probehub-sensor"]
CMD ["run", "--rules", "/etc/probehub/rules.d"]
