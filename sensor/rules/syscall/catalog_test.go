package syscall

import "testing"

// TestCatalogConsistent checks that every extractor has a catalog row and
// that every row binds (live or not).
func TestCatalogConsistent(t *testing.T) {
	for name := range extractors {
		if _, ok := rowIndex[name]; !ok {
			t.Errorf("extractor %s has no catalog row", name)
		}
	}
	seen := map[string]bool{}
	s := New()
	for _, r := range rows {
		if seen[r.Name] {
			t.Errorf("row %s listed twice", r.Name)
		}
		seen[r.Name] = true
		arg := ""
		if r.ArgRequired {
			arg = "0"
		}
		if _, _, err := s.Bind(r.Name, arg); err != nil {
			t.Errorf("bind %s: %v", r.Name, err)
		}
		if _, live := extractors[r.Name]; r.Fill != fillNone && r.Fill != fillNever && !live {
			t.Errorf("row %s says it is filled by %q but has no extractor", r.Name, r.Fill)
		}
	}
}
