package rules

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Alert is a rule match, ready to be written as Falco's JSON alert.
type Alert struct {
	Time     time.Time
	Rule     *Rule
	Hostname string
	Output   string // "<time>: <Priority> <message>"
	// Fields are the output_fields: typed values (nil when missing).
	Fields []AlertField
}

// AlertField is one entry of output_fields. Value is string, int64, bool
// or nil (missing).
type AlertField struct {
	Name  string
	Value any
}

// Alert formats the alert of rule r for ev (an event of r's source).
func (e *Engine) Alert(r *Rule, ev any) Alert {
	ts := time.Now()
	if r.set != nil && r.set.timer != nil {
		ts = r.set.timer.Time(ev)
	}
	a := Alert{Time: ts, Rule: r, Hostname: e.o.hostname}
	local := ts.In(e.o.loc)
	b := local.AppendFormat(nil, "15:04:05")
	b = append(b, '.')
	b = appendPad(b, int64(ts.Nanosecond()), 9)
	b = append(b, ": "...)
	b = append(b, r.Priority.String()...)
	b = append(b, ' ')
	vals := make([]Value, len(r.out.fields))
	oks := make([]bool, len(r.out.fields))
	for i, f := range r.out.fields {
		vals[i], oks[i] = f.b.acc(ev)
	}
	for _, p := range r.out.parts {
		if p.field < 0 {
			b = append(b, p.lit...)
			continue
		}
		s := "<NA>"
		if oks[p.field] {
			s = outString(vals[p.field], r.out.fields[p.field].b.kind)
		}
		for n := len(s); n < p.width; n++ {
			b = append(b, ' ')
		}
		b = append(b, s...)
	}
	a.Output = string(b)
	a.Fields = append(a.Fields, AlertField{Name: "evt.time", Value: ts.UnixNano()})
	for i, f := range r.out.fields {
		if f.hidden || f.name == "evt.time" {
			continue
		}
		var v any
		if oks[i] {
			v = typedValue(vals[i], f.b.kind)
		}
		a.Fields = append(a.Fields, AlertField{Name: f.name, Value: v})
	}
	return a
}

// appendJSONFloat writes a DOUBLE field (thread.cpu, proc.fdusage) as
// nlohmann::json dumps a double: the shortest form that reads back, with
// ".0" on a whole number; null for NaN and the infinities, which JSON
// cannot hold.
func appendJSONFloat(b []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, "null"...)
	}
	n := len(b)
	b = strconv.AppendFloat(b, v, 'g', -1, 64)
	if !bytes.ContainsAny(b[n:], ".eEn") {
		b = append(b, ".0"...)
	}
	return b
}

func appendPad(b []byte, n int64, w int) []byte {
	s := strconv.FormatInt(n, 10)
	for i := len(s); i < w; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

func outString(v Value, k Kind) string {
	if k == KindFloat {
		return strconv.FormatFloat(v.Float, 'f', 1, 64) // libsinsp prints a DOUBLE with "%.1lf"
	}
	if k != KindStrings && v.List != nil && v.Str == "" {
		if len(v.List) == 0 {
			return "<NA>"
		}
		return v.List[0]
	}
	return valueString(v, k)
}

func typedValue(v Value, k Kind) any {
	switch k {
	case KindInt:
		return v.Int
	case KindBool:
		return v.Bool
	case KindFloat:
		return v.Float
	}
	// Clone: sources may hand out strings backed by per-event buffers.
	return strings.Clone(outString(v, k))
}

// MarshalJSON writes Falco's JSON alert: keys in nlohmann::json's sorted
// order (hostname, output, output_fields, priority, rule, source, tags,
// time), output_fields sorted by name, tags sorted, time in UTC RFC 3339
// with nanoseconds, strings escaped as nlohmann does (no HTML escaping,
// invalid UTF-8 replaced by U+FFFD). Note that json.Marshal HTML-escapes
// the result (<, >, &); use AppendJSON for Falco's exact bytes.
func (a Alert) MarshalJSON() ([]byte, error) { return a.AppendJSON(nil), nil }

// AppendJSON appends the JSON alert (see MarshalJSON) to b.
func (a Alert) AppendJSON(b []byte) []byte {
	b = append(b, `{"hostname":`...)
	b = appendJSONString(b, a.Hostname)
	b = append(b, `,"output":`...)
	b = appendJSONString(b, a.Output)
	b = append(b, `,"output_fields":{`...)
	for i, f := range sortedFields(a.Fields) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, f.Name)
		b = append(b, ':')
		switch v := f.Value.(type) {
		case nil:
			b = append(b, "null"...)
		case int64:
			b = strconv.AppendInt(b, v, 10)
		case bool:
			b = strconv.AppendBool(b, v)
		case float64:
			b = appendJSONFloat(b, v)
		case string:
			b = appendJSONString(b, v)
		}
	}
	b = append(b, `},"priority":`...)
	b = appendJSONString(b, a.Rule.Priority.String())
	b = append(b, `,"rule":`...)
	b = appendJSONString(b, a.Rule.Name)
	b = append(b, `,"source":`...)
	b = appendJSONString(b, a.Rule.Source)
	b = append(b, `,"tags":[`...)
	for i, t := range a.Rule.Tags {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, t)
	}
	b = append(b, `],"time":"`...)
	u := a.Time.UTC()
	b = u.AppendFormat(b, "2006-01-02T15:04:05")
	b = append(b, '.')
	b = appendPad(b, int64(u.Nanosecond()), 9)
	b = append(b, `Z"}`...)
	return b
}

func sortedFields(fs []AlertField) []AlertField {
	out := append([]AlertField(nil), fs...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Name < out[j-1].Name; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

const hexDigits = "0123456789abcdef"

// appendJSONString escapes s as nlohmann::json dumps it.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x80 {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				b = append(b, "\uFFFD"...)
			} else {
				b = append(b, s[i:i+n]...)
			}
			i += n
			continue
		}
		switch c {
		case '"':
			b = append(b, `\"`...)
		case '\\':
			b = append(b, `\\`...)
		case '\b':
			b = append(b, `\b`...)
		case '\f':
			b = append(b, `\f`...)
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		case '\t':
			b = append(b, `\t`...)
		default:
			if c < 0x20 {
				b = append(b, `\u00`...)
				b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
			} else {
				b = append(b, c)
			}
		}
		i++
	}
	return append(b, '"')
}
