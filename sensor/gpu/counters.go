package gpu

import "sort"

type counterKey struct{ rule, entry string }

// Count is how many alerts of Rule one profile Entry suppressed.
type Count struct {
	Rule  string `json:"rule"`
	Entry string `json:"entry"`
	N     uint64 `json:"n"`
}

// Counts returns every rule × entry counter, zeros included, sorted by rule
// then entry. The pipeline exports them (e.g. as a Prometheus counter
// probehub_gpu_suppressed_total{rule,entry}).
func (f *Filter) Counts() []Count {
	out := make([]Count, 0, len(f.counters))
	for k, c := range f.counters {
		out = append(out, Count{Rule: k.rule, Entry: k.entry, N: c.Load()})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Rule != out[j].Rule {
			return out[i].Rule < out[j].Rule
		}
		return out[i].Entry < out[j].Entry
	})
	return out
}
