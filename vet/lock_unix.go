//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package vet

import (
	"errors"
	"os"
	"syscall"
)

// tryLock takes an exclusive lock (flock) on f without waiting and
// reports whether it got it. The lock belongs to the open file, not to the
// process, so two exports in one process exclude each other too; it ends
// when the file is closed or its process ends, however it ends. A file
// system that cannot lock reports false.
func tryLock(f *os.File) bool {
	conn, err := f.SyscallConn()
	if err != nil {
		return false
	}
	var lockErr error
	if err := conn.Control(func(fd uintptr) {
		lockErr = syscall.Flock(int(fd), syscall.LOCK_EX|syscall.LOCK_NB)
	}); err != nil {
		return false
	}
	return lockErr == nil
}

// linkUnsupported reports whether err, from os.Link, says that the file
// system has no hard links (FAT and exFAT answer EPERM).
func linkUnsupported(err error) bool {
	return errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.ENOTSUP) || errors.Is(err, syscall.ENOSYS)
}
