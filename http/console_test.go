package http_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	dayuhttp "github.com/dayu-emu/dayu/http"
)

// consoleClient is a browser without JavaScript: it keeps cookies and
// does not follow redirects, so that a test sees each answer.
type consoleClient struct {
	t    *testing.T
	base string
	hc   *http.Client
}

func newConsoleClient(t *testing.T, s *server) *consoleClient {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &consoleClient{t: t, base: s.URL, hc: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// send sends a console request (a form when form is not nil) and returns
// the status, the Location and the body.
func (c *consoleClient) send(method, path string, form url.Values) (int, string, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

var csrfInPage = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the CSRF token of the console page at path.
func (c *consoleClient) csrf(path string) string {
	c.t.Helper()
	status, _, page := c.send("GET", path, nil)
	m := csrfInPage.FindStringSubmatch(page)
	if status != http.StatusOK || m == nil {
		c.t.Fatalf("GET %s: %d, no CSRF token in:\n%s", path, status, page)
	}
	return m[1]
}

// consolePages are the console's pages (GET) and consoleActions its
// actions (POST), with an instance id and a fault rule id filled in.
func consolePages(instance string) []string {
	p := "?project=" + q.ProjectID
	return []string{dayuhttp.ConsolePath, dayuhttp.ConsolePath + p, dayuhttp.ConsolePath + "instances/" + instance + p,
		dayuhttp.ConsolePath + "orders" + p, dayuhttp.ConsolePath + "faults" + p, dayuhttp.ConsolePath + "requests" + p}
}

func consoleActions(instance string) []string {
	var out []string
	for _, a := range []string{"logout", "buy", "clock", "instances/" + instance + "/renew", "instances/" + instance + "/renewal",
		"instances/" + instance + "/change", "instances/" + instance + "/move", "instances/" + instance + "/end",
		"orders/CS0/pay", "orders/CS0/cancel", "faults", "faults/f1/delete"} {
		out = append(out, dayuhttp.ConsolePath+a+"?project="+q.ProjectID)
	}
	return out
}

// A buy form that the dev project takes.
func consoleBuyForm(name, eps string) url.Values {
	return url.Values{"instance_name": {name}, "resource_spec_code": {q.ResourceSpecCode}, "period_num": {"1"}, "period_type": {"2"},
		"eps_id": {eps}, "availability_zone": {q.AvailabilityZone}, "vpc_id": {q.VpcID}, "net_id": {q.NetID}, "security_group_id": {q.SecurityGroupID}}
}

// Outside dev mode the console needs the admin token: without a login
// every page sends to the login and every action is refused, and a
// refused action changes nothing.
func TestConsoleNeedsTheAdminToken(t *testing.T) {
	s := newServer(t)
	tok := s.token(q.ProjectID)
	bought := s.do("POST", purchasePath(q.ProjectID), purchaseBody(testEPS(0)), "X-Auth-Token", tok).json(t)
	id := bought["resource_id"].(string)
	anon := newConsoleClient(t, s)
	for _, p := range consolePages(id) {
		if status, loc, _ := anon.send("GET", p, nil); status != http.StatusSeeOther || loc != dayuhttp.ConsolePath+"login" {
			t.Errorf("GET %s without a login: %d to %q, want 303 to the login", p, status, loc)
		}
	}
	for _, p := range consoleActions(id) {
		form := consoleBuyForm("anon", testEPS(1))
		form.Set("by", "year")
		if status, _, page := anon.send("POST", p, form); status != http.StatusUnauthorized || strings.Contains(page, id) {
			t.Errorf("POST %s without a login: %d, want 401 and no data", p, status)
		}
	}
	if n := s.count(tok, q.ProjectID); n != 1 {
		t.Fatalf("after refused actions the project has %d instances, want 1", n)
	}

	if status, _, _ := anon.send("POST", dayuhttp.ConsolePath+"login", url.Values{"token": {"not-the-token"}}); status != http.StatusUnauthorized {
		t.Errorf("login with a wrong token: %d, want 401", status)
	}
	user := newConsoleClient(t, s)
	if status, loc, _ := user.send("POST", dayuhttp.ConsolePath+"login", url.Values{"token": {adminToken}}); status != http.StatusSeeOther || loc != dayuhttp.ConsolePath {
		t.Fatalf("login with the admin token: %d to %q", status, loc)
	}
	base, _ := url.Parse(s.URL + dayuhttp.ConsolePath)
	for _, ck := range user.hc.Jar.Cookies(base) {
		if strings.Contains(ck.Value, adminToken) {
			t.Errorf("cookie %s holds the admin token", ck.Name)
		}
	}
	for _, p := range consolePages(id) {
		if status, _, page := user.send("GET", p, nil); status != http.StatusOK {
			t.Errorf("GET %s logged in: %d\n%s", p, status, page)
		}
	}

	// A forged or missing CSRF token is refused, and buys nothing.
	csrf := user.csrf(dayuhttp.ConsolePath + "?project=" + q.ProjectID)
	for _, token := range []string{"", "forged", csrf + "x"} {
		form := consoleBuyForm("forged", testEPS(2))
		form.Set("csrf", token)
		if status, _, _ := user.send("POST", dayuhttp.ConsolePath+"buy?project="+q.ProjectID, form); status != http.StatusForbidden {
			t.Errorf("buy with CSRF token %q: %d, want 403", token, status)
		}
	}
	// Another session's token is not this session's.
	other := newConsoleClient(t, s)
	other.send("POST", dayuhttp.ConsolePath+"login", url.Values{"token": {adminToken}})
	form := consoleBuyForm("other-session", testEPS(2))
	form.Set("csrf", other.csrf(dayuhttp.ConsolePath))
	if status, _, _ := user.send("POST", dayuhttp.ConsolePath+"buy?project="+q.ProjectID, form); status != http.StatusForbidden {
		t.Errorf("buy with another session's CSRF token: %d, want 403", status)
	}
	if n := s.count(tok, q.ProjectID); n != 1 {
		t.Fatalf("after forged forms the project has %d instances, want 1", n)
	}
	form.Set("csrf", csrf)
	if status, _, page := user.send("POST", dayuhttp.ConsolePath+"buy?project="+q.ProjectID, form); status != http.StatusSeeOther {
		t.Fatalf("buy with the session's CSRF token: %d\n%s", status, page)
	}
	if n := s.count(tok, q.ProjectID); n != 2 {
		t.Fatalf("after the console's purchase the project has %d instances, want 2", n)
	}

	// Logged out, the session's cookie is gone.
	user.send("POST", dayuhttp.ConsolePath+"logout", url.Values{"csrf": {csrf}})
	if status, _, _ := user.send("GET", dayuhttp.ConsolePath, nil); status != http.StatusSeeOther {
		t.Errorf("a page after logging out: %d, want 303 to the login", status)
	}
}

// A refused action shows the service's error_code and message, as the
// API answers them.
func TestConsoleErrorsAreTheServices(t *testing.T) {
	s := newServer(t, devWorld)
	c := newConsoleClient(t, s)
	csrf := c.csrf(dayuhttp.ConsolePath)
	form := consoleBuyForm("first", q.EpsID)
	form.Set("csrf", csrf)
	if status, _, page := c.send("POST", dayuhttp.ConsolePath+"buy?project="+q.ProjectID, form); status != http.StatusSeeOther {
		t.Fatalf("first purchase: %d\n%s", status, page)
	}
	status, _, page := c.send("POST", dayuhttp.ConsolePath+"buy?project="+q.ProjectID, form)
	if status != http.StatusBadRequest || !strings.Contains(page, "DAYU.4402") || !strings.Contains(page, "only one instance per enterprise project") {
		t.Errorf("second purchase in one enterprise project: %d\n%s", status, page)
	}
	form = url.Values{"csrf": {csrf}, "eps_id": {"no-such-eps"}}
	status, _, page = c.send("POST", dayuhttp.ConsolePath+"instances/nope/move?project="+q.ProjectID, form)
	if status != http.StatusNotFound || !strings.Contains(page, "EPS.0005") {
		t.Errorf("move to an unknown enterprise project: %d\n%s", status, page)
	}
}

// No page shows a secret: not the users' passwords, the secret keys, the
// admin token or an IAM token, even in the journal of requests that sent
// them; and a domain's pages show nothing of another domain.
func TestConsolePagesShowNoSecret(t *testing.T) {
	s := newServer(t)
	tok := s.token(q.ProjectID)
	bought := s.do("POST", purchasePath(q.ProjectID), purchaseBody(testEPS(0)), "X-Auth-Token", tok).json(t)
	id := bought["resource_id"].(string)
	c := newConsoleClient(t, s)
	c.send("POST", dayuhttp.ConsolePath+"login", url.Values{"token": {adminToken}})
	pages := append(consolePages(id), dayuhttp.ConsolePath+"requests?project="+q.ProjectID+"&operation=KeystoneCreateUserTokenByPassword")
	secrets := []string{q.Password, q.SecretKey, otherSK, adminToken, tok}
	for _, p := range pages {
		_, _, page := c.send("GET", p, nil)
		for _, secret := range secrets {
			if strings.Contains(page, secret) {
				t.Errorf("GET %s shows the secret %.6s...", p, secret)
			}
		}
	}
	_, _, journal := c.send("GET", dayuhttp.ConsolePath+"requests", nil)
	if !strings.Contains(journal, "KeystoneCreateUserTokenByPassword") || !strings.Contains(journal, "[redacted]") {
		t.Errorf("the journal does not show the token request, redacted:\n%s", journal)
	}
	for _, p := range []string{"", "orders"} {
		status, _, page := c.send("GET", dayuhttp.ConsolePath+p+"?project="+otherProjectID, nil)
		if status != http.StatusOK || strings.Contains(page, id) || strings.Contains(page, bought["order_id"].(string)) {
			t.Errorf("the other domain's %q page (%d) shows the dev domain's instance or order", p, status)
		}
	}
}

// Wrong admin tokens are limited as wrong passwords are: after a burst,
// the login answers 429 before it compares the token.
func TestConsoleLoginIsThrottled(t *testing.T) {
	s := newServer(t)
	c := newConsoleClient(t, s)
	var throttled int
	for range 12 {
		if status, _, _ := c.send("POST", dayuhttp.ConsolePath+"login", url.Values{"token": {"guess"}}); status == http.StatusTooManyRequests {
			throttled++
		}
	}
	if throttled == 0 {
		t.Fatal("12 wrong admin tokens in a row were never throttled")
	}
}
