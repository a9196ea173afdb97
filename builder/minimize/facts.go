package minimize

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/probehub/probehub/wire/buildresult"
)

func programFacts(p *ebpf.ProgramSpec, spec *ebpf.CollectionSpec, relos int) buildresult.Program {
	out := buildresult.Program{
		Name: p.Name, Section: p.SectionName, Type: p.Type.String(), AttachTo: p.AttachTo,
		Instructions: len(p.Instructions), Relocations: relos,
	}
	feats := []buildresult.Feature{{Name: "program type " + p.Type.String(), Since: programTypeSince[p.Type]}}
	helpers, maps, calls := scanInstructions(p.Instructions)
	for _, h := range helpers {
		out.Helpers = append(out.Helpers, helperName(h))
		if v, ok := helperSince[h]; ok {
			feats = append(feats, buildresult.Feature{Name: "helper " + helperName(h), Since: v})
		}
	}
	for _, m := range maps {
		out.Maps = append(out.Maps, m)
		ms := spec.Maps[m]
		if ms == nil {
			continue
		}
		if v, ok := mapTypeSince[ms.Type]; ok {
			feats = append(feats, buildresult.Feature{Name: "map type " + ms.Type.String() + " (" + m + ")", Since: v})
		}
		if strings.HasPrefix(m, ".") {
			feats = append(feats, featGlobalData)
		}
	}
	if calls {
		feats = append(feats, featBPFToBPF)
	}
	if len(p.Instructions) > oldInsnLimit {
		feats = append(feats, featBigProgram)
	}
	out.Features = dedupFeatures(feats)
	out.MinKernel = maxFeature(out.Features)
	return out
}

// scanInstructions lists the helpers and maps a program uses, and whether it
// calls other BPF functions.
func scanInstructions(insns asm.Instructions) (helpers []asm.BuiltinFunc, maps []string, calls bool) {
	for _, ins := range insns {
		switch {
		case ins.IsBuiltinCall():
			helpers = append(helpers, asm.BuiltinFunc(ins.Constant))
		case ins.IsFunctionCall():
			calls = true
		}
		if r := ins.Reference(); r != "" && ins.IsLoadFromMap() {
			maps = append(maps, r)
		}
	}
	slices.Sort(helpers)
	slices.Sort(maps)
	return slices.Compact(helpers), slices.Compact(maps), calls
}

func helperName(h asm.BuiltinFunc) string {
	s := h.String()
	if strings.HasPrefix(s, "Fn") {
		return "bpf_" + snake(s[2:])
	}
	return fmt.Sprintf("helper#%d", int32(h))
}

// snake turns "GetCurrentPidTgid" into "get_current_pid_tgid".
func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func dedupFeatures(fs []buildresult.Feature) []buildresult.Feature {
	slices.SortFunc(fs, func(a, b buildresult.Feature) int {
		if a.Since != b.Since {
			if a.Since.Less(b.Since) {
				return 1
			}
			return -1
		}
		return cmpStr(a.Name, b.Name)
	})
	return slices.CompactFunc(fs, func(a, b buildresult.Feature) bool { return a == b })
}

func mapFacts(spec *ebpf.CollectionSpec) []buildresult.Map {
	var out []buildresult.Map
	for name, m := range spec.Maps {
		out = append(out, buildresult.Map{Name: name, Type: m.Type.String(), KeySize: m.KeySize,
			ValueSize: m.ValueSize, MaxEntries: m.MaxEntries, MinKernel: mapTypeSince[m.Type]})
	}
	slices.SortFunc(out, func(a, b buildresult.Map) int { return cmpStr(a.Name, b.Name) })
	return out
}
