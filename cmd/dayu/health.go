package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

func healthCommand() *cobra.Command {
	var endpoint string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "health",
		Short: "Check that a running Dayu is ready: exit 0 when GET /readyz answers 200, 1 otherwise",
		Long: "Check that a running Dayu is ready (its store answers), for a container's HEALTHCHECK, which has no shell or curl.\n" +
			"Every flag can also be set as DAYU_<FLAG> (DAYU_ENDPOINT).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := errors.Join(flagsFromEnv(cmd.Flags())...); err != nil {
				return err
			}
			msg, err := probeReady(endpoint, timeout)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), msg)
			return nil
		},
	}
	cmd.Flags().StringVar(&endpoint, "endpoint", defaultEndpoint, "URL of the running Dayu")
	cmd.Flags().DurationVar(&timeout, "timeout", 3*time.Second, "how long the check may take")
	return cmd
}

// probeReady asks endpoint's /readyz, returning a line for a ready server
// or an error that says why it is not.
func probeReady(endpoint string, timeout time.Duration) (string, error) {
	url := strings.TrimRight(endpoint, "/") + "/readyz"
	resp, err := (&http.Client{Timeout: timeout}).Get(url)
	if err != nil {
		return "", fmt.Errorf("not ready: %w", err)
	}
	defer resp.Body.Close()
	var body struct {
		Reason string `json:"reason"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 4096)).Decode(&body)
	if resp.StatusCode != http.StatusOK {
		if body.Reason != "" {
			return "", fmt.Errorf("not ready: %s answered %s: %s", url, resp.Status, body.Reason)
		}
		return "", fmt.Errorf("not ready: %s answered %s", url, resp.Status)
	}
	return "ready: " + url, nil
}
