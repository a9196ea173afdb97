package cloudtrail

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/probehub/probehub/sensor/rules"
)

// SourceName is the rule `source:` value of this source.
const SourceName = "aws_cloudtrail"

// PluginName is the Falco plugin this source stands in for (evt.pluginname).
const PluginName = "cloudtrail"

// DefaultMaxDecompressed is the default limit on the size of a gzipped
// document once decompressed: 512 MiB.
const DefaultMaxDecompressed = 512 << 20

// ErrUnknownField is wrapped by Bind's error for a field this source lacks.
var ErrUnknownField = errors.New("unknown field")

// Source is the aws_cloudtrail event source: fields over *Record and a
// Decoder for CloudTrail JSON. The zero value is ready to use.
type Source struct {
	// MaxDecompressed bounds a gzipped document's decompressed size; 0
	// means DefaultMaxDecompressed.
	MaxDecompressed int64

	num atomic.Uint64
}

var (
	_ rules.Source  = (*Source)(nil)
	_ rules.Decoder = (*Source)(nil)
	_ rules.Timer   = (*Source)(nil)
)

var table = sync.OnceValue(func() *rules.FieldTable {
	fs := catalog()
	defs := make([]rules.FieldDef, len(fs))
	for i, f := range fs {
		defs[i] = rules.FieldDef{Info: f.info, Bind: func(arg string) (rules.Accessor, rules.Kind, error) {
			acc, err := f.bind(arg)
			return acc, f.info.Kind, err
		}}
	}
	return rules.NewFieldTable(SourceName, ErrUnknownField, defs)
})

// Name returns "aws_cloudtrail".
func (s *Source) Name() string { return SourceName }

// Fields lists every field of the source. The caller must not modify it.
func (s *Source) Fields() []rules.FieldInfo { return table().Fields() }

// Bind returns the accessor of field[arg]. Accessors take a *Record; given
// anything else they report the field missing. The error names the field and
// wraps ErrUnknownField when the source does not have it.
func (s *Source) Bind(name, arg string) (rules.Accessor, rules.Kind, error) {
	return table().Bind(name, arg)
}

// Time returns the time of ev, a *Record (the zero time for anything else).
func (s *Source) Time(ev any) time.Time {
	if r, ok := ev.(*Record); ok {
		return r.time
	}
	return time.Time{}
}

// Plugins returns the plugins the source stands in for: cloudtrail (the
// ct.*, s3.*, ec2.* and ecr.* fields of its 0.12 line) and json
// (json.value).
func (s *Source) Plugins() []rules.PluginVersion {
	return []rules.PluginVersion{{Name: PluginName, Version: "0.12.0"}, {Name: "json", Version: "0.7.0"}}
}
