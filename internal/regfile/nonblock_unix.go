//go:build unix

package regfile

import (
	"os"
	"syscall"
)

// openFlags open a FIFO without waiting for a writer.
const openFlags = os.O_RDONLY | syscall.O_NONBLOCK

func clearNonblock(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = syscall.SetNonblock(int(fd), false) }); err != nil {
		return err
	}
	return serr
}
