package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"
)

// caCommand prints the certificate of a running Dayu's intercepting proxy
// (dayu serve --intercept), for clients to trust: dayu ca > dayu-ca.pem.
func caCommand() *cobra.Command {
	endpoint := "http://127.0.0.1:8080"
	if e := os.Getenv("DAYU_ENDPOINT"); e != "" {
		endpoint = e
	}
	cmd := &cobra.Command{
		Use:   "ca",
		Short: "Print the CA certificate of a Dayu serving with --intercept (PEM)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c := &http.Client{Timeout: 10 * time.Second}
			resp, err := c.Get(endpoint + "/_dayu/ca.pem")
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				return err
			}
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("%s/_dayu/ca.pem: %d (is the server running with --intercept?)", endpoint, resp.StatusCode)
			}
			_, err = cmd.OutOrStdout().Write(b)
			return err
		},
	}
	cmd.Flags().StringVar(&endpoint, "endpoint", endpoint, "the running Dayu (env DAYU_ENDPOINT)")
	return cmd
}
