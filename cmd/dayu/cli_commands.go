package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dayu-emu/dayu"
)

// clientCommands are the commands that call a running Dayu (cli.go).
func clientCommands() []*cobra.Command {
	c := &client{}
	groups := []*cobra.Command{instancesCommand(c), ordersCommand(c), workspacesCommand(c), clockCommand(c),
		faultsCommand(c), requestsCommand(c), resetCommand(c), stateCommand(c)}
	for _, g := range groups {
		c.bind(g.PersistentFlags())
	}
	return groups
}

// statusWords are the instance statuses as the list reports them.
var statusWords = map[string]string{"1": "not yet effective", "2": "in effect", "3": "deleted", "4": "frozen", "5": "grace", "6": "deleting"}

func statusText(v any) string {
	n := str(v)
	return fmt.Sprintf("%s (%s)", statusWords[n], n)
}

// parsePeriod reads a subscription period: 1m to 9m, 1y to 3y.
func parsePeriod(s string) (periodType, num int, err error) {
	n, perr := strconv.Atoi(strings.TrimRight(s, "my"))
	switch {
	case perr == nil && strings.HasSuffix(s, "m"):
		return 2, n, nil
	case perr == nil && strings.HasSuffix(s, "y"):
		return 3, n, nil
	}
	return 0, 0, fmt.Errorf("--period %q: want months (1m) or years (1y)", s)
}

func instancesCommand(c *client) *cobra.Command {
	cmd := &cobra.Command{Use: "instances", Short: "Buy, list, show, renew and unsubscribe DataArts Studio instances"}
	var name, eps, edition, period, region, zone, vpc, subnet, sg string
	var autoRenew bool
	buy := &cobra.Command{
		Use:   "buy",
		Short: "Buy an instance; what no flag gives comes from the dev quickstart",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pt, pn, err := parsePeriod(period)
			if err != nil {
				return err
			}
			body := map[string]any{"region_id": region, "availability_zone": zone, "vpc_id": vpc, "net_id": subnet,
				"security_group_id": sg, "eps_id": eps, "instance_name": name, "period_type": pt, "period_num": pn,
				"is_auto_renew": flag(autoRenew), "resource_spec_code": edition}
			if err := c.fillFromQuickstart(cmd.Context(), body); err != nil {
				return err
			}
			b, err := c.api(cmd.Context(), "POST", "/v1/{project_id}/instances/onekey-purchase", body)
			if err != nil {
				return err
			}
			return c.print(cmd, b, func(v map[string]any) [][]string {
				return [][]string{{"ORDER", "INSTANCE"}, {str(v["order_id"]), str(v["resource_id"])}}
			})
		},
	}
	f := buy.Flags()
	f.StringVar(&name, "name", "dayu-cli", "instance_name")
	f.StringVar(&eps, "eps", "", "enterprise project id (eps_id)")
	f.StringVar(&edition, "edition", "", "resource_spec_code, e.g. dayu.starter")
	f.StringVar(&period, "period", "1m", "1m to 9m, or 1y to 3y")
	f.BoolVar(&autoRenew, "auto-renew", false, "renew at every expiry")
	f.StringVar(&region, "region", "", "region_id")
	f.StringVar(&zone, "az", "", "availability_zone")
	f.StringVar(&vpc, "vpc", "", "vpc_id")
	f.StringVar(&subnet, "subnet", "", "net_id")
	f.StringVar(&sg, "security-group", "", "security_group_id")

	var limit, offset int
	list := &cobra.Command{
		Use:   "list",
		Short: "List the project's instances, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := c.api(cmd.Context(), "GET", query("/v1/{project_id}/instances", "limit", strconv.Itoa(limit), "offset", strconv.Itoa(offset)), nil)
			if err != nil {
				return err
			}
			return c.print(cmd, b, func(v map[string]any) [][]string {
				rows := [][]string{{"ID", "NAME", "EDITION", "STATUS", "EXPIRES", "AUTO-RENEW"}}
				for _, i := range items(v, "commodity_orders") {
					rows = append(rows, []string{str(i["resource_id"]), str(i["resource_name"]), str(i["resource_spec_code"]),
						statusText(i["status"]), epochMS(i["expire_time"]), yesNo(i["is_auto_renew"])})
				}
				return rows
			})
		},
	}
	list.Flags().IntVar(&limit, "limit", 100, "page size (1-100)")
	list.Flags().IntVar(&offset, "offset", 0, "instances to skip")

	show := &cobra.Command{
		Use:   "show ID",
		Short: "Show an instance or package as BSS has it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := c.api(cmd.Context(), "POST", "/v2/orders/suscriptions/resources/query", map[string]any{"resource_ids": args, "only_main_resource": 1})
			if err != nil {
				return err
			}
			var v map[string]any
			if err := json.Unmarshal(b, &v); err != nil {
				return err
			}
			if len(items(v, "data")) == 0 {
				return fmt.Errorf("instance %s: BSS knows no such resource of the caller's account (none in effect yet, or gone)", args[0])
			}
			return c.print(cmd, b, func(v map[string]any) [][]string {
				r := items(v, "data")[0]
				return [][]string{{"ID", str(r["resource_id"])}, {"NAME", str(r["resource_name"])}, {"EDITION", str(r["resource_spec_code"])},
					{"STATUS", str(r["status"])}, {"EFFECTIVE", str(r["effective_time"])}, {"EXPIRES", str(r["expire_time"])},
					{"EXPIRE-POLICY", str(r["expire_policy"])}, {"PROJECT", str(r["project_id"])}}
			})
		},
	}

	unsubscribe := &cobra.Command{
		Use:   "unsubscribe ID...",
		Short: "End instances (and their packages)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := c.api(cmd.Context(), "POST", "/v2/orders/subscriptions/resources/unsubscribe", map[string]any{"resource_ids": args, "unsubscribe_type": 1})
			if err != nil {
				return err
			}
			return c.print(cmd, b, ordersAndFailures)
		},
	}

	var renewPeriod string
	renew := &cobra.Command{
		Use:   "renew ID...",
		Short: "Renew instances by a period, paid at once",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pt, pn, err := parsePeriod(renewPeriod)
			if err != nil {
				return err
			}
			b, err := c.api(cmd.Context(), "POST", "/v2/orders/subscriptions/resources/renew",
				map[string]any{"resource_ids": args, "period_type": pt, "period_num": pn, "is_auto_pay": 1})
			if err != nil {
				return err
			}
			return c.print(cmd, b, ordersAndFailures)
		},
	}
	renew.Flags().StringVar(&renewPeriod, "period", "1m", "1m to 9m, or 1y to 3y")
	cmd.AddCommand(buy, list, show, unsubscribe, renew)
	return cmd
}

// fillFromQuickstart fills the purchase's empty fields from the dev
// quickstart (when the server has one).
func (c *client) fillFromQuickstart(ctx context.Context, body map[string]any) error {
	fields := map[string]func(*dayu.Quickstart) string{
		"region_id": func(q *dayu.Quickstart) string { return q.RegionID }, "availability_zone": func(q *dayu.Quickstart) string { return q.AvailabilityZone },
		"vpc_id": func(q *dayu.Quickstart) string { return q.VpcID }, "net_id": func(q *dayu.Quickstart) string { return q.NetID },
		"security_group_id": func(q *dayu.Quickstart) string { return q.SecurityGroupID }, "eps_id": func(q *dayu.Quickstart) string { return q.EpsID },
		"resource_spec_code": func(q *dayu.Quickstart) string { return q.ResourceSpecCode },
	}
	var q *dayu.Quickstart
	for k, get := range fields {
		if body[k] != "" {
			continue
		}
		if q == nil {
			var err error
			if q, err = c.quickstart(ctx); err != nil {
				return fmt.Errorf("%s: give it by flag: %w", k, err)
			}
		}
		body[k] = get(q)
	}
	return nil
}

// ordersAndFailures tables BSS's answer of a renewal or unsubscription.
func ordersAndFailures(v map[string]any) [][]string {
	rows := [][]string{{"ORDER", "FAILED", "ERROR"}}
	ids, _ := v["order_ids"].([]any)
	for _, id := range ids {
		rows = append(rows, []string{str(id), "", ""})
	}
	for _, f := range items(v, "fail_resource_infos") {
		rows = append(rows, []string{"", str(f["resource_id"]), str(f["error_code"]) + " " + str(f["error_msg"])})
	}
	return rows
}

func yesNo(v any) string {
	if str(v) == "1" {
		return "yes"
	}
	return "no"
}

func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

func ordersCommand(c *client) *cobra.Command {
	cmd := &cobra.Command{Use: "orders", Short: "BSS orders of the caller's account"}
	orderRow := func(o map[string]any) []string {
		return []string{str(o["order_id"]), str(o["order_type"]), str(o["status"]), str(o["create_time"])}
	}
	header := []string{"ORDER", "TYPE", "STATUS", "CREATED"}
	var limit int
	list := &cobra.Command{
		Use:   "list",
		Short: "List the orders, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := c.api(cmd.Context(), "GET", query("/v2/orders/customer-orders", "limit", strconv.Itoa(limit)), nil)
			if err != nil {
				return err
			}
			return c.print(cmd, b, func(v map[string]any) [][]string {
				rows := [][]string{header}
				for _, o := range items(v, "order_infos") {
					rows = append(rows, orderRow(o))
				}
				return rows
			})
		},
	}
	list.Flags().IntVar(&limit, "limit", 100, "page size (1-100)")
	show := &cobra.Command{
		Use:   "show ID",
		Short: "Show an order",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := c.api(cmd.Context(), "GET", "/v2/orders/customer-orders/details/"+args[0], nil)
			if err != nil {
				return err
			}
			return c.print(cmd, b, func(v map[string]any) [][]string {
				info, _ := v["order_info"].(map[string]any)
				return [][]string{header, orderRow(info)}
			})
		},
	}
	cmd.AddCommand(list, show)
	return cmd
}

func workspacesCommand(c *client) *cobra.Command {
	cmd := &cobra.Command{Use: "workspaces", Short: "DataArts Studio workspaces"}
	cmd.AddCommand(&cobra.Command{
		Use:   "list INSTANCE",
		Short: "List an instance's workspaces",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := c.api(cmd.Context(), "GET", "/v1/{project_id}/workspaces/"+args[0], nil)
			if err != nil {
				return err
			}
			return c.print(cmd, b, func(v map[string]any) [][]string {
				rows := [][]string{{"ID", "NAME", "DEFAULT", "EPS", "DESCRIPTION"}}
				for _, w := range items(v, "data") {
					rows = append(rows, []string{str(w["id"]), str(w["name"]), yesNo(w["is_default"]), str(w["eps_id"]), str(w["description"])})
				}
				return rows
			})
		},
	})
	return cmd
}

func clockCommand(c *client) *cobra.Command {
	table := func(v map[string]any) [][]string {
		return [][]string{{"NOW", "OFFSET-SECONDS"}, {str(v["now"]), str(v["offset_seconds"])}}
	}
	cmd := &cobra.Command{
		Use:   "clock",
		Short: "Show the dev clock (dev mode)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := c.admin(cmd.Context(), "GET", "/_dayu/clock", nil)
			if err != nil {
				return err
			}
			return c.print(cmd, b, table)
		},
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "advance DURATION",
		Short: "Move the dev clock ahead: 90s, 24h, 30d, 1y",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := parseDuration(args[0])
			if err != nil {
				return err
			}
			b, err := c.admin(cmd.Context(), "POST", "/_dayu/clock", map[string]any{"advance_seconds": d.Seconds()})
			if err != nil {
				return err
			}
			return c.print(cmd, b, table)
		},
	})
	return cmd
}

func faultsCommand(c *client) *cobra.Command {
	cmd := &cobra.Command{Use: "faults", Short: "Fault rules: make the API fail on purpose"}
	var r struct {
		op, project, code, msg string
		count, status          int
		probability            float64
		latency, expires       time.Duration
		drop, lose             bool
	}
	table := func(rules []map[string]any) [][]string {
		rows := [][]string{{"ID", "OPERATION", "PROJECT", "REMAINING", "ACTION"}}
		for _, f := range rules {
			action := []string{}
			if l := str(f["latency_ms"]); l != "" && l != "0" {
				action = append(action, "latency "+l+"ms")
			}
			if e, ok := f["error"].(map[string]any); ok {
				action = append(action, "error "+str(e["status"])+" "+str(e["error_code"]))
			}
			if f["drop_connection"] == true {
				action = append(action, "drop connection")
			}
			if f["lose_response"] == true {
				action = append(action, "lose response")
			}
			rows = append(rows, []string{str(f["id"]), str(f["operation"]), str(f["project_id"]), str(f["remaining"]), strings.Join(action, ", ")})
		}
		return rows
	}
	add := &cobra.Command{
		Use:   "add",
		Short: "Add a fault rule",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rule := map[string]any{"operation": r.op}
			set := func(k string, v any, on bool) {
				if on {
					rule[k] = v
				}
			}
			set("project_id", r.project, r.project != "")
			set("count", r.count, r.count != 0)
			set("probability", r.probability, r.probability != 0)
			set("latency_ms", r.latency.Milliseconds(), r.latency != 0)
			set("expires_in_seconds", r.expires.Seconds(), r.expires != 0)
			set("drop_connection", true, r.drop)
			set("lose_response", true, r.lose)
			if r.status != 0 {
				e := map[string]any{"status": r.status}
				set := func(k, v string) {
					if v != "" {
						e[k] = v
					}
				}
				set("error_code", r.code)
				set("error_msg", r.msg)
				rule["error"] = e
			}
			b, err := c.admin(cmd.Context(), "POST", "/_dayu/faults", rule)
			if err != nil {
				return err
			}
			return c.print(cmd, b, func(v map[string]any) [][]string { return table([]map[string]any{v}) })
		},
	}
	f := add.Flags()
	f.StringVar(&r.op, "operation", "*", "operation as the V3 SDK names it (PayForDgcOneKey, ...), or *")
	f.StringVar(&r.project, "project", "", "only in this project")
	f.IntVar(&r.count, "count", 0, "hit at most this many calls (0: no limit)")
	f.Float64Var(&r.probability, "probability", 0, "hit with this probability (0: always)")
	f.DurationVar(&r.latency, "latency", 0, "delay the answer")
	f.DurationVar(&r.expires, "expires-in", 0, "remove the rule after this long")
	f.IntVar(&r.status, "error-status", 0, "answer with this HTTP status instead")
	f.StringVar(&r.code, "error-code", "", "the error answer's error_code")
	f.StringVar(&r.msg, "error-msg", "", "the error answer's error_msg")
	f.BoolVar(&r.drop, "drop-connection", false, "close the connection without an answer, doing nothing")
	f.BoolVar(&r.lose, "lose-response", false, "do the work, then close the connection without an answer")
	list := &cobra.Command{
		Use:   "list",
		Short: "List the fault rules",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := c.admin(cmd.Context(), "GET", "/_dayu/faults", nil)
			if err != nil {
				return err
			}
			return c.print(cmd, b, func(v map[string]any) [][]string { return table(items(v, "rules")) })
		},
	}
	clear := &cobra.Command{
		Use:   "clear [ID]",
		Short: "Remove one fault rule, or all",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := "/_dayu/faults"
			if len(args) == 1 {
				path += "/" + args[0]
			}
			_, err := c.admin(cmd.Context(), "DELETE", path, nil)
			return err
		},
	}
	cmd.AddCommand(add, list, clear)
	return cmd
}

func requestsCommand(c *client) *cobra.Command {
	var follow bool
	var limit int
	var op, status string
	cmd := &cobra.Command{
		Use:   "requests",
		Short: "The request journal: what clients sent and got, newest first (--follow: as they come, oldest first)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			header := []string{"TIME", "OPERATION", "STATUS", "ERROR", "LATENCY-MS", "PATH"}
			row := func(e map[string]any) []string {
				return []string{str(e["time"]), str(e["operation"]), str(e["status"]), str(e["error_code"]), str(e["latency_ms"]), str(e["path"])}
			}
			get := func(since string) ([]byte, error) {
				return c.admin(cmd.Context(), "GET", query("/_dayu/requests", "limit", strconv.Itoa(limit), "operation", op, "status", status, "since", since), nil)
			}
			b, err := get("")
			if err != nil || !follow {
				if err != nil {
					return err
				}
				return c.print(cmd, b, func(v map[string]any) [][]string {
					rows := [][]string{header}
					for _, e := range items(v, "requests") {
						rows = append(rows, row(e))
					}
					return rows
				})
			}
			return c.follow(cmd, b, get, header, row)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&follow, "follow", "f", false, "keep printing new requests until interrupted")
	f.IntVar(&limit, "limit", 20, "most requests to show")
	f.StringVar(&op, "operation", "", "only this operation")
	f.StringVar(&status, "status", "", "only this HTTP status")
	return cmd
}

// followEvery is how often requests --follow polls the journal.
const followEvery = 500 * time.Millisecond

// follow prints the journal's entries oldest first, then every new one as
// it comes (one JSON object a line with -o json), until the command's
// context ends.
func (c *client) follow(cmd *cobra.Command, first []byte, get func(since string) ([]byte, error), header []string, row func(map[string]any) []string) error {
	out := cmd.OutOrStdout()
	if c.output == "table" {
		fmt.Fprintln(out, strings.Join(header, "  "))
	}
	seen := map[string]bool{}
	since := ""
	b := first
	for {
		var v struct {
			Requests []json.RawMessage `json:"requests"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		for n := len(v.Requests) - 1; n >= 0; n-- {
			var e map[string]any
			if err := json.Unmarshal(v.Requests[n], &e); err != nil {
				return err
			}
			id := str(e["request_id"])
			if seen[id] {
				continue
			}
			seen[id], since = true, str(e["time"])
			if c.output == "json" {
				fmt.Fprintln(out, string(v.Requests[n]))
			} else {
				fmt.Fprintln(out, strings.Join(row(e), "  "))
			}
		}
		select {
		case <-cmd.Context().Done():
			return nil
		case <-time.After(followEvery):
		}
		var err error
		if b, err = get(since); err != nil {
			if cmd.Context().Err() != nil {
				return nil
			}
			return err
		}
	}
}

func resetCommand(c *client) *cobra.Command {
	return &cobra.Command{
		Use:   "reset",
		Short: "Delete every order, instance, workspace, fault rule and test clock (the world stays)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := c.admin(cmd.Context(), "POST", "/_dayu/reset", nil)
			if err != nil {
				return err
			}
			return c.print(cmd, b, func(v map[string]any) [][]string { return [][]string{{str(v["status"])}} })
		},
	}
}

func stateCommand(c *client) *cobra.Command {
	cmd := &cobra.Command{Use: "state", Short: "Export or import the whole state (GET, PUT /_dayu/state)"}
	cmd.AddCommand(&cobra.Command{
		Use:   "export",
		Short: "Write the state document to standard output",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := c.admin(cmd.Context(), "GET", "/_dayu/state", nil)
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(append(b, '\n'))
			return err
		},
	}, &cobra.Command{
		Use:   "import FILE",
		Short: "Replace the whole state with a state document (- for standard input)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var doc []byte
			var err error
			if args[0] == "-" {
				doc, err = io.ReadAll(cmd.InOrStdin())
			} else {
				doc, err = os.ReadFile(args[0])
			}
			if err != nil {
				return err
			}
			b, err := c.admin(cmd.Context(), "PUT", "/_dayu/state", doc)
			if err != nil {
				return err
			}
			return c.print(cmd, b, func(v map[string]any) [][]string {
				return [][]string{{"STATUS", "ORDERS", "INSTANCES"}, {str(v["status"]), str(v["orders"]), str(v["instances"])}}
			})
		},
	})
	return cmd
}
