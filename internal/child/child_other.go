//go:build !linux

package child

import "syscall"

// dieWithParent does nothing where there is no parent-death signal: Stop
// ends the children.
func dieWithParent(*syscall.SysProcAttr) {}
