package rules

import "strings"

// expandLists resolves list items that name an earlier list, one level, as
// Falco does at compile time (docs/rules.md §3.4). It returns list name → items.
func expandLists(lists []*listDef) map[string][]string {
	out := make(map[string][]string, len(lists))
	for _, l := range lists {
		var items []string
		for _, it := range l.items {
			if prev, ok := out[it]; ok {
				items = append(items, prev...)
				continue
			}
			items = append(items, it)
		}
		out[l.name] = items
	}
	return out
}

func isListDelim(c byte) bool {
	return isBlank(c) || c == '(' || c == ')' || c == ',' || c == '='
}

// substLists replaces every whole-word occurrence of a list name in t by
// its items joined with ", ", textually and before parsing, as Falco does
// (docs/rules.md §3.4): delimiters are the ends of the text, blanks and "(),=". Items
// with a blank are double-quoted. An empty list also removes one adjacent
// comma. used is called with each substituted list name.
func substLists(t *text, lists map[string][]string, used func(string)) *text {
	s := t.s
	var b strings.Builder
	var xl []xlate
	last := 0 // bytes of s copied so far
	for i := 0; i < len(s); {
		if isListDelim(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && !isListDelim(s[j]) {
			j++
		}
		items, ok := lists[s[i:j]]
		if !ok || (i > 0 && !isListDelim(s[i-1])) {
			i = j
			continue
		}
		used(s[i:j])
		if b.Len() == 0 && last == 0 {
			b.Grow(len(s) + 64)
		}
		st, en := i, j
		if len(items) == 0 {
			st, en = dropComma(s, st, en, last)
		}
		xl = append(xl, xlate{start: b.Len(), orig: last})
		b.WriteString(s[last:st])
		xl = append(xl, xlate{start: b.Len(), orig: i, fixed: true})
		for k, it := range items {
			if k > 0 {
				b.WriteString(", ")
			}
			b.WriteString(quoteItem(it))
		}
		last = en
		i = j
	}
	if xl == nil {
		return t
	}
	xl = append(xl, xlate{start: b.Len(), orig: last})
	b.WriteString(s[last:])
	return &text{s: b.String(), parent: t, xl: xl}
}

// dropComma widens [st,en) over one adjacent comma (and the blanks next to
// it), preferring the one after the name.
func dropComma(s string, st, en, floor int) (int, int) {
	k := en
	for k < len(s) && isBlank(s[k]) {
		k++
	}
	if k < len(s) && s[k] == ',' {
		return st, k + 1
	}
	k = st - 1
	for k >= floor && isBlank(s[k]) {
		k--
	}
	if k >= floor && s[k] == ',' {
		return k, en
	}
	return st, en
}
