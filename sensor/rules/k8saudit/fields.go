package k8saudit

import (
	"github.com/probehub/probehub/sensor/rules"
)

// field is one entry of the catalog: its description and how to bind it.
type field struct {
	info rules.FieldInfo
	bind func(arg string) (rules.Accessor, rules.Kind, error)
}

// scalar is a string field read from the decoded wire struct.
func scalar(name, desc string, get func(*Event) text) field {
	acc := func(ev any) (rules.Value, bool) {
		e, ok := ev.(*Event)
		if !ok {
			return rules.Value{}, false
		}
		t := get(e)
		return rules.Value{Str: t.s}, t.ok
	}
	return field{
		info: rules.FieldInfo{Name: name, Kind: rules.KindString, Desc: desc},
		bind: func(string) (rules.Accessor, rules.Kind, error) { return acc, rules.KindString, nil },
	}
}

// multi is a list field over Event.lists[idx]. With an index argument
// (field[2]) it yields the values of that item (container, rule, volume…).
// An empty extraction is reported as missing, as libsinsp does.
func multi(name, desc string, idx int, arg rules.ArgMode) field {
	all := func(ev any) (rules.Value, bool) {
		e, ok := ev.(*Event)
		if !ok || !e.lists[idx].ok || len(e.lists[idx].vals) == 0 {
			return rules.Value{}, false
		}
		return rules.Value{List: e.lists[idx].vals}, true
	}
	return field{
		info: rules.FieldInfo{Name: name, Kind: rules.KindStrings, Arg: arg, Desc: desc},
		bind: func(a string) (rules.Accessor, rules.Kind, error) {
			if a == "" {
				return all, rules.KindStrings, nil
			}
			if arg == rules.ArgNone {
				return nil, 0, errNoArg
			}
			n, err := argIndex(a)
			if err != nil {
				return nil, 0, err
			}
			return func(ev any) (rules.Value, bool) {
				e, ok := ev.(*Event)
				if !ok || !e.lists[idx].ok {
					return rules.Value{}, false
				}
				vals := e.lists[idx].item(n)
				return rules.Value{List: vals}, len(vals) > 0
			}, rules.KindStrings, nil
		},
	}
}

// computed is a string field whose accessor depends on the argument.
func computed(name, desc string, mode rules.ArgMode, mk func(arg string) (rules.Accessor, error)) field {
	return field{
		info: rules.FieldInfo{Name: name, Kind: rules.KindString, Arg: mode, Desc: desc},
		bind: func(a string) (rules.Accessor, rules.Kind, error) {
			acc, err := mk(a)
			return acc, rules.KindString, err
		},
	}
}

// strAcc adapts a func of *Event to an Accessor.
func strAcc(get func(*Event) (string, bool)) rules.Accessor {
	return func(ev any) (rules.Value, bool) {
		e, ok := ev.(*Event)
		if !ok {
			return rules.Value{}, false
		}
		s, ok := get(e)
		return rules.Value{Str: s}, ok
	}
}
