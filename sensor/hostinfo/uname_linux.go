package hostinfo

import (
	"fmt"

	"golang.org/x/sys/unix"
)

type unameInfo struct{ machine, release string }

func uname() (unameInfo, error) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return unameInfo{}, fmt.Errorf("uname: %w", err)
	}
	return unameInfo{machine: unix.ByteSliceToString(u.Machine[:]), release: unix.ByteSliceToString(u.Release[:])}, nil
}
