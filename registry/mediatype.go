package registry

import "github.com/google/go-containerregistry/pkg/v1/types"

// Media and artifact types of probehub artifacts. All live in the
// application/vnd.probehub namespace and are versioned; a reader refuses a
// type it does not know.
const (
	// KernelArtifactType is the manifest artifactType of a per-kernel artifact.
	KernelArtifactType = "application/vnd.probehub.kernel.v1"
	// KernelConfigType is the media type of its JSON config (KernelConfig).
	KernelConfigType types.MediaType = "application/vnd.probehub.kernel.config.v1+json"
	// BTFLayerType is the minimized BTF of one kernel, gzip-compressed.
	BTFLayerType types.MediaType = "application/vnd.probehub.btf.v1+gzip"
	// ProbeLayerType is the CO-RE probe object (ELF), gzip-compressed; one blob
	// shared by every kernel of a probe version.
	ProbeLayerType types.MediaType = "application/vnd.probehub.probe.v1+gzip"

	// IndexArtifactType is the manifest artifactType of a kernel index.
	IndexArtifactType = "application/vnd.probehub.kernel-index.v1"
	// IndexLayerType is the index body (Index as JSON), gzip-compressed.
	IndexLayerType types.MediaType = "application/vnd.probehub.kernel-index.v1+gzip"

	// EmptyConfigType is the OCI 1.1 empty descriptor's media type ("{}").
	EmptyConfigType types.MediaType = "application/vnd.oci.empty.v1+json"

	// SimpleSigningType is cosign's signature layer media type.
	SimpleSigningType types.MediaType = "application/vnd.dev.cosign.simplesigning.v1+json"
	// SignatureAnnotation holds the base64 signature on a cosign layer.
	SignatureAnnotation = "dev.cosignproject.cosign/signature"
)

// Annotation keys written on every probehub manifest.
const (
	AnnotationVersion = "org.opencontainers.image.version"
	AnnotationCreated = "org.opencontainers.image.created"
	AnnotationSource  = "org.opencontainers.image.source"
	AnnotationTitle   = "org.opencontainers.image.title"
	// AnnotationKernel is the kernel key (kernels.Key.String form).
	AnnotationKernel = "dev.probehub.kernel"
	// AnnotationBanner is the kernel banner (/proc/version).
	AnnotationBanner = "dev.probehub.kernel.banner"
)
