package cloudtrail

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/probehub/probehub/sensor/rules"
)

// SourceName is the rule `source:` value of this source.
const SourceName = "aws_cloudtrail"

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

var table = sync.OnceValues(func() ([]rules.FieldInfo, map[string]field) {
	fs := catalog()
	infos := make([]rules.FieldInfo, len(fs))
	byName := make(map[string]field, len(fs))
	for i, f := range fs {
		infos[i] = f.info
		byName[f.info.Name] = f
	}
	return infos, byName
})

// Name returns "aws_cloudtrail".
func (s *Source) Name() string { return SourceName }

// Fields lists every field of the source. The caller must not modify it.
func (s *Source) Fields() []rules.FieldInfo {
	infos, _ := table()
	return infos
}

// Bind returns the accessor of field[arg]. Accessors take a *Record; given
// anything else they report the field missing. The error names the field and
// wraps ErrUnknownField when the source does not have it.
func (s *Source) Bind(name, arg string) (rules.Accessor, rules.Kind, error) {
	_, byName := table()
	f, ok := byName[name]
	switch {
	case !ok:
		return nil, 0, fmt.Errorf("field %s: %w for source %s", name, ErrUnknownField, SourceName)
	case arg == "" && f.info.Arg == rules.ArgRequired:
		return nil, 0, fmt.Errorf("field %s: %w", name, errNeedArg)
	case arg != "" && f.info.Arg == rules.ArgNone:
		return nil, 0, fmt.Errorf("field %s[%s]: %w", name, arg, errNoArg)
	}
	acc, err := f.bind(arg)
	if err != nil {
		return nil, 0, fmt.Errorf("field %s[%s]: %w", name, arg, err)
	}
	return acc, f.info.Kind, nil
}

// Time returns the time of ev, a *Record (the zero time for anything else).
func (s *Source) Time(ev any) time.Time {
	if r, ok := ev.(*Record); ok {
		return r.time
	}
	return time.Time{}
}
