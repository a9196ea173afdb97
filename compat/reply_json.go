package compat

import (
	"encoding/json"
	"strconv"

	"github.com/probehub/probehub/compat/api"
)

// cellJSON is one kernel × probe version of POST /v1/resolve, encoded when
// the index is built: each part is a whole member (`,"name":value`), or
// empty when the answer leaves it out.
type cellJSON struct {
	artifact []byte // `,"artifact":{…}`
	reasons  []byte // the encoded reasons, comma-separated, no brackets
	evidence []byte // `,"evidence":[…]`
}

// newCellJSON encodes the parts of r that an answer shows as they are.
func newCellJSON(r api.ProbeResult) cellJSON {
	var c cellJSON
	if r.Artifact != nil {
		c.artifact = appendMember(nil, "artifact", r.Artifact)
	}
	for i, s := range r.Reasons {
		if i > 0 {
			c.reasons = append(c.reasons, ',')
		}
		c.reasons = appendString(c.reasons, s)
	}
	if len(r.Evidence) > 0 {
		c.evidence = appendMember(nil, "evidence", r.Evidence)
	}
	return c
}

// appendMember appends `,"name":` and v encoded; v holds plain strings,
// numbers, bools and times, so encoding cannot fail.
func appendMember(b []byte, name string, v any) []byte {
	enc, _ := json.Marshal(v)
	return append(append(append(append(b, `,"`...), name...), `":`...), enc...)
}

// appendJSON appends r as encoding/json writes r.answer (HTML-safe, members
// in struct order) and a newline, as echo's c.JSON does.
func (r *reply) appendJSON(b []byte, ix *index) []byte {
	b = appendString(append(b, `{"status":`...), string(r.status))
	if r.e == nil {
		b = append(b, `,"btf_needed":false,"reasons":["kernel `...)
		for i, part := range [...]string{r.key.Distro, r.key.VersionID, r.key.Arch, r.key.Release} {
			if i > 0 {
				b = append(b, '/')
			}
			b = appendStringBody(b, part)
		}
		return append(b, ` is not in the catalog"]}`+"\n"...)
	}
	b = appendString(append(b, `,"kernel":`...), r.e.key)
	if r.by == "" {
		b = appendBool(append(b, `,"btf_needed":`...), !r.e.kernel.BTF && !r.ownBTF)
		b = append(b, `,"reasons":[`...)
		if r.ownBTF {
			b = append(appendString(b, viaOwnBTF), ',')
		}
		b = appendString(b, bannerDiffers(r.e.key, r.banner, r.e.kernel.Banner))
		return append(b, "]}\n"...)
	}
	b = appendString(append(b, `,"matched_by":`...), r.by)
	var cell *cellJSON
	if r.pi >= 0 {
		cell = &r.e.cells[r.pi]
		b = appendString(append(b, `,"probe":`...), ix.probes[r.pi])
		b = append(b, cell.artifact...)
	}
	b = appendBool(append(b, `,"btf_needed":`...), !r.e.kernel.BTF)
	b = r.appendReasons(b, cell)
	if cell != nil {
		b = append(b, cell.evidence...)
	}
	if r.hasNV {
		b = appendNvidia(append(b, `,"nvidia":`...), &r.nvidia)
	}
	return append(b, "}\n"...)
}

// appendReasons appends the reasons member, if there are any.
func (r *reply) appendReasons(b []byte, cell *cellJSON) []byte {
	const open = `,"reasons":[`
	start := len(b)
	b = append(b, open...)
	switch {
	case cell != nil:
		b = append(b, cell.reasons...)
	case r.probe == "":
		b = appendString(b, noProbeYet)
	default:
		b = appendString(b, unknownProbe(r.probe))
	}
	sep := func(b []byte) []byte {
		if len(b) > start+len(open) {
			b = append(b, ',')
		}
		return b
	}
	if r.keyOnly {
		b = appendString(sep(b), keyOnlyReason)
	}
	if r.hasNV {
		for _, s := range nvidiaReasons(&r.nvidia) {
			b = appendString(sep(b), s)
		}
	}
	if len(b) == start+len(open) {
		return b[:start] // no reasons: omitempty
	}
	return append(b, ']')
}

func appendNvidia(b []byte, n *api.Nvidia) []byte {
	enc, _ := json.Marshal(n) // strings and bools: cannot fail
	return append(b, enc...)
}

func appendBool(b []byte, v bool) []byte { return strconv.AppendBool(b, v) }

// appendString appends s as a JSON string, exactly as encoding/json does.
func appendString(b []byte, s string) []byte {
	if !plainJSON(s) {
		enc, _ := json.Marshal(s) // escapes as encoding/json does: rare here
		return append(b, enc...)
	}
	return append(append(append(b, '"'), s...), '"')
}

// appendStringBody appends s JSON-escaped without the quotes.
func appendStringBody(b []byte, s string) []byte {
	if !plainJSON(s) {
		enc, _ := json.Marshal(s)
		return append(b, enc[1:len(enc)-1]...)
	}
	return append(b, s...)
}

// plainJSON reports whether encoding/json writes s unchanged between quotes:
// printable ASCII without quote, backslash or the HTML-escaped <, > and &.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c > 0x7e, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}
