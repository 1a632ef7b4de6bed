package main

import (
	"github.com/spf13/cobra"
)

// caCommand prints the certificate of a running Dayu's intercepting proxy
// (dayu serve --intercept), for clients to trust: dayu ca > dayu-ca.pem.
func caCommand() *cobra.Command {
	var c client
	cmd := &cobra.Command{
		Use:   "ca",
		Short: "Print the CA certificate of a Dayu serving with --intercept (PEM)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := c.send(cmd.Context(), "GET", "/_dayu/ca.pem", nil, nil)
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(b)
			return err
		},
	}
	c.bindEndpoint(cmd.Flags())
	return cmd
}
