package dayutest_test

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dayu-emu/dayu/dayutest"
)

func TestNew(t *testing.T) {
	var url string
	t.Run("serves", func(t *testing.T) {
		srv := dayutest.New(t)
		url = srv.URL
		if srv.Quickstart.AccessKey == "" || !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
			t.Fatalf("quickstart %+v at %s", srv.Quickstart, srv.URL)
		}
		resp, err := http.Get(srv.URL + "/_dayu/quickstart")
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("quickstart: %v %v", resp, err)
		}
		resp.Body.Close()
		before := srv.Now()
		srv.Advance(48 * time.Hour)
		if d := srv.Now().Sub(before); d < 48*time.Hour {
			t.Errorf("Advance(48h) moved the clock %s", d)
		}
		if id := srv.AddFault(dayutest.Fault{Operation: "*", LatencyMS: 1}); id == "" {
			t.Error("AddFault returned no id")
		}
		srv.ClearFaults()
		srv.Reset()
	})
	if resp, err := http.Get(url + "/healthz"); err == nil {
		resp.Body.Close()
		t.Errorf("the server still answers after its test ended")
	}
}

func TestWithWorld(t *testing.T) {
	doc, err := os.ReadFile("../examples/world.json")
	if err != nil {
		t.Fatal(err)
	}
	srv := dayutest.New(t, dayutest.WithWorld(doc))
	if srv.Quickstart.AccessKey != "" {
		t.Errorf("a custom world has the dev quickstart %+v", srv.Quickstart)
	}
	if d, _, _ := srv.World().Counts(); d == 0 {
		t.Error("the custom world has no domain")
	}
	resp, err := http.Get(srv.URL + "/_dayu/quickstart")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("quickstart over a custom world: %d, want 404", resp.StatusCode)
	}
	srv.Advance(time.Hour) // the clock moves on any world in a test
}
