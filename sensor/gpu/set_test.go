package gpu

import (
	"fmt"
	"testing"
)

func TestSet(t *testing.T) {
	for _, n := range []int{0, 1, smallSet, smallSet + 1, 3 * smallSet} {
		t.Run(fmt.Sprint(n, " items"), func(t *testing.T) {
			var items []string
			for i := range n {
				items = append(items, fmt.Sprintf("/usr/bin/tool%d", i))
			}
			s := newSet(append(items, items...)) // duplicates keep the first index
			for i, it := range items {
				if got := s.index(it); got != i {
					t.Errorf("index(%q) = %d, want %d", it, got, i)
				}
			}
			if s.has("/usr/bin/other") || s.has("") {
				t.Error("has an item it was not given")
			}
			if s.empty() != (n == 0) {
				t.Errorf("empty() = %v with %d items", s.empty(), n)
			}
		})
	}
}
