package main

import "github.com/spf13/pflag"

// verifyKeyFlag registers --verify-key, the one name every command uses for
// the public key that artifacts or rules must be signed with (the name
// `probehub publish --gen-key` prints), and the older --key as a deprecated
// alias of it.
func verifyKeyFlag(fl *pflag.FlagSet, p *string, usage string) {
	fl.StringVar(p, "verify-key", "", usage)
	fl.StringVar(p, "key", "", usage)
	_ = fl.MarkDeprecated("key", "use --verify-key")
}
