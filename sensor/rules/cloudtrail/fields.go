package cloudtrail

import (
	"bytes"
	"encoding/json"

	"github.com/probehub/probehub/internal/jsonptr"
	"github.com/probehub/probehub/sensor/rules"
)

var (
	errNeedArg = rules.ErrArgRequired
	errNoArg   = rules.ErrArgNotTaken
)

// field is one entry of the catalog: its description and how to bind it.
type field struct {
	info rules.FieldInfo
	bind func(arg string) (rules.Accessor, error)
}

func scalar(name, desc string, get func(*Record) text) field {
	return str(name, desc, func(r *Record) (string, bool) { t := get(r); return t.s, t.ok })
}

func str(name, desc string, get func(*Record) (string, bool)) field {
	acc := func(ev any) (rules.Value, bool) {
		r, ok := ev.(*Record)
		if !ok {
			return rules.Value{}, false
		}
		s, ok := get(r)
		return rules.Value{Str: s}, ok
	}
	return field{
		info: rules.FieldInfo{Name: name, Kind: rules.KindString, Desc: desc},
		bind: func(string) (rules.Accessor, error) { return acc, nil },
	}
}

func integer(name, desc string, get func(*Record) (int64, bool)) field {
	acc := func(ev any) (rules.Value, bool) {
		r, ok := ev.(*Record)
		if !ok {
			return rules.Value{}, false
		}
		n, ok := get(r)
		return rules.Value{Int: n}, ok
	}
	return field{
		info: rules.FieldInfo{Name: name, Kind: rules.KindInt, Desc: desc},
		bind: func(string) (rules.Accessor, error) { return acc, nil },
	}
}

// commonFields are the json plugin's fields and the evt.* fields of a
// plugin event.
func commonFields() []field {
	var out []field
	for _, p := range []string{"json", "jevt"} {
		out = append(out,
			field{
				info: rules.FieldInfo{Name: p + ".value", Kind: rules.KindString, Arg: rules.ArgRequired,
					Desc: "A value of the record at a JSON pointer (json.value[/responseElements/ConsoleLogin]): strings unquoted, other values as JSON"},
				bind: jsonValue,
			},
			str(p+".obj", "The whole record as indented JSON", jsonObj),
			integer(p+".rawtime", "The event time in nanoseconds since the epoch", rawtime),
		)
	}
	return append(out,
		str("evt.time", "The event time, local HH:MM:SS.nnnnnnnnn", func(r *Record) (string, bool) {
			return r.time.Local().Format("15:04:05.000000000"), true
		}),
		str("evt.time.iso8601", "The event time in ISO 8601, UTC, nanoseconds", func(r *Record) (string, bool) {
			return r.time.UTC().Format("2006-01-02T15:04:05.000000000Z"), true
		}),
		integer("evt.rawtime", "The event time in nanoseconds since the epoch", rawtime),
		integer("evt.num", "The event number given by the decoder", func(r *Record) (int64, bool) { return int64(r.num), true }),
		str("evt.pluginname", "The plugin whose event this is: "+PluginName, func(*Record) (string, bool) { return PluginName, true }),
		str("evt.plugininfo", "The plugin's text of the record: region, user, service, event name and ct.info", (*Record).pluginInfo),
		str("evt.source", "The event source: aws_cloudtrail", func(*Record) (string, bool) { return SourceName, true }),
	)
}

func rawtime(r *Record) (int64, bool) { return r.time.UnixNano(), true }

func jsonValue(arg string) (rules.Accessor, error) {
	if arg == "" {
		return nil, errNeedArg
	}
	p, err := jsonptr.Parse(arg)
	if err != nil {
		return nil, err
	}
	return func(ev any) (rules.Value, bool) {
		r, ok := ev.(*Record)
		if !ok {
			return rules.Value{}, false
		}
		raw, ok := p.Lookup(r.raw)
		return rules.Value{Str: jsonptr.Text(raw)}, ok
	}, nil
}

func jsonObj(r *Record) (string, bool) {
	var b bytes.Buffer
	if json.Indent(&b, []byte(r.raw), "", "  ") != nil {
		return "", false
	}
	return b.String(), true
}
