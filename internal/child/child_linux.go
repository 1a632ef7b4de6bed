package child

import "syscall"

// dieWithParent makes the child get SIGKILL if the process that started it dies
// first, so that no server outlives an interrupted run or test.
func dieWithParent(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
