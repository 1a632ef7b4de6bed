package http

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"io/fs"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dayu-emu/dayu"
)

// The web console under /_dayu/console/: server-rendered pages of one
// domain's instances, orders and timelines, and of the node's clock, fault
// rules and request journal. Every action goes through the same Service
// methods as the API, as a caller of the chosen project's domain; the
// pages are html/template (escaped), and console.js only refreshes the
// live parts of a page.

//go:embed console
var consoleFiles embed.FS

// ConsolePath is where the console is served.
const ConsolePath = "/_dayu/console/"

// Console is the web console's configuration; it needs the admin API (its
// token is the console's login).
type Console struct {
	// Open serves the console without a login: dev mode, whose admin token
	// is public anyway. Actions still need the session's CSRF token.
	Open bool
}

// consoleListMax is the most instances a console page shows of a project.
const consoleListMax = 200

// sessionLifetime is how long a console login lasts.
const sessionLifetime = 12 * time.Hour

const (
	sessionCookie = "dayu_console"
	csrfField     = "csrf"
)

// consoleUser is the create_user of what the console buys.
const consoleUser = "console"

// console serves the console's pages and actions.
type console struct {
	s     *Server
	open  bool
	key   []byte // the sessions' HMAC key, derived from the admin token
	pages map[string]*template.Template
}

func (s *Server) consoleRoutes(mux *http.ServeMux) {
	c := &console{s: s, open: s.Console.Open, pages: parseConsolePages()}
	k := sha256.Sum256([]byte("dayu console sessions\x00" + s.Admin.Token))
	c.key = k[:]
	static, err := fs.Sub(consoleFiles, "console/static")
	if err != nil {
		panic(err) // the embedded directory is part of the build
	}
	mux.Handle("GET "+ConsolePath+"static/", http.StripPrefix(ConsolePath+"static/", http.FileServerFS(static)))
	mux.HandleFunc("GET "+ConsolePath+"login", c.loginPage)
	mux.HandleFunc("POST "+ConsolePath+"login", c.login)
	pages := map[string]func(*consoleView, *http.Request) error{
		"{$}":            c.instances,
		"instances/{id}": c.instance,
		"orders":         c.orders,
		"faults":         c.faults,
		"requests":       c.requests,
	}
	for p, h := range pages {
		mux.Handle("GET "+ConsolePath+p, c.page(h))
	}
	actions := map[string]consoleAction{
		"logout":                 {dataArts, func(*consoleView, *http.Request) error { return nil }},
		"buy":                    {dataArts, c.buy},
		"clock":                  {dataArts, c.moveClock},
		"instances/{id}/renew":   {bss, c.renew},
		"instances/{id}/renewal": {bss, c.switchAutoRenew},
		"instances/{id}/change":  {dataArts, c.change},
		"instances/{id}/move":    {eps, c.move},
		"instances/{id}/end":     {bss, c.unsubscribe},
		"orders/{id}/pay":        {bss, c.pay},
		"orders/{id}/cancel":     {bss, c.cancel},
		"faults":                 {dataArts, c.addFault},
		"faults/{id}/delete":     {dataArts, c.deleteFault},
	}
	for p, a := range actions {
		mux.Handle("POST "+ConsolePath+p, c.action(a))
	}
}

func parseConsolePages() map[string]*template.Template {
	funcs := template.FuncMap{
		"when":        func(t time.Time) string { return consoleTime(t) },
		"statusText":  words(statusWords),
		"orderType":   words(orderTypeWords),
		"orderStatus": words(orderStatusWords),
		"periodText":  periodText,
	}
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(consoleFiles, "console/layout.html"))
	pages := map[string]*template.Template{}
	for _, name := range []string{"instances", "instance", "orders", "faults", "requests", "login", "error"} {
		pages[name] = template.Must(template.Must(base.Clone()).ParseFS(consoleFiles, "console/"+name+".html"))
	}
	return pages
}

// consoleView is what every page shows: the chosen domain and project,
// their time, the session's CSRF token, and the page's own data.
type consoleView struct {
	Title    string
	Page     string
	CSRF     string
	Open     bool
	Domains  []*dayu.Domain
	Domain   *dayu.Domain
	Project  *dayu.Project
	Now      time.Time
	DevClock bool
	// TestClock: the domain has its own test clock, which the clock
	// buttons move instead of the server's.
	TestClock bool
	Back      string // this page's path and query, where an action returns
	Data      any

	caller dayu.Caller
}

// secure sets what every console answer carries: no caching, no framing,
// no script or style but the console's own.
func secure(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'")
}

// session returns the request's valid console session, if any. A session
// is "<issued unix seconds>-<random>.<HMAC>": opaque, checked without a
// store on any node with the same admin token, and never the token.
func (c *console) session(r *http.Request) (string, bool) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return "", false
	}
	id, mac, ok := strings.Cut(ck.Value, ".")
	if !ok || !hmac.Equal([]byte(mac), []byte(c.mac("session", id))) {
		return "", false
	}
	issued, _, _ := strings.Cut(id, "-")
	sec, err := strconv.ParseInt(issued, 10, 64)
	if err != nil || time.Since(time.Unix(sec, 0)) > sessionLifetime {
		return "", false
	}
	return id, true
}

func (c *console) mac(purpose, id string) string {
	h := hmac.New(sha256.New, c.key)
	h.Write([]byte(purpose + "\x00" + id))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

// startSession sets a new session's cookie and returns its id.
func (c *console) startSession(w http.ResponseWriter, r *http.Request) string {
	id := strconv.FormatInt(time.Now().Unix(), 10) + "-" + rand.Text()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id + "." + c.mac("session", id), Path: ConsolePath,
		MaxAge: int(sessionLifetime.Seconds()), HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	return id
}

// view reads the chosen project (the query's project, else the world's
// first) and what every page shows of it.
func (c *console) view(r *http.Request, session string) (*consoleView, error) {
	w := c.s.Service.World
	v := &consoleView{CSRF: c.mac("csrf", session), Open: c.open, Domains: w.Domains, Back: r.URL.RequestURI(),
		DevClock: c.s.Admin.Clock != nil}
	switch id := r.FormValue("project"); {
	case id != "":
		v.Project = w.Project(id)
		if v.Project == nil {
			return v, dayu.Errorf(dayu.ENOTFOUND, "project %q does not exist", id)
		}
	default:
		for _, d := range w.Domains {
			if len(d.Projects) > 0 {
				v.Project = d.Projects[0]
				break
			}
		}
		if v.Project == nil {
			return v, dayu.Errorf(dayu.ENOTFOUND, "the world has no project")
		}
	}
	v.Domain = v.Project.Domain
	v.caller = dayu.Caller{UserName: consoleUser, DomainID: v.Domain.ID, DomainName: v.Domain.Name, ProjectID: v.Project.ID}
	v.Now = c.s.Service.Clocks.Now(v.Domain.ID)
	v.TestClock = c.s.Clocks != nil && c.s.Clocks.Get(v.Domain.ID) != nil
	return v, nil
}

// page serves a page to a console session (dev mode starts one; outside
// it, the login is asked for).
func (c *console) page(h func(*consoleView, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secure(w)
		id, ok := c.session(r)
		switch {
		case !ok && !c.open:
			http.Redirect(w, r, ConsolePath+"login", http.StatusSeeOther)
			return
		case !ok:
			id = c.startSession(w, r)
		}
		v, err := c.view(r, id)
		if err == nil {
			err = h(v, r)
		}
		if err != nil {
			c.fail(w, v, dataArts, err)
			return
		}
		c.render(w, http.StatusOK, v)
	})
}

// consoleAction is a console action: its service (whose error codes it
// shows) and its handler.
type consoleAction struct {
	svc service
	h   func(*consoleView, *http.Request) error
}

// action serves a form's POST: it needs a session and its CSRF token,
// then returns to the page the form was on.
func (c *console) action(a consoleAction) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secure(w)
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		id, ok := c.session(r)
		if !ok {
			c.refuse(w, http.StatusUnauthorized, "no console session: log in at "+ConsolePath+"login")
			return
		}
		if subtle.ConstantTimeCompare([]byte(r.PostFormValue(csrfField)), []byte(c.mac("csrf", id))) != 1 {
			c.refuse(w, http.StatusForbidden, "the form's CSRF token is missing or forged: reload the page and try again")
			return
		}
		v, err := c.view(r, id)
		if err == nil {
			v.Back = r.PostFormValue("back")
			if !strings.HasPrefix(v.Back, ConsolePath) || strings.Contains(v.Back, "//") || strings.Contains(v.Back, `\`) {
				v.Back = ConsolePath + "?project=" + v.Project.ID
			}
			err = a.h(v, r)
		}
		if err != nil {
			c.fail(w, v, a.svc, err)
			return
		}
		back := v.Back
		if r.URL.Path == ConsolePath+"logout" {
			// The cookie goes; its HMAC stays valid until it expires, as a
			// stateless session's must (a new admin token ends them all).
			http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: ConsolePath, MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
			back = ConsolePath + "login"
		}
		http.Redirect(w, r, back, http.StatusSeeOther)
	})
}

// consoleError is an error page: the service's status, error_code and
// message, as the API answers them.
type consoleError struct {
	Status  int
	Code    string
	Message string
}

func (c *console) fail(w http.ResponseWriter, v *consoleView, svc service, err error) {
	status, code, msg := describeError(svc, err)
	if status >= http.StatusInternalServerError {
		c.s.Logger.Error("console request failed", "class", string(dayu.ErrorCodeOf(err)), "err", err)
	}
	v.Title, v.Page, v.Data = "Error "+code, "error", consoleError{status, code, msg}
	c.render(w, status, v)
}

// refuse answers a request without a session or CSRF token: no page of
// the console's data, only the reason.
func (c *console) refuse(w http.ResponseWriter, status int, msg string) {
	c.render(w, status, &consoleView{Title: "Refused", Page: "error", Data: consoleError{Status: status, Message: msg}})
}

func (c *console) render(w http.ResponseWriter, status int, v *consoleView) {
	var buf bytes.Buffer
	if err := c.pages[v.Page].ExecuteTemplate(&buf, "layout.html", v); err != nil {
		c.s.Logger.Error("console template", "page", v.Page, "err", err)
		http.Error(w, "the console could not render this page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (c *console) loginPage(w http.ResponseWriter, r *http.Request) {
	secure(w)
	if _, ok := c.session(r); ok || c.open {
		http.Redirect(w, r, ConsolePath, http.StatusSeeOther)
		return
	}
	c.render(w, http.StatusOK, &consoleView{Title: "Log in", Page: "login"})
}

// login takes the admin token once and answers with a session cookie;
// the token itself is never stored in the browser.
func (c *console) login(w http.ResponseWriter, r *http.Request) {
	secure(w)
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	// Wrong tokens are limited as wrong passwords are, per client address
	// (and for the admin token as one user), so that it cannot be guessed
	// at speed.
	end, err := c.s.logins.begin(clientAddress(r), "\x00console admin token")
	if err != nil {
		c.render(w, http.StatusTooManyRequests, &consoleView{Title: "Log in", Page: "login", Data: "Too many wrong tokens: wait a few seconds."})
		return
	}
	wrong := subtle.ConstantTimeCompare([]byte(r.PostFormValue("token")), []byte(c.s.Admin.Token)) != 1
	end(wrong)
	if wrong {
		c.render(w, http.StatusUnauthorized, &consoleView{Title: "Log in", Page: "login", Data: "That is not the admin token."})
		return
	}
	c.startSession(w, r)
	http.Redirect(w, r, ConsolePath, http.StatusSeeOther)
}

// The instances of a project.

// instanceRow is an instance as the console shows it.
type instanceRow struct {
	ID, Name, Edition, EpsID, EpsName, PackageType string
	Status                                         dayu.InstanceStatus
	Created, Effective, Expires                    time.Time
	DaysLeft                                       int
	AutoRenew                                      bool
	Packages                                       []instanceRow
	Workspaces                                     []string
}

func (c *console) row(i *dayu.Instance, v *consoleView) instanceRow {
	spec, _ := i.SpecAt(v.Now)
	exp, _ := i.Term(v.Now)
	epsName := v.Domain.EnterpriseProjectName(i.EpsID)
	return instanceRow{ID: i.ID, Name: i.Name, Edition: spec, EpsID: i.EpsID, EpsName: epsName, PackageType: i.ExtensionPackage,
		Status: i.Status(v.Now), Created: i.CreatedAt, Effective: i.EffectiveAt, Expires: exp,
		DaysLeft: i.ExpireDays(v.Now), AutoRenew: i.AutoRenews(v.Now)}
}

// projectRows are the project's instances with their packages under
// them, as the API lists them (newest first), and how many there are.
func (c *console) projectRows(ctx context.Context, v *consoleView) ([]instanceRow, int, error) {
	l, err := c.s.Service.ListInstances(ctx, v.Project.ID, dayu.Page{Limit: consoleListMax})
	if err != nil {
		return nil, 0, err
	}
	v.Now = l.At
	var rows []instanceRow
	index := map[string]int{}
	for _, i := range l.Instances {
		if !i.IsPackage() {
			index[i.ID] = len(rows)
			rows = append(rows, c.row(i, v))
		}
	}
	for _, i := range l.Instances {
		if n, ok := index[i.ParentID]; ok && i.IsPackage() {
			rows[n].Packages = append(rows[n].Packages, c.row(i, v))
		}
	}
	for n := range rows {
		ws, _, err := c.s.Service.Workspaces(ctx, v.caller, v.Project.ID, rows[n].ID, dayu.Page{Limit: 100})
		switch {
		case dayu.ErrorCodeOf(err) == dayu.ENOTFOUND: // gone since it was listed
		case err != nil:
			return nil, 0, err
		}
		for _, w := range ws {
			rows[n].Workspaces = append(rows[n].Workspaces, w.Name)
		}
	}
	return rows, l.Total, nil
}

// instancesPage is the instances page's data.
type instancesPage struct {
	Rows             []instanceRow
	Total            int
	Query, Sort      string
	Sorts            []string
	Status           int
	Statuses         []dayu.InstanceStatus
	Buy              buyForm
	ShownAll         bool
	ConsoleListLimit int
}

// buyForm is what the buy form offers: the world's catalog and the
// project's networks.
type buyForm struct {
	Editions           []dayu.Edition
	Zones              []string
	VPCs               []dayu.VPC
	SecurityGroups     []string
	EnterpriseProjects []dayu.EnterpriseProject
	FreeEps            string // the first enterprise project without an instance
}

func (c *console) instances(v *consoleView, r *http.Request) error {
	rows, total, err := c.projectRows(r.Context(), v)
	if err != nil {
		return err
	}
	p := instancesPage{Sorts: []string{"created", "name", "expires", "status"}, Total: total, Query: r.FormValue("q"), Sort: r.FormValue("sort"), ShownAll: total <= consoleListMax, ConsoleListLimit: consoleListMax,
		Statuses: []dayu.InstanceStatus{dayu.InstancePending, dayu.InstanceActive, dayu.InstanceGrace, dayu.InstanceFrozen, dayu.InstanceDeleting}}
	p.Status, _ = strconv.Atoi(r.FormValue("status"))
	taken := map[string]bool{}
	for _, row := range rows {
		taken[row.EpsID] = true
	}
	q := strings.ToLower(p.Query)
	rows = slices.DeleteFunc(rows, func(row instanceRow) bool {
		return (q != "" && !strings.Contains(strings.ToLower(row.Name), q) && !strings.Contains(row.ID, q)) ||
			(p.Status != 0 && int(row.Status) != p.Status)
	})
	switch p.Sort {
	case "name":
		slices.SortStableFunc(rows, func(a, b instanceRow) int { return strings.Compare(a.Name, b.Name) })
	case "expires":
		slices.SortStableFunc(rows, func(a, b instanceRow) int { return a.Expires.Compare(b.Expires) })
	case "status":
		slices.SortStableFunc(rows, func(a, b instanceRow) int { return int(a.Status) - int(b.Status) })
	default:
		p.Sort = "created"
	}
	p.Rows = rows
	p.Buy = buyForm{Editions: c.s.Service.World.Editions, VPCs: v.Project.VPCs, SecurityGroups: v.Project.SecurityGroups,
		EnterpriseProjects: enterpriseProjects(v.Domain)}
	if reg := c.s.Service.World.Region(v.Project.RegionID); reg != nil {
		p.Buy.Zones = reg.Zones
	}
	for _, e := range p.Buy.EnterpriseProjects {
		if !taken[e.ID] {
			p.Buy.FreeEps = e.ID
			break
		}
	}
	v.Title, v.Page, v.Data = "Instances of "+v.Project.Name, "instances", p
	return nil
}

// enterpriseProjects are the domain's enterprise projects, the default one
// first, at most consoleListMax of them.
func enterpriseProjects(d *dayu.Domain) []dayu.EnterpriseProject {
	all := append([]dayu.EnterpriseProject{{ID: dayu.DefaultEnterpriseProject, Name: "default"}}, d.EnterpriseProjects...)
	return all[:min(len(all), consoleListMax)]
}

// rowOf finds one of the project's instances.
func (c *console) rowOf(r *http.Request, v *consoleView) (instanceRow, error) {
	rows, _, err := c.projectRows(r.Context(), v)
	if err != nil {
		return instanceRow{}, err
	}
	id := r.PathValue("id")
	for _, row := range rows {
		if row.ID == id {
			return row, nil
		}
	}
	return instanceRow{}, dayu.Errorf(dayu.ENOTFOUND, "instance %q does not exist in project %s (or is gone)", id, v.Project.ID)
}

// instancePage is an instance's page: the instance, its orders and what
// happens next.
type instancePage struct {
	instanceRow
	Orders       []*dayu.Order
	Next         []consoleEvent
	Editions     []dayu.Edition
	Enterprise   []dayu.EnterpriseProject
	Now          time.Time
	OrderPending dayu.OrderStatus
}

// consoleEvent is something the lifecycle will do, and when.
type consoleEvent struct {
	At   time.Time
	What string
}

func (c *console) instance(v *consoleView, r *http.Request) error {
	row, err := c.rowOf(r, v)
	if err != nil {
		return err
	}
	orders, err := c.s.Service.ListOrders(r.Context(), v.caller, dayu.OrderQuery{OldestFirst: true, Page: dayu.Page{Limit: 1 << 30}})
	if err != nil {
		return err
	}
	ids := map[string]bool{row.ID: true}
	for _, p := range row.Packages {
		ids[p.ID] = true
	}
	p := instancePage{instanceRow: row, Editions: c.s.Service.World.Editions, Enterprise: enterpriseProjects(v.Domain), Now: orders.At,
		OrderPending: dayu.OrderPendingPayment}
	for _, o := range orders.Orders {
		if ids[o.ResourceID] {
			p.Orders = append(p.Orders, o)
		}
	}
	p.Next = c.nextEvents(v, row)
	v.Title, v.Page, v.Data = "Instance "+row.Name, "instance", p
	return nil
}

// nextEvents is what the lifecycle does next to the instance, by the
// same rules as lifecycle.go: takes effect, renews or lapses into grace,
// frozen and gone.
func (c *console) nextEvents(v *consoleView, row instanceRow) []consoleEvent {
	t := c.s.Service.Timings.For(v.Project.ID)
	var out []consoleEvent
	switch row.Status {
	case dayu.InstancePending:
		out = append(out, consoleEvent{row.Effective, "takes effect (status 2)"})
	case dayu.InstanceDeleting:
		return append(out, consoleEvent{v.Now.Add(t.Deletion), "leaves the list (unsubscribed), about then"})
	}
	if row.AutoRenew {
		return append(out, consoleEvent{row.Expires, "renews automatically (an order -R)"})
	}
	grace, frozen := row.Expires, row.Expires.Add(t.Grace)
	for _, e := range []consoleEvent{{grace, "expires: grace period (status 5)"}, {frozen, "frozen (status 4)"}, {frozen.Add(t.Retention), "gone: out of the list, its enterprise project free"}} {
		if e.At.After(v.Now) {
			out = append(out, e)
		}
	}
	return out
}

// The customer's orders.

func (c *console) orders(v *consoleView, r *http.Request) error {
	page, err := c.s.Service.ListOrders(r.Context(), v.caller, dayu.OrderQuery{Page: dayu.Page{Limit: consoleListMax}})
	if err != nil {
		return err
	}
	v.Now = page.At
	v.Title, v.Page, v.Data = "Orders of "+v.Domain.Name, "orders", page
	return nil
}

// Actions on instances.

func (c *console) buy(v *consoleView, r *http.Request) error {
	pt, n, err := formPeriod(r)
	if err != nil {
		return err
	}
	p := &dayu.Purchase{RegionID: v.Project.RegionID, AvailabilityZone: r.PostFormValue("availability_zone"),
		VpcID: r.PostFormValue("vpc_id"), NetID: r.PostFormValue("net_id"), SecurityGroupID: r.PostFormValue("security_group_id"),
		InstanceName: r.PostFormValue("instance_name"), EpsID: r.PostFormValue("eps_id"), PeriodType: pt, PeriodNum: n,
		ResourceSpecCode: r.PostFormValue("resource_spec_code")}
	if r.PostFormValue("is_auto_renew") == "1" {
		p.IsAutoRenew = 1
	}
	_, _, err = c.s.Service.Purchase(r.Context(), v.caller, v.Project.ID, p)
	return err
}

func (c *console) renew(v *consoleView, r *http.Request) error {
	pt, n, err := formPeriod(r)
	if err != nil {
		return err
	}
	_, failed, err := c.s.Service.Renew(r.Context(), v.caller, dayu.Renewal{ResourceIDs: []string{r.PathValue("id")},
		PeriodType: pt, PeriodNum: n, AutoPay: r.PostFormValue("is_auto_pay") == "1"})
	return failure(failed, err)
}

// failure is a BSS request's error, or its first resource failure as one
// (fail_resource_infos: CBC.0100 and the message).
func failure(failed []dayu.ResourceFailure, err error) error {
	if err == nil && len(failed) > 0 {
		return dayu.Errorf(dayu.EINVALID, "%s: %s", failed[0].ResourceID, failed[0].Message)
	}
	return err
}

func (c *console) switchAutoRenew(v *consoleView, r *http.Request) error {
	return c.s.Service.SetAutoRenew(r.Context(), v.caller, r.PathValue("id"), dayu.AutoRenew{On: r.PostFormValue("on") == "1"})
}

func (c *console) change(v *consoleView, r *http.Request) error {
	row, err := c.rowOf(r, v)
	if err != nil {
		return err
	}
	to := r.PostFormValue("resource_spec_code")
	mode := dayu.ChangeUpgrade
	cur, next := c.s.Service.World.Edition(row.Edition), c.s.Service.World.Edition(to)
	if cur != nil && next != nil && next.Rank < cur.Rank {
		mode = dayu.ChangeDowngrade
	}
	_, err = c.s.Service.ChangeResource(r.Context(), v.caller, v.Project.ID, dayu.SpecChange{Mode: mode, ResourceID: row.ID, SpecCode: to})
	return err
}

func (c *console) move(v *consoleView, r *http.Request) error {
	return c.s.Service.MoveInstance(r.Context(), v.caller, r.PostFormValue("eps_id"),
		dayu.Migration{ResourceType: dayu.ResourceTypeInstance, ResourceID: r.PathValue("id"), ProjectID: v.Project.ID})
}

func (c *console) unsubscribe(v *consoleView, r *http.Request) error {
	_, failed, err := c.s.Service.Unsubscribe(r.Context(), v.caller, []string{r.PathValue("id")}, dayu.UnsubscribeResource)
	return failure(failed, err)
}

func (c *console) pay(v *consoleView, r *http.Request) error {
	return c.s.Service.PayOrder(r.Context(), v.caller, r.PathValue("id"))
}

func (c *console) cancel(v *consoleView, r *http.Request) error {
	return c.s.Service.CancelOrder(r.Context(), v.caller, r.PathValue("id"))
}

// moveClock moves the domain's time: its test clock if it has one, else
// the dev clock, by a day, a calendar month or year, or to just past the
// project's next expiry.
func (c *console) moveClock(v *consoleView, r *http.Request) error {
	var d time.Duration
	switch by := r.PostFormValue("by"); by {
	case "day":
		d = 24 * time.Hour
	case "month":
		d = dayu.AddPeriod(v.Now, dayu.PeriodMonth, 1).Sub(v.Now)
	case "year":
		d = dayu.AddPeriod(v.Now, dayu.PeriodYear, 1).Sub(v.Now)
	case "expiry":
		rows, _, err := c.projectRows(r.Context(), v)
		if err != nil {
			return err
		}
		var next time.Time
		for _, row := range rows {
			if row.Status == dayu.InstanceActive && (next.IsZero() || row.Expires.Before(next)) {
				next = row.Expires
			}
		}
		if next.IsZero() {
			return dayu.Errorf(dayu.EINVALID, "by: no instance of project %s is in effect, so none expires", v.Project.ID)
		}
		d = next.Sub(v.Now) + time.Second
	default:
		return dayu.Errorf(dayu.EINVALID, "by: must be day, month, year or expiry, got %q", by)
	}
	if v.TestClock {
		_, err := c.s.Clocks.Advance(r.Context(), v.Domain.ID, d)
		return err
	}
	if c.s.Admin.Clock == nil {
		return dayu.Errorf(dayu.EINVALID, "the server's clock moves only in dev mode (or with a movable clock); give domain %s a test clock instead", v.Domain.Name)
	}
	return c.s.Admin.AdvanceClock(r.Context(), d.Seconds())
}

// Fault rules and the request journal: the node's, not a domain's.

// faultsPage is the fault rules page's data.
type faultsPage struct {
	Rules      []faultRuleView
	Operations []dayu.Operation
}

func (c *console) faults(v *consoleView, r *http.Request) error {
	p := faultsPage{Operations: append([]dayu.Operation{dayu.AnyOperation}, dayu.Operations...)}
	if c.s.Faults == nil {
		return dayu.Errorf(dayu.ENOTFOUND, "this node has no fault rules")
	}
	rules, err := c.s.Faults.List(r.Context(), c.s.Service.Clocks.Server().Now())
	if err != nil {
		return err
	}
	for _, rule := range rules {
		p.Rules = append(p.Rules, toFaultRuleView(rule))
	}
	v.Title, v.Page, v.Data = "Fault rules", "faults", p
	return nil
}

// addFault adds the rule the form describes, checked as POST /_dayu/faults
// checks it.
func (c *console) addFault(v *consoleView, r *http.Request) error {
	if c.s.Faults == nil {
		return dayu.Errorf(dayu.ENOTFOUND, "this node has no fault rules")
	}
	req := faultRuleRequest{Operation: r.PostFormValue("operation"), ProjectID: strings.TrimSpace(r.PostFormValue("project_id"))}
	var err error
	if req.Count, err = formInt(r, "count"); err != nil {
		return err
	}
	latency, err := formInt(r, "latency_ms")
	if err != nil {
		return err
	}
	req.LatencyMS = int64(latency)
	if s := r.PostFormValue("probability"); s != "" {
		p, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return dayu.Errorf(dayu.EINVALID, "probability: must be a number from 0 to 1, got %q", s)
		}
		req.Probability = &p
	}
	switch action := r.PostFormValue("action"); action {
	case "error":
		status, err := formInt(r, "status")
		if err != nil {
			return err
		}
		req.Error = &faultErrorFields{Status: status, ErrorCode: strings.TrimSpace(r.PostFormValue("error_code")), ErrorMsg: r.PostFormValue("error_msg")}
	case "drop_connection":
		req.DropConnection = true
	case "lose_response":
		req.LoseResponse = true
	case "latency":
	default:
		return dayu.Errorf(dayu.EINVALID, "action: must be error, drop_connection, lose_response or latency, got %q", action)
	}
	rule, lifetime, err := req.rule()
	if err != nil {
		return err
	}
	return c.s.Faults.Add(r.Context(), rule, c.s.Service.Clocks.Server().Now(), lifetime)
}

func (c *console) deleteFault(v *consoleView, r *http.Request) error {
	if c.s.Faults == nil {
		return dayu.Errorf(dayu.ENOTFOUND, "this node has no fault rules")
	}
	return c.s.Faults.Delete(r.Context(), r.PathValue("id"))
}

// requestsPage is the journal page's data.
type requestsPage struct {
	Entries    []journalEntryView
	Operations []dayu.Operation
	Operation  string
	Status     string
	ProjectID  string
}

// journalEntryView is a journal entry with its bodies indented for
// reading (redacted as GET /_dayu/requests shows them).
type journalEntryView struct {
	journalView
	Request, Response string
}

func (c *console) requests(v *consoleView, r *http.Request) error {
	if c.s.Journal == nil {
		return dayu.Errorf(dayu.ENOTFOUND, "this node keeps no request journal (--journal-size 0)")
	}
	q := r.URL.Query()
	if q.Get("limit") == "" {
		q.Set("limit", strconv.Itoa(consoleListMax))
	}
	for _, k := range []string{"operation", "status", "project_id"} {
		if q.Get(k) == "" {
			q.Del(k)
		}
	}
	r.URL.RawQuery = q.Encode()
	f, err := parseJournalFilter(r)
	if err != nil {
		return err
	}
	p := requestsPage{Operations: dayu.Operations, Operation: q.Get("operation"), Status: q.Get("status"), ProjectID: q.Get("project_id")}
	for _, e := range c.s.Journal.list(f) {
		jv := toJournalView(e)
		p.Entries = append(p.Entries, journalEntryView{jv, indented(jv.RequestBody), indented(jv.ResponseBody)})
	}
	v.Title, v.Page, v.Data = "Request journal", "requests", p
	return nil
}

// indented is a (redacted) JSON body laid out for reading.
func indented(b json.RawMessage) string {
	if len(b) == 0 {
		return ""
	}
	var out bytes.Buffer
	if json.Indent(&out, b, "", "  ") != nil {
		return string(b)
	}
	return out.String()
}

// formPeriod reads a form's period_type and period_num.
func formPeriod(r *http.Request) (dayu.PeriodType, int, error) {
	pt, err := formInt(r, "period_type")
	if err != nil {
		return 0, 0, err
	}
	n, err := formInt(r, "period_num")
	return dayu.PeriodType(pt), n, err
}

// formInt reads an integer field of a form; an absent one is 0.
func formInt(r *http.Request, name string) (int, error) {
	s := strings.TrimSpace(r.FormValue(name))
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, dayu.Errorf(dayu.EINVALID, "%s: must be an integer, got %q", name, s)
	}
	return n, nil
}

// statusWords, orderTypeWords and orderStatusWords say the contract's
// numbers in words (docs/contract.md §4 and §5).
var (
	statusWords = map[dayu.InstanceStatus]string{dayu.InstancePending: "not yet effective", dayu.InstanceActive: "in effect",
		dayu.InstanceDeleted: "deleted", dayu.InstanceFrozen: "frozen", dayu.InstanceGrace: "grace period", dayu.InstanceDeleting: "being deleted"}
	orderTypeWords = map[dayu.OrderType]string{dayu.OrderNew: "purchase", dayu.OrderRenewal: "renewal",
		dayu.OrderChange: "spec change", dayu.OrderUnsubscribe: "unsubscription"}
	orderStatusWords = map[dayu.OrderStatus]string{dayu.OrderProcessing: "processing", dayu.OrderCancelled: "cancelled",
		dayu.OrderCompleted: "completed", dayu.OrderPendingPayment: "pending payment"}
)

// words is the word for a number of the contract.
func words[K comparable](m map[K]string) func(K) string {
	return func(k K) string {
		if w, ok := m[k]; ok {
			return w
		}
		return "unknown"
	}
}

func periodText(pt dayu.PeriodType, n int) string {
	switch {
	case n == 0:
		return ""
	case pt == dayu.PeriodYear:
		return strconv.Itoa(n) + " year(s)"
	}
	return strconv.Itoa(n) + " month(s)"
}

func consoleTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}
