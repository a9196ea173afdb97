package sign

import (
	"encoding/json"
	"fmt"
)

// CosignSignatureType is critical.type of a cosign simple signing payload.
const CosignSignatureType = "cosign container image signature"

// Payload is the simple signing payload cosign signs: which manifest digest
// the signature vouches for, under which repository name.
type Payload struct {
	Critical Critical       `json:"critical"`
	Optional map[string]any `json:"optional"`
}

// Critical is the part of a Payload a verifier must check.
type Critical struct {
	Identity struct {
		DockerReference string `json:"docker-reference"`
	} `json:"identity"`
	Image struct {
		DockerManifestDigest string `json:"docker-manifest-digest"`
	} `json:"image"`
	Type string `json:"type"`
}

// NewPayload returns the payload bytes for manifest digest in repository ref.
func NewPayload(ref, digest string) ([]byte, error) {
	var p Payload
	p.Critical.Identity.DockerReference = ref
	p.Critical.Image.DockerManifestDigest = digest
	p.Critical.Type = CosignSignatureType
	return json.Marshal(p)
}

// ParsePayload reads a payload and checks its type.
func ParsePayload(b []byte) (Payload, error) {
	var p Payload
	if err := json.Unmarshal(b, &p); err != nil {
		return Payload{}, fmt.Errorf("parse signing payload: %w", err)
	}
	if p.Critical.Type != CosignSignatureType {
		return Payload{}, fmt.Errorf("parse signing payload: type %q, want %q", p.Critical.Type, CosignSignatureType)
	}
	return p, nil
}
