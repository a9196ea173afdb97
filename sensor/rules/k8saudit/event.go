package k8saudit

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/probehub/probehub/internal/jsonptr"
)

// ErrNotAuditEvent is returned (wrapped in a *DecodeError) for a JSON object
// that is neither an audit Event nor an EventList.
var ErrNotAuditEvent = errors.New("not an audit.k8s.io Event or EventList")

// Event is one decoded audit.k8s.io/v1 Event. The fields the rules read are
// computed once at decode; Raw keeps the JSON text for jevt.value[...].
// An Event is immutable after decode and safe for concurrent readers.
type Event struct {
	raw     string
	w       wire
	time    time.Time
	num     uint64
	cluster string
	query   url.Values
	lists   [numLists]list
}

// Raw returns the event's JSON text as received.
func (e *Event) Raw() string { return e.raw }

// Time returns the event time: stageTimestamp, else requestReceivedTimestamp,
// else the time it was decoded.
func (e *Event) Time() time.Time { return e.time }

// Num returns the event number the Source's decoder gave it (evt.num).
func (e *Event) Num() uint64 { return e.num }

// AuditID returns the event's auditID.
func (e *Event) AuditID() string { return e.w.AuditID.s }

// Namespace returns the namespace of the target object ("" for cluster-wide
// objects); the sensor routes alerts to tenants by it.
func (e *Event) Namespace() string { return e.w.ObjectRef.Namespace.s }

// Parse decodes one audit Event from its JSON text. It does not accept an
// EventList; use Source.Decode for arbitrary input.
func Parse(data []byte) (*Event, error) {
	e := &Event{raw: string(data)}
	if err := json.Unmarshal(data, &e.w); err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			return nil, fmt.Errorf("parse audit event: %w", err)
		}
		// A value of an unexpected type leaves that field missing, as the
		// plugin's extractors do; the rest of the event is still usable.
	}
	if e.w.Kind != "Event" && !e.w.AuditID.ok {
		return nil, ErrNotAuditEvent
	}
	e.time = eventTime(&e.w)
	e.cluster = e.w.ClusterName.s
	if i := strings.IndexByte(e.w.RequestURI.s, '?'); i >= 0 {
		e.query, _ = url.ParseQuery(e.w.RequestURI.s[i+1:])
	}
	e.derive()
	return e, nil
}

func eventTime(w *wire) time.Time {
	for _, s := range []string{w.StageTimestamp, w.RequestReceivedTimestamp} {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t
		}
	}
	return time.Now()
}

// derive computes every multi-valued field.
func (e *Event) derive() {
	e.lists[lGroups] = fromTexts(e.w.User.Groups)
	e.lists[lSourceIPs] = fromTexts(e.w.SourceIPs)
	ro := e.w.RequestObject
	if ro == nil {
		return
	}
	e.lists[lSubjects] = fromTexts(ro.Subjects)
	e.deriveRules(ro.Rules)
	if sp := ro.Spec; sp != nil {
		e.derivePod(sp, ro.EphemeralContainers)
		e.lists[lServicePorts] = fromTexts(sp.Ports)
		e.lists[lSupplementalGroups] = fromTexts(sp.SecurityContext.SupplementalGroups)
	} else if ro.EphemeralContainers != nil {
		e.deriveContainers(ro.EphemeralContainers, true, lEphemeralImages)
	}
}

func (e *Event) deriveRules(rules []json.RawMessage) {
	if rules == nil {
		return
	}
	all := list{ok: true}
	parts := [4]list{{ok: true}, {ok: true}, {ok: true}, {ok: true}}
	for _, r := range rules {
		all.add(jsonptr.Text(string(r)))
		var rr roleRule
		_ = json.Unmarshal(r, &rr)
		for i, t := range []texts{rr.Verbs, rr.Resources, rr.APIGroups, rr.NonResourceURLs} {
			parts[i].add(t.v...)
		}
	}
	e.lists[lRules] = all
	e.lists[lRuleVerbs], e.lists[lRuleResources] = parts[0], parts[1]
	e.lists[lRuleAPIGroups], e.lists[lRuleNonResourceURLs] = parts[2], parts[3]
}

func (e *Event) derivePod(sp *spec, legacyEphemeral []container) {
	e.deriveContainers(sp.Containers, sp.Containers != nil, lImages)
	e.deriveContainers(sp.InitContainers, sp.InitContainers != nil, lInitImages)
	eph := sp.EphemeralContainers
	if eph == nil {
		eph = legacyEphemeral
	}
	e.deriveContainers(eph, eph != nil, lEphemeralImages)
	e.deriveSecurity(sp)
	e.deriveVolumes(sp.Volumes)
}

// deriveContainers fills image, repository and privileged lists for one of
// the three container lists; base is its image list index.
func (e *Event) deriveContainers(cs []container, present bool, base int) {
	images := strictPerContainer(cs, present, func(c *container) text { return c.Image })
	e.lists[base] = images
	e.lists[base+1] = images.mapped(repository)
	e.lists[base+2] = perContainer(cs, present, func(c *container) text { return c.SecurityContext.Privileged })
}

// repository strips the tag and digest from an image the way the plugin
// does: everything before the first ':' and then before the first '@'.
func repository(image string) string {
	if i := strings.IndexByte(image, ':'); i >= 0 {
		image = image[:i]
	}
	if i := strings.IndexByte(image, '@'); i >= 0 {
		image = image[:i]
	}
	return image
}
