package http_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dayu-emu/dayu"
	dayuhttp "github.com/dayu-emu/dayu/http"
	"github.com/dayu-emu/dayu/node"
)

// The console in a real headless Chromium: DAYU_TEST_CHROMIUM names the
// browser (default /usr/bin/chromium, Debian's package, which .ci/run
// installs). DAYU_CONSOLE_SCREENSHOTS, when set, is a directory the
// screenshots are copied to (docs/console/ holds the current ones).
const (
	chromiumEnv    = "DAYU_TEST_CHROMIUM"
	screenshotsEnv = "DAYU_CONSOLE_SCREENSHOTS"
)

func chromiumPath(t *testing.T) string {
	if p := os.Getenv(chromiumEnv); p != "" {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	t.Skipf("no Chromium: install Debian's chromium (apt-get install -y chromium; .ci/run does) or set %s", chromiumEnv)
	return ""
}

// browser drives one tab of the shared headless Chromium.
type browser struct {
	t     *testing.T
	ctx   context.Context
	shots string
}

func newBrowser(t *testing.T) *browser {
	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath(t)), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	t.Cleanup(cancel)
	ctx, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(cancelTab)
	ctx, cancelTime := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancelTime)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return &browser{t: t, ctx: ctx, shots: t.TempDir()}
}

// do runs steps, for at most 20 seconds: a missing element fails the
// step, not the whole browser's time.
func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatal(err)
	}
}

// waitFor waits until the JavaScript condition holds, across page loads
// (each poll is a fresh evaluation), for at most 15 seconds.
func (b *browser) waitFor(what, cond string) {
	b.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			html, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
			b.t.Fatalf("waited 15s for %s (%s; %v); the page:\n%s", what, cond, err, html)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// screenshot writes the page as name.png and checks that it is not blank:
// its pixels vary, as a rendered page's text and tables do.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	shot, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	var n, sum, sq float64
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y += 3 {
		for x := bounds.Min.X; x < bounds.Max.X; x += 3 {
			r, g, bl, _ := img.At(x, y).RGBA()
			l := (0.3*float64(r) + 0.59*float64(g) + 0.11*float64(bl)) / 257
			n, sum, sq = n+1, sum+l, sq+l*l
		}
	}
	if variance := sq/n - (sum/n)*(sum/n); variance < 100 {
		b.t.Errorf("screenshot %s is blank: luminance variance %.1f", name, variance)
	}
	for _, dir := range []string{b.shots, os.Getenv(screenshotsEnv)} {
		if dir != "" {
			if err := os.WriteFile(filepath.Join(dir, name+".png"), shot, 0o644); err != nil {
				b.t.Fatal(err)
			}
		}
	}
}

// row is a condition on the instance row named name.
func row(name, cond string) string {
	return fmt.Sprintf(`(() => { const r = document.querySelector('tr[data-name=%q]'); return %s; })()`, name, cond)
}

func statusIs(name string, st dayu.InstanceStatus) string {
	return row(name, fmt.Sprintf(`r !== null && r.querySelector('td.status').dataset.status === '%d'`, st))
}

// A newcomer's session in the console, in Chromium: buy through the form
// and watch the instance take effect without a reload, move the clock to
// the expiry and a year on, add a fault rule that the next API purchase
// meets, read the journal, and unsubscribe.
func TestConsoleInChromium(t *testing.T) {
	b := newBrowser(t)
	s := newServer(t, devWorld, func(c *node.Config) {
		c.Timings = dayu.Timings{Provisioning: 2 * time.Second, Deletion: 2 * time.Second, Grace: 10 * 24 * time.Hour, Retention: 20 * 24 * time.Hour}
	})
	home := s.URL + dayuhttp.ConsolePath + "?project=" + q.ProjectID

	t.Run("buy, then status 1 and 2 without a reload", func(t *testing.T) {
		b.t = t
		b.do(chromedp.Navigate(home), chromedp.SetValue(`#instance_name`, "lapses"), chromedp.Click(`#buy button[type="submit"]`))
		b.waitFor("the new instance, not yet effective", statusIs("lapses", dayu.InstancePending))
		b.do(chromedp.Evaluate[chromedp.Void](`window.sameDocument = true`))
		b.waitFor("the instance in effect", statusIs("lapses", dayu.InstanceActive))
		b.waitFor("no reload on the way", `window.sameDocument === true`)
		// A second one, auto-renewing, in the next free enterprise project,
		// with the keyboard only: Space ticks the box, Enter sends the form.
		b.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('#instance_name').value = ''`), chromedp.SendKeys(`#is_auto_renew`, " "), chromedp.SendKeys(`#instance_name`, "renews\r"))
		b.waitFor("the auto-renewing instance in effect", statusIs("renews", dayu.InstanceActive))
		b.screenshot("instances")
	})

	t.Run("the clock moves: expiry, then a year", func(t *testing.T) {
		b.t = t
		b.do(chromedp.Click(`button[value="expiry"]`))
		b.waitFor("the instance without auto-renew in its grace period", statusIs("lapses", dayu.InstanceGrace))
		b.waitFor("the auto-renewing one still in effect", statusIs("renews", dayu.InstanceActive))
		b.do(chromedp.Click(`button[value="year"]`))
		b.waitFor("the lapsed instance gone", row("lapses", `r === null`)+` && `+statusIs("renews", dayu.InstanceActive))
		b.do(chromedp.Click(`tr[data-name="renews"] a`))
		b.waitFor("its timeline with its renewals", `document.querySelector('#instance') !== null && document.querySelector('#instance').innerText.includes('renewal')`)
		b.screenshot("instance")
	})

	t.Run("a fault rule added in the console fails the next API purchase", func(t *testing.T) {
		b.t = t
		b.do(chromedp.Navigate(s.URL+dayuhttp.ConsolePath+"faults?project="+q.ProjectID),
			chromedp.SetValue(`#operation`, string(dayu.OpPayForDgcOneKey)), chromedp.SetValue(`#fstatus`, "503"),
			chromedp.Click(`#add-fault button[type="submit"]`))
		b.waitFor("the rule listed", `document.querySelector('tr[data-rule]') !== null`)
		b.screenshot("faults")
		// Not through apitest.Transport: the rule's 503 is outside the
		// contract on purpose.
		r, err := s.raw("POST", purchasePath(q.ProjectID), purchaseBody(testEPS(3)), "X-Auth-Token", s.token(q.ProjectID))
		if err != nil || r.status != http.StatusServiceUnavailable {
			t.Fatalf("API purchase after the console's fault rule: %d %s %v, want 503", r.status, r.body, err)
		}
		b.do(chromedp.Navigate(s.URL + dayuhttp.ConsolePath + "requests?project=" + q.ProjectID + "&operation=PayForDgcOneKey&status=503"))
		b.waitFor("the failed purchase in the journal", `document.querySelector('#journal').innerText.includes('fault rule')`)
		b.screenshot("requests")
	})

	t.Run("unsubscribe, and it goes", func(t *testing.T) {
		b.t = t
		b.do(chromedp.Navigate(home), chromedp.Click(`tr[data-name="renews"] a`))
		b.waitFor("the instance page", `document.querySelector('#unsubscribe') !== null`)
		b.do(chromedp.Click(`#unsubscribe`))
		b.waitFor("the instance being deleted", statusIs("renews", dayu.InstanceDeleting))
		b.waitFor("the instance gone from the list", `document.querySelector('#instances') !== null && `+row("renews", `r === null`))
		b.do(chromedp.Navigate(s.URL + dayuhttp.ConsolePath + "orders?project=" + q.ProjectID))
		b.waitFor("the unsubscription among the orders", `document.querySelector('#orders').innerText.includes('unsubscription')`)
		b.screenshot("orders")
	})

	t.Run("a narrow window", func(t *testing.T) {
		b.t = t
		b.do(chromedp.EmulateViewport(420, 900), chromedp.Navigate(home))
		b.waitFor("no sideways scrolling of the page", `document.documentElement.scrollWidth <= window.innerWidth + 1`)
		b.screenshot("instances-narrow")
	})
}
