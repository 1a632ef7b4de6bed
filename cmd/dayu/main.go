// Command dayu runs Dayu, the emulator of Huawei Cloud DataArts Studio's
// instance-ordering API. It only wires the packages together.
package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

func main() {
	if err := rootCommand().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "dayu:", err)
		os.Exit(1)
	}
}

// rootCommand is the dayu command: the server, the bench, and the client
// commands that call a running Dayu.
func rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "dayu",
		Short:         "Dayu emulates Huawei Cloud DataArts Studio's instance-ordering API",
		Version:       version(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.AddCommand(serveCommand())
	root.AddCommand(benchCommand())
	root.AddCommand(caCommand())
	root.AddCommand(healthCommand())
	root.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "Print the name, the version or revision of this build, and its Go version",
		Args:  cobra.NoArgs,
		Run:   func(cmd *cobra.Command, _ []string) { fmt.Fprintln(cmd.OutOrStdout(), version()) },
	})
	root.AddCommand(clientCommands()...)
	return root
}

// version describes this build from its build info: the module version
// (a tag, or the pseudo-version go build derives from the commit), the VCS
// revision and whether the tree had uncommitted changes, and the Go version.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "dayu (no build information)"
	}
	return versionOf(info)
}

func versionOf(info *debug.BuildInfo) string {
	parts := []string{"dayu", info.Main.Version}
	var revision, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if revision != "" {
		parts = append(parts, "revision", revision)
		if modified == "true" {
			parts = append(parts, "(modified)")
		}
	}
	return strings.Join(append(parts, info.GoVersion), " ")
}
