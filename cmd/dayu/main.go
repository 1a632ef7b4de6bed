// Command dayu runs Dayu, the emulator of Huawei Cloud DataArts Studio's
// instance-ordering API. It only wires the packages together.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	root := &cobra.Command{
		Use:           "dayu",
		Short:         "Dayu emulates Huawei Cloud DataArts Studio's instance-ordering API",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(serveCommand())
	root.AddCommand(benchCommand())
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "dayu:", err)
		os.Exit(1)
	}
}
