package compat

import (
	"encoding/base64"
	"errors"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/probehub/probehub/compat/api"
	"github.com/probehub/probehub/kernels"
)

// Page sizes of GET /v1/kernels.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// filter selects kernels; empty fields match everything.
type filter struct {
	Distro, VersionID, Flavour, Arch, Release, Nvidia, Probe string
	Status                                                   api.Status
}

// kernelsQuery is a parsed GET /v1/kernels query.
type kernelsQuery struct {
	filter
	Limit int
	After string // key string of the last kernel of the previous page
}

var (
	flavourRe2   = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
	releasePreRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+~-]{0,127}$`)
	branchRe     = regexp.MustCompile(`^[Rr]?[1-9][0-9]{1,3}$`)
)

// filterParams are the query parameters every listing accepts.
var filterParams = []string{"distro", "version", "flavour", "arch", "release", "nvidia", "verdict", "probe"}

// parseFilter reads the filter parameters of q; every other parameter must
// be in extra. A parameter may appear once.
func parseFilter(q url.Values, extra ...string) (filter, error) {
	for name, vs := range q {
		if !contains(filterParams, name) && !contains(extra, name) {
			return filter{}, fieldErr(name, "unknown query parameter")
		}
		if len(vs) > 1 {
			return filter{}, fieldErr(name, "give it once")
		}
	}
	f := filter{
		Distro: q.Get("distro"), VersionID: q.Get("version"), Flavour: q.Get("flavour"),
		Arch: q.Get("arch"), Release: q.Get("release"), Nvidia: q.Get("nvidia"), Probe: q.Get("probe"),
		Status: api.Status(q.Get("verdict")),
	}
	return f, f.validate()
}

func (f *filter) validate() error {
	var ke *kernels.KeyError
	if err := (kernels.Key{Distro: f.Distro, VersionID: f.VersionID, Arch: f.Arch}).ValidatePartial(); errors.As(err, &ke) {
		name := ke.Field
		if name == "version_id" {
			name = "version" // the query parameter's name
		}
		return fieldErr(name, ke.Want)
	}
	switch {
	case f.Flavour != "" && !flavourRe2.MatchString(f.Flavour):
		return fieldErr("flavour", "want a flavour such as generic or cloud-amd64")
	case f.Release != "" && !releasePreRe.MatchString(f.Release):
		return fieldErr("release", "want a uname -r prefix: [A-Za-z0-9._+~-], at most 128 characters")
	case f.Nvidia != "" && f.Nvidia != "any" && !branchRe.MatchString(f.Nvidia):
		return fieldErr("nvidia", "want a driver branch such as 550 or R550, or any")
	case f.Status != "" && !f.Status.Valid():
		return fieldErr("verdict", "want supported, unsupported, pending or unknown")
	case f.Probe != "" && !probeRe.MatchString(f.Probe):
		return fieldErr("probe", "want a probe version such as v0.3.1")
	}
	f.Arch = normalizeArch(f.Arch)
	if f.Nvidia != "any" {
		f.Nvidia = normalizeBranch(f.Nvidia)
	}
	return nil
}

// parseKernelsQuery reads the query of GET /v1/kernels.
func parseKernelsQuery(q url.Values) (kernelsQuery, error) {
	f, err := parseFilter(q, "limit", "cursor")
	if err != nil {
		return kernelsQuery{}, err
	}
	kq := kernelsQuery{filter: f, Limit: DefaultLimit}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxLimit {
			return kernelsQuery{}, fieldErr("limit", "want a number from 1 to "+strconv.Itoa(MaxLimit))
		}
		kq.Limit = n
	}
	if s := q.Get("cursor"); s != "" {
		if kq.After, err = decodeCursor(s); err != nil {
			return kernelsQuery{}, err
		}
	}
	return kq, nil
}

const cursorPrefix = "k1:"

// encodeCursor makes the opaque cursor that continues after key.
func encodeCursor(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + key))
}

func decodeCursor(s string) (string, error) {
	bad := fieldErr("cursor", "not a cursor this server made: pass next_cursor back unchanged")
	if len(s) > 512 {
		return "", bad
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return "", bad
	}
	key, ok := strings.CutPrefix(string(b), cursorPrefix)
	if !ok {
		return "", bad
	}
	if _, err := kernels.ParseKey(key); err != nil {
		return "", bad
	}
	return key, nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
