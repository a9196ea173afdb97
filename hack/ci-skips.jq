# go test -json events → one line per skipped test: "PKG TEST\tREASON"
reduce (inputs | select(.Test != null and (.Action == "skip" or .Action == "output"))) as $e ({};
  ($e.Package | sub("^github.com/probehub/probehub/"; "")) as $p
  | ($p + " " + $e.Test) as $k
  | if $e.Action == "skip" then .[$k].skip = true
    elif ($e.Output | test("_test\\.go:[0-9]+: ")) and (.[$k].why == null) then .[$k].why = ($e.Output | sub("^\\s+"; "") | sub("\\n$"; ""))
    else . end)
| to_entries[] | select(.value.skip) | "\(.key)\t\(.value.why // "")"
