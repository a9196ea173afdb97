// Command guest is the /init of the kernel-matrix initramfs: it mounts the
// pseudo filesystems, starts the sensor, performs real actions, checks the
// sensor saw them, prints one result line on the console and powers off.
// Run as anything but PID 1 it performs a single action (the marker program).
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"

	"github.com/probehub/probehub/wire/job"
)

func main() {
	if os.Getpid() != 1 {
		os.Exit(marker(os.Args[1:]))
	}
	tl := &timeline{}
	tl.mark("init")
	console := openConsole()
	res := run(console, tl)
	tl.mark("result")
	res.Timeline = tl.all()
	b, _ := json.Marshal(res)
	fmt.Fprintf(console, "\n%s%s\n", job.ResultPrefix, b)
	powerOff()
}

// marker is the small test program the actions exec: "read FILE" reads a
// file, "read32 FILE" reads it through 32-bit syscalls (amd64),
// "connect32 PORT" connects to 127.0.0.1:PORT through the 32-bit
// socketcall (amd64), "exit7" exits 7, anything else exits 0.
func marker(args []string) int {
	if len(args) > 1 && args[0] == "read" {
		if _, err := os.ReadFile(args[1]); err != nil {
			return 1
		}
	}
	if len(args) > 1 && args[0] == "read32" {
		if err := read32(args[1]); err != nil {
			fmt.Fprintln(os.Stderr, "marker:", err)
			return 1
		}
	}
	if len(args) > 1 && args[0] == "connect32" {
		port, err := strconv.ParseUint(args[1], 10, 16)
		if err == nil {
			err = connect32(uint16(port))
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "marker:", err)
			return 1
		}
	}
	if len(args) > 0 && args[0] == "exit7" {
		return 7
	}
	return 0
}

func openConsole() *os.File {
	for _, p := range []string{"/dev/console", "/dev/ttyS0", "/dev/ttyAMA0"} {
		if f, err := os.OpenFile(p, os.O_WRONLY, 0); err == nil {
			return f
		}
	}
	return os.Stdout
}
