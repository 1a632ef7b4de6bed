package load

import "syscall"

// dieWithParent makes the child get SIGKILL if the bench process dies
// first, so that no server outlives an interrupted run.
func dieWithParent(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
