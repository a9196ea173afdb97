package k8saudit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/probehub/probehub/internal/jsonptr"
	"github.com/probehub/probehub/sensor/rules"
)

var (
	errNeedArg = rules.ErrArgRequired
	errNoArg   = rules.ErrArgNotTaken
)

// commonFields are the json plugin's fields (json.* and their jevt.*
// aliases) and the evt.* fields a plugin event has.
func commonFields() []field {
	var out []field
	for _, p := range []string{"json", "jevt"} {
		out = append(out,
			computed(p+".value", "A value of the event JSON at a JSON pointer (json.value[/user/username]): strings unquoted, other values as JSON", rules.ArgRequired, jsonValue),
			computed(p+".obj", "The whole event as indented JSON", rules.ArgNone, jsonObj),
			intField(p+".rawtime", "The event time in nanoseconds since the epoch (evt.rawtime)", func(e *Event) int64 { return e.time.UnixNano() }),
		)
	}
	return append(out,
		computed("jevt.time", "The event time as a string (like evt.time)", rules.ArgNone, timeFormat(evtTime)),
		computed("jevt.time.iso8601", "The event time in ISO 8601 (like evt.time.iso8601)", rules.ArgNone, timeFormat(iso8601)),
		computed("evt.time", "The event time, local HH:MM:SS.nnnnnnnnn", rules.ArgNone, timeFormat(evtTime)),
		computed("evt.time.iso8601", "The event time in ISO 8601, UTC, nanoseconds", rules.ArgNone, timeFormat(iso8601)),
		intField("evt.rawtime", "The event time in nanoseconds since the epoch", func(e *Event) int64 { return e.time.UnixNano() }),
		intField("evt.num", "The event number given by the decoder", func(e *Event) int64 { return int64(e.num) }),
		computed("evt.source", "The event source: k8s_audit", rules.ArgNone, func(string) (rules.Accessor, error) {
			return strAcc(func(*Event) (string, bool) { return SourceName, true }), nil
		}),
		computed("evt.pluginname", "The plugin whose event this is: "+PluginName, rules.ArgNone, func(string) (rules.Accessor, error) {
			return strAcc(func(*Event) (string, bool) { return PluginName, true }), nil
		}),
		computed("evt.plugininfo", "The plugin's text of the event: the event's JSON, compact", rules.ArgNone, func(string) (rules.Accessor, error) {
			return strAcc(pluginInfo), nil
		}),
	)
}

// PluginName is the Falco plugin whose events this source decodes; the
// managed-cluster variants (k8saudit-eks, -gke, …) produce the same events.
const PluginName = "k8saudit"

// pluginInfo is evt.plugininfo: the k8saudit plugin renders an event as its
// JSON text, re-marshalled compact from the batch it came in.
func pluginInfo(e *Event) (string, bool) {
	var b bytes.Buffer
	if json.Compact(&b, []byte(e.raw)) != nil {
		return e.raw, true
	}
	return b.String(), true
}

func intField(name, desc string, get func(*Event) int64) field {
	acc := func(ev any) (rules.Value, bool) {
		e, ok := ev.(*Event)
		if !ok {
			return rules.Value{}, false
		}
		return rules.Value{Int: get(e)}, true
	}
	return field{
		info: rules.FieldInfo{Name: name, Kind: rules.KindInt, Desc: desc},
		bind: func(string) (rules.Accessor, rules.Kind, error) { return acc, rules.KindInt, nil },
	}
}

func jsonValue(arg string) (rules.Accessor, error) {
	if arg == "" {
		return nil, errNeedArg
	}
	p, err := jsonptr.Parse(arg)
	if err != nil {
		return nil, err
	}
	return strAcc(func(e *Event) (string, bool) {
		raw, ok := p.Lookup(e.raw)
		return jsonptr.Text(raw), ok
	}), nil
}

func jsonObj(string) (rules.Accessor, error) {
	return strAcc(func(e *Event) (string, bool) { return indent(e.raw) }), nil
}

// indent renders JSON text as the json plugin's json.obj does.
func indent(raw string) (string, bool) {
	var b bytes.Buffer
	if json.Indent(&b, []byte(raw), "", "  ") != nil {
		return "", false
	}
	return b.String(), true
}

func evtTime(t time.Time) string { return t.Local().Format("15:04:05.000000000") }

func iso8601(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

func timeFormat(f func(time.Time) string) func(string) (rules.Accessor, error) {
	return func(string) (rules.Accessor, error) {
		return strAcc(func(e *Event) (string, bool) { return f(e.time), true }), nil
	}
}

// argIndex parses the index argument of a list field (field[2]).
func argIndex(a string) (int, error) {
	n, err := strconv.Atoi(a)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("index argument %q is not a non-negative integer", a)
	}
	return n, nil
}
