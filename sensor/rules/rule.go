package rules

// Rule is a loaded rule.
type Rule struct {
	Name      string
	Desc      string
	Condition string // as written, before exceptions and list substitution
	Output    string
	Priority  Priority
	Tags      []string // sorted, deduplicated
	Source    string
	Enabled   bool
	Pos       Pos // where the rule was first defined
	// EventTypes are the event types the rule can match, in the source's
	// numbering order; nil when the source has no event types or the rule
	// matches every type.
	EventTypes []string
	// ExceptionFields are the fields used by the rule's exceptions; alerts
	// carry them in output_fields.
	ExceptionFields []string
	Capture         bool

	eval  evalFn
	out   *format
	types typeSet // nil: every type
	// capture is what the rule needs captured when it differs from types
	// (on-demand types it does not name left out: OnDemandTyper).
	capture typeSet
	set     *sourceSet
	gen     *uint64
}

// Match reports whether the rule's condition holds for ev, an event of the
// rule's source. It ignores Enabled.
func (r *Rule) Match(ev any) bool {
	if r.set != nil && r.set.prep != nil {
		r.set.prep.Prepare(ev)
	}
	*r.gen++
	return r.eval(ev)
}
