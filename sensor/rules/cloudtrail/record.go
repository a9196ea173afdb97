package cloudtrail

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrNotRecord is returned (wrapped in a *DecodeError) for JSON that is not
// a CloudTrail record: an object without eventName and eventVersion.
var ErrNotRecord = errors.New("not a CloudTrail record")

// Record is one decoded CloudTrail record. It is immutable after decode and
// safe for concurrent readers.
type Record struct {
	raw   string
	w     wire
	req   requestParams
	resp  responseElements
	add   additionalData
	time  time.Time
	num   uint64
	s3URI string
}

// Raw returns the record's JSON text.
func (r *Record) Raw() string { return r.raw }

// Time returns eventTime, or the time of decoding when it is absent or bad.
func (r *Record) Time() time.Time { return r.time }

// Num returns the event number the Source's decoder gave it (evt.num).
func (r *Record) Num() uint64 { return r.num }

// EventName returns the record's eventName.
func (r *Record) EventName() string { return r.w.EventName.s }

// Parse decodes one CloudTrail record from its JSON text.
func Parse(data []byte) (*Record, error) {
	r := &Record{raw: string(data)}
	if err := json.Unmarshal(data, &r.w); err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			return nil, fmt.Errorf("parse cloudtrail record: %w", err)
		}
	}
	if !r.w.EventName.ok && !r.w.EventVersion.ok {
		return nil, ErrNotRecord
	}
	sub(r.w.RequestParameters, &r.req)
	sub(r.w.ResponseElements, &r.resp)
	sub(r.w.AdditionalEventData, &r.add)
	r.time = time.Now()
	if t, err := time.Parse(time.RFC3339Nano, r.w.EventTime.s); err == nil {
		r.time = t
	}
	if b, k := r.req.BucketName, r.req.Key; b.ok && b.str && k.ok && k.str {
		r.s3URI = "s3://" + b.s + "/" + k.s
	}
	return r, nil
}

// sub decodes the keys of an object-valued member; anything else is ignored.
func sub(t text, v any) {
	if t.ok && !t.str && strings.HasPrefix(t.s, "{") {
		_ = json.Unmarshal([]byte(t.s), v)
	}
}

// user is ct.user: the user name by identity type, as the plugin derives it.
func (r *Record) user() (string, bool) {
	id := &r.w.UserIdentity
	if !id.Type.ok {
		return "", false
	}
	switch id.Type.s {
	case "Root", "IAMUser":
		return id.UserName.s, id.UserName.ok
	case "AWSService":
		return id.InvokedBy.s, id.InvokedBy.ok
	case "AssumedRole":
		if n := id.SessionContext.SessionIssuer.UserName; n.ok {
			return n.s, true
		}
		return "AssumedRole", true
	case "AWSAccount", "FederatedUser":
		return id.Type.s, true
	}
	return "", false
}

// readOnly is ct.readonly: the readOnly flag, or for records without one a
// guess from the event name's verb, as the plugin does.
func (r *Record) readOnly() (string, bool) {
	if r.w.ReadOnly.ok {
		return boolText(r.w.ReadOnly.s == "true"), true
	}
	if !r.w.EventName.ok {
		return "", false
	}
	for _, p := range writePrefixes {
		if strings.HasPrefix(r.w.EventName.s, p) {
			return "false", true
		}
	}
	return "true", true
}

var writePrefixes = []string{"Start", "Stop", "Create", "Destroy", "Delete", "Add", "Remove", "Terminate",
	"Put", "Associate", "Disassociate", "Attach", "Detach", "Open", "Close", "Wipe", "Update", "Upgrade",
	"Unlink", "Assign", "Unassign", "Suspend", "Set", "Run", "Register", "Deregister", "Reboot", "Purchase",
	"Modify", "Initialize", "Enable", "Disable", "Cancel", "Admin", "Activate"}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// info is ct.info: "who via where [!]→/← what" plus S3 details.
func (r *Record) info() string {
	u, ok := r.user()
	switch {
	case !ok:
		return "<invalid cloudtrail event: userIdentity field missing>"
	case !r.w.SourceIPAddress.ok:
		return "<invalid cloudtrail event: eventSource field missing>" // sic: the plugin's text
	case !r.w.EventName.ok:
		return "<invalid cloudtrail event: eventName field missing>"
	}
	var b strings.Builder
	b.WriteString(u + " ")
	if u != r.w.SourceIPAddress.s {
		b.WriteString("via " + r.w.SourceIPAddress.s + " ")
	}
	if r.w.ErrorCode.ok {
		b.WriteByte('!')
	}
	if ro, _ := r.readOnly(); ro == "false" {
		b.WriteString("→")
	} else {
		b.WriteString("←")
	}
	b.WriteString(" " + r.w.EventName.s)
	if n, ok := r.bytes(); ok {
		fmt.Fprintf(&b, " Size=%d", n)
	}
	switch {
	case r.s3URI != "":
		b.WriteString(" URI=" + r.s3URI)
	case r.req.BucketName.ok:
		b.WriteString(" Bucket=" + r.req.BucketName.s)
	case r.req.Key.ok:
		b.WriteString(" Key=" + r.req.Key.s)
	case r.req.Host.ok:
		b.WriteString(" Host=" + r.req.Host.s)
	}
	return b.String()
}

// bytes is s3.bytes: bytes transferred in plus out.
func (r *Record) bytes() (int64, bool) {
	in, out := r.add.BytesIn, r.add.BytesOut
	return in.v + out.v, in.ok || out.ok
}

// pluginInfo is evt.plugininfo, the cloudtrail plugin's text of a record:
// "REGION [USER ]SERVICE EVENTNAME INFO", the service without its
// .amazonaws.com suffix and INFO being ct.info.
func (r *Record) pluginInfo() (string, bool) {
	if !r.w.EventSource.ok || !r.w.AWSRegion.ok || !r.w.EventName.ok {
		return "", false
	}
	var b strings.Builder
	b.WriteString(r.w.AWSRegion.s)
	if u, ok := r.user(); ok && u != "" {
		b.WriteString(" " + u)
	}
	src := r.w.EventSource.s
	if len(src) > len(awsSuffix) {
		src = strings.TrimSuffix(src, awsSuffix)
	}
	b.WriteString(" " + src + " " + r.w.EventName.s + " " + r.info())
	return b.String(), true
}

const awsSuffix = ".amazonaws.com"
