package kernels

// GuessBTF says where a kernel's BTF will come from before anything is
// extracted: Debian enabled CONFIG_DEBUG_INFO_BTF with 5.10 (bullseye),
// Ubuntu with 5.8 (groovy and the HWE kernels after it); otherwise DWARF
// from a dbg package, if there is one; otherwise none.
func GuessBTF(k *Kernel) BTFSource {
	if k.BTF == BTFHub {
		return BTFHub
	}
	minimum := V(5, 10)
	if k.Distro == "ubuntu" {
		minimum = V(5, 8)
	}
	if v, err := ParseVersion(k.Release); err == nil && !v.Less(minimum) {
		return BTFBuiltin
	}
	if k.Packages.Debug != nil {
		return BTFDWARF
	}
	return BTFNone
}

// BTFBuiltinSince says from which release a distribution's kernels carry
// their own BTF, in words.
func BTFBuiltinSince(distro string) string {
	if distro == "ubuntu" {
		return "Ubuntu enabled CONFIG_DEBUG_INFO_BTF with 5.8"
	}
	return "Debian enabled CONFIG_DEBUG_INFO_BTF with 5.10"
}
