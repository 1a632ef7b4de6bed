package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/auth/signature"
	dayunode "github.com/dayu-emu/dayu/node"
)

// The client's environment: the endpoint and admin token as dayu serve
// names them, the credentials as the official SDKs read them.
const (
	endpointEnv   = "DAYU_ENDPOINT"
	adminTokenEnv = "DAYU_ADMIN_TOKEN"
	akEnv         = "HUAWEICLOUD_SDK_AK"
	skEnv         = "HUAWEICLOUD_SDK_SK"
	projectEnv    = "HUAWEICLOUD_SDK_PROJECT_ID"
)

// defaultEndpoint is dayu serve's default address.
const defaultEndpoint = "http://127.0.0.1:8080"

// client calls a running Dayu over its public API, as a user would: the
// API signed with AK/SK as the SDKs sign, the admin API with the bearer
// token. Every command of the client goes through it.
type client struct {
	endpoint, ak, sk, project, adminToken, output string
	http                                          *http.Client
	quick                                         *dayu.Quickstart // the dev quickstart, once read
}

// bind adds the client's flags, shared by every client command.
func (c *client) bind(f *pflag.FlagSet) {
	c.bindEndpoint(f)
	f.StringVar(&c.ak, "ak", os.Getenv(akEnv), "access key (env "+akEnv+"); none: the dev quickstart's")
	f.StringVar(&c.sk, "sk", os.Getenv(skEnv), "secret key (env "+skEnv+")")
	f.StringVar(&c.project, "project-id", os.Getenv(projectEnv), "project id (env "+projectEnv+")")
	f.StringVar(&c.adminToken, "admin-token", envOr(adminTokenEnv, dayunode.DevAdminToken), "admin API token (env "+adminTokenEnv+"); default the dev one")
	f.StringVarP(&c.output, "output", "o", "table", "table, or json: the API's JSON unchanged")
}

// bindEndpoint adds only --endpoint, for the commands that call nothing but
// Dayu's public paths (dayu ca).
func (c *client) bindEndpoint(f *pflag.FlagSet) {
	f.StringVar(&c.endpoint, "endpoint", envOr(endpointEnv, defaultEndpoint), "Dayu's URL (env "+endpointEnv+")")
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// apiError is an error answer, as the service worded it.
type apiError struct {
	status        int
	code, message string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%s: %s (HTTP %d)", e.code, e.message, e.status)
}

// quickstart returns the dev quickstart of a dev-mode server.
func (c *client) quickstart(ctx context.Context) (*dayu.Quickstart, error) {
	if c.quick != nil {
		return c.quick, nil
	}
	b, err := c.send(ctx, "GET", "/_dayu/quickstart", nil, nil)
	if err != nil {
		return nil, fmt.Errorf("no credentials (--ak, --sk, --project-id or %s, %s, %s), and no dev quickstart at %s: %w", akEnv, skEnv, projectEnv, c.endpoint, err)
	}
	var q dayu.Quickstart
	if err := json.Unmarshal(b, &q); err != nil {
		return nil, err
	}
	c.quick = &q
	return c.quick, nil
}

// credentials fills in the AK/SK and project from the dev quickstart when
// none were given.
func (c *client) credentials(ctx context.Context) error {
	if c.ak != "" || c.sk != "" {
		if c.ak == "" || c.sk == "" || c.project == "" {
			return errors.New("--ak, --sk and --project-id go together")
		}
		return nil
	}
	q, err := c.quickstart(ctx)
	if err != nil {
		return err
	}
	c.ak, c.sk = q.AccessKey, q.SecretKey
	if c.project == "" {
		c.project = q.ProjectID
	}
	return nil
}

// api calls the API signed with the AK/SK; path may use {project_id}.
func (c *client) api(ctx context.Context, method, path string, body any) ([]byte, error) {
	if err := c.credentials(ctx); err != nil {
		return nil, err
	}
	path = strings.ReplaceAll(path, "{project_id}", c.project)
	return c.send(ctx, method, path, body, func(r *http.Request, raw []byte) {
		r.Header.Set("X-Project-Id", c.project)
		signed := []string{"host", "x-project-id", "x-sdk-date"}
		if raw != nil {
			signed = []string{"content-type", "host", "x-project-id", "x-sdk-date"}
		}
		signature.Sign(r, raw, c.ak, c.sk, signed, time.Now())
	})
}

// admin calls the admin API with the admin token.
func (c *client) admin(ctx context.Context, method, path string, body any) ([]byte, error) {
	return c.send(ctx, method, path, body, func(r *http.Request, _ []byte) {
		r.Header.Set("Authorization", "Bearer "+c.adminToken)
	})
}

// send sends one request (body: nil, raw JSON bytes or a value to encode)
// and returns the answer's body, or the service's error.
func (c *client) send(ctx context.Context, method, path string, body any, authorize func(*http.Request, []byte)) ([]byte, error) {
	var raw []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			return nil, err
		}
	}
	r, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.endpoint, "/")+path, bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	r.Header.Set("Accept", "application/json")
	if raw != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if authorize != nil {
		authorize(r, raw)
	}
	hc := c.http
	if hc == nil {
		hc = &http.Client{Timeout: 5 * time.Minute}
	}
	resp, err := hc.Do(r)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, errorOf(resp.StatusCode, b)
	}
	return b, nil
}

// errorOf reads an error answer in any of the services' formats:
// DataArts', BSS' and the gateway's {error_code, error_msg}, EPS'
// {error: {error_code, error_msg}}, Keystone's {error: {code, message}}.
func errorOf(status int, b []byte) error {
	var e struct {
		Code    string `json:"error_code"`
		Message string `json:"error_msg"`
		Nested  struct {
			Code      any    `json:"code"`
			Message   string `json:"message"`
			ErrorCode string `json:"error_code"`
			ErrorMsg  string `json:"error_msg"`
		} `json:"error"`
	}
	_ = json.Unmarshal(b, &e)
	switch {
	case e.Code != "":
		return &apiError{status, e.Code, e.Message}
	case e.Nested.ErrorCode != "":
		return &apiError{status, e.Nested.ErrorCode, e.Nested.ErrorMsg}
	case e.Nested.Code != nil:
		return &apiError{status, fmt.Sprint(e.Nested.Code), e.Nested.Message}
	}
	return &apiError{status, http.StatusText(status), strings.TrimSpace(string(b))}
}

// print writes an answer: its JSON unchanged with -o json, else the table
// that table makes of it.
func (c *client) print(cmd *cobra.Command, b []byte, table func(v map[string]any) [][]string) error {
	switch c.output {
	case "json":
		_, err := fmt.Fprintln(cmd.OutOrStdout(), string(bytes.TrimSpace(b)))
		return err
	case "table":
	default:
		return fmt.Errorf("-o: %q is neither table nor json", c.output)
	}
	var v map[string]any
	if len(bytes.TrimSpace(b)) > 0 {
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
	}
	w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	for _, row := range table(v) {
		fmt.Fprintln(w, strings.Join(row, "\t"))
	}
	return w.Flush()
}

// str is a field of a decoded answer as text.
func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// items is the list under key of a decoded answer, as objects.
func items(v map[string]any, key string) []map[string]any {
	list, _ := v[key].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, x := range list {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// epochMS shows epoch milliseconds as an RFC 3339 time.
func epochMS(v any) string {
	ms, ok := v.(float64)
	if !ok || ms == 0 {
		return ""
	}
	return time.UnixMilli(int64(ms)).UTC().Format(time.RFC3339)
}

// parseDuration reads a Go duration, or whole days (30d) or years of 365
// days (1y).
func parseDuration(s string) (time.Duration, error) {
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "y": 365 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			v, err := strconv.ParseFloat(n, 64)
			if err != nil || v <= 0 {
				return 0, fmt.Errorf("duration %q: want a positive number before %s", s, suffix)
			}
			return time.Duration(v * float64(unit)), nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("duration %q: want a positive duration such as 90s, 24h, 30d or 1y", s)
	}
	return d, nil
}

// query is a path with its query string, the empty values left out.
func query(path string, kv ...string) string {
	v := url.Values{}
	for n := 0; n+1 < len(kv); n += 2 {
		if kv[n+1] != "" {
			v.Set(kv[n], kv[n+1])
		}
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}
