package nvml

// DefaultLibrary is the library Open loads: the driver's soname, found by the
// dynamic loader.
const DefaultLibrary = "libnvidia-ml.so.1"
