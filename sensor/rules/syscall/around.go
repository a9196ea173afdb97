package syscall

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/probehub/probehub/sensor/rules"
)

// evt.around[T]=D is Falco's time-window filter: true for an event whose
// timestamp lies within D milliseconds of T (ns since the epoch, the
// evt.rawtime of some event), bounds included. It is not "extract, then
// compare": the compared value is the window's half-width, so the source
// compiles the comparison itself (rules.CompareBinder). Only '=' is
// accepted, as in Falco. The field has no value of its own: in an output
// it renders <NA>.

func init() {
	extractors["evt.around"] = fieldDef{kind: rules.KindInt, arg: rules.ArgRequired,
		desc: "events within D ms of time T: evt.around[T]=D",
		bind: func(_ *Source, arg string) (rules.Accessor, rules.Kind, error) {
			if _, err := parseAroundTime(arg); err != nil {
				return nil, 0, err
			}
			return func(any) (rules.Value, bool) { return rules.Value{}, false }, rules.KindInt, nil
		}}
}

// errAroundOp is returned for evt.around with an operator other than '='.
var errAroundOp = errors.New("evt.around supports only the '=' operator: evt.around[T]=D (T in ns since the epoch, D in ms)")

func parseAroundTime(arg string) (uint64, error) {
	t, err := strconv.ParseUint(arg, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("evt.around[%s]: the argument is a time in ns since the epoch (an evt.rawtime), e.g. evt.around[1404996934793590564]=1000", arg)
	}
	return t, nil
}

// BindCompare compiles evt.around[T]=D; every other field is left to the
// engine (handled false).
func (s *Source) BindCompare(field, arg, op string, values []string) (func(ev any) bool, bool, error) {
	if field != "evt.around" {
		return nil, false, nil
	}
	t, err := parseAroundTime(arg)
	if err != nil {
		return nil, true, err
	}
	if op != "=" || len(values) != 1 {
		return nil, true, errAroundOp
	}
	ms, err := strconv.ParseUint(values[0], 10, 64)
	if err != nil || ms > uint64(1<<63-1)/uint64(time.Millisecond) {
		return nil, true, fmt.Errorf("evt.around[%s]=%s: the value is a window in milliseconds (a non-negative integer)", arg, values[0])
	}
	d := ms * uint64(time.Millisecond)
	return func(v any) bool {
		e := ev(v)
		if e == nil || e.Time.IsZero() {
			return false
		}
		ts := uint64(e.Time.UnixNano())
		lo := uint64(0)
		if ts > d {
			lo = ts - d
		}
		hi := ts + d
		if hi < ts {
			hi = ^uint64(0)
		}
		return t >= lo && t <= hi
	}, true, nil
}
