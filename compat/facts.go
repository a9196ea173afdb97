package compat

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strings"

	"github.com/probehub/probehub/compat/api"
	"github.com/probehub/probehub/kernels"
)

// MaxBodyBytes is the largest request body the API reads.
const MaxBodyBytes = 16 << 10

var (
	driverRe = regexp.MustCompile(`^[1-9][0-9]{1,3}(?:\.[0-9]{1,4}){1,2}$`)
	probeRe  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$`)
)

// decodeFacts reads one JSON object of Facts from r: unknown fields,
// trailing data and more than MaxBodyBytes are errors, and every field is
// validated. The result has its arch normalized and banner trimmed.
func decodeFacts(r io.Reader) (api.Facts, error) {
	bp := getBuf()
	defer putBuf(bp)
	body, err := readBody(r, *bp)
	*bp = body
	if err != nil {
		return api.Facts{}, err
	}
	f, ok := scanFacts(body)
	if !ok {
		var slow api.Facts // its own variable: &slow escapes, f need not
		if err := decodeBody(body, &slow); err != nil {
			return api.Facts{}, err
		}
		f = slow
	}
	f.ProcVersion = strings.TrimSpace(f.ProcVersion)
	f.UnameV = strings.TrimSpace(f.UnameV)
	if err := validateFacts(f); err != nil {
		return api.Facts{}, err
	}
	f.Arch = normalizeArch(f.Arch)
	return f, nil
}

// decodeJSON decodes exactly one JSON value into v, rejecting unknown
// fields and trailing data.
func decodeJSON(r io.Reader, v any) error {
	bp := getBuf()
	defer putBuf(bp)
	body, err := readBody(r, *bp)
	*bp = body
	if err != nil {
		return err
	}
	return decodeBody(body, v)
}

// decodeBody decodes exactly one JSON value of body into v, rejecting
// unknown fields and trailing data.
func decodeBody(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonFieldError(err)
	}
	if dec.More() {
		return fieldErr("body", "want exactly one JSON object")
	}
	return nil
}

// jsonFieldError turns a decoding error into a FieldError that names the
// field when the decoder knows it.
func jsonFieldError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return fieldErr(te.Field, "want a "+te.Type.String())
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return fieldErr(strings.Trim(f, `"`), "unknown field")
	}
	return fieldErr("body", "invalid JSON: "+strings.TrimPrefix(msg, "json: "))
}

func validateFacts(f api.Facts) error {
	if err := validateKey(kernels.Key{Distro: f.Distro, VersionID: f.VersionID, Arch: f.Arch, Release: f.Release}); err != nil {
		return err
	}
	switch {
	case len(f.UnameV) > 256 || !printable(f.UnameV):
		return fieldErr("uname_v", "want at most 256 printable ASCII characters")
	case len(f.ProcVersion) > 512 || !printable(f.ProcVersion):
		return fieldErr("proc_version", "want at most 512 printable ASCII characters")
	case f.ProcVersion != "" && !strings.HasPrefix(f.ProcVersion, "Linux version "+f.Release+" "):
		return fieldErr("proc_version", `want "Linux version <release> ...", as /proc/version reads, for the same release`)
	case f.UnameV != "" && f.ProcVersion != "" && !strings.Contains(f.ProcVersion, f.UnameV):
		return fieldErr("uname_v", "does not appear in proc_version: the facts come from different kernels")
	case f.NvidiaDriver != "" && !driverRe.MatchString(f.NvidiaDriver):
		return fieldErr("nvidia_driver", "want a driver version such as 550.54.15")
	case f.Probe != "" && !probeRe.MatchString(f.Probe):
		return fieldErr("probe", "want a probe version such as v0.3.1")
	}
	return nil
}

// validateKey checks each part of k, naming the field at fault.
func validateKey(k kernels.Key) error {
	var ke *kernels.KeyError
	if err := k.Validate(); errors.As(err, &ke) {
		return fieldErr(ke.Field, ke.Want)
	} else if err != nil {
		return err
	}
	return nil
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
