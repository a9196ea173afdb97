package rules

import "fmt"

// node is a condition AST node.
type node interface{ nodeAt() at }

type andNode struct {
	kids []node
	at   at
}

type orNode struct {
	kids []node
	at   at
}

type notNode struct {
	kid node
	at  at
}

// macroNode is a reference to a macro, replaced by its AST when compiled.
type macroNode struct {
	name string
	at   at
}

// macroUse is a resolved macro reference: the macro's AST, shared by every
// use, so that compiling and walking it is linear in the macros' sizes.
type macroUse struct {
	m   *macroDef
	ast node
	at  at
}

func (n *macroUse) nodeAt() at { return n.at }

// checkNode is one comparison: lhs op rhs.
type checkNode struct {
	lhs      *operand
	op       string // canonical operator ("==" is "=")
	mod      string // "", "oneof", "anyof", "allof"
	vals     []string
	list     bool     // the RHS is a list ( … )
	listName string   // the RHS is an identifier naming a list
	rhs      *operand // val(field) or a transformer on the right
	at       at
}

// operand is a field, a transformer over operands, or a literal.
type operand struct {
	field  string
	arg    string
	hasArg bool
	fn     string // transformer name; field is empty
	args   []*operand
	lit    string
	isLit  bool
	list   []string
	isList bool
	at     at
}

func (n *andNode) nodeAt() at   { return n.at }
func (n *orNode) nodeAt() at    { return n.at }
func (n *notNode) nodeAt() at   { return n.at }
func (n *macroNode) nodeAt() at { return n.at }
func (n *checkNode) nodeAt() at { return n.at }

// opNames are the operators of the language (docs/rules.md §3.1).
var opNames = map[string]bool{
	"=": true, "==": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true,
	"contains": true, "icontains": true, "bcontains": true, "startswith": true, "bstartswith": true,
	"endswith": true, "glob": true, "iglob": true, "regex": true, "in": true, "intersects": true,
	"pmatch": true, "exists": true,
}

// transformers are the field transformers (docs/rules.md §3.1).
var transformers = []string{"tolower", "toupper", "b64", "basename", "len", "join", "concat", "getopt"}

func errf(format string, a ...any) error { return fmt.Errorf(format, a...) }

// name returns the operand as written, for output_fields and messages.
func (o *operand) name() string {
	switch {
	case o.fn != "":
		s := o.fn + "("
		for i, a := range o.args {
			if i > 0 {
				s += ", "
			}
			s += a.name()
		}
		return s + ")"
	case o.isLit:
		return o.lit
	case o.hasArg:
		return o.field + "[" + o.arg + "]"
	}
	return o.field
}
