package dayu_test

import (
	"os"
	"strings"
	"testing"

	"github.com/dayu-emu/dayu"
)

// TestExampleWorld keeps examples/world.json, the README's example, loadable.
func TestExampleWorld(t *testing.T) {
	doc, err := os.ReadFile("examples/world.json")
	if err != nil {
		t.Fatal(err)
	}
	w, err := dayu.ParseWorld(doc)
	if err != nil {
		t.Fatal(err)
	}
	u := w.DomainByName("data-team").UserByName("ci-pipeline")
	if u == nil || !u.CheckPassword("change-me-ci-password") || u.Password != "" {
		t.Errorf("the example user's password is not hashed and checkable: %+v", u)
	}
	if k := w.AccessKey("DATATEAMCIACCESSKEY1"); k == nil || k.User != u {
		t.Error("the example access key does not belong to its user")
	}
	out, err := w.Marshal()
	if err != nil || strings.Contains(string(out), "change-me-ci-password") {
		t.Errorf("the stored world holds a plain password: %v", err)
	}
}

func TestParseWorldRefusesMistakes(t *testing.T) {
	for name, doc := range map[string]string{
		"unknown key":      `{"regions":[],"domains":[],"typo":1}`,
		"duplicate region": `{"regions":[{"id":"r","zones":[]},{"id":"r","zones":[]}],"domains":[]}`,
		"project in an unknown region": `{"regions":[],"domains":[{"id":"d","name":"d","users":[],
			"projects":[{"id":"p","name":"p","region_id":"nowhere","vpcs":[],"security_groups":[]}]}]}`,
		"user without password": `{"regions":[],"domains":[{"id":"d","name":"d","users":[{"id":"u","name":"u"}],"projects":[]}]}`,
		"key without secret": `{"regions":[],"domains":[{"id":"d","name":"d","users":[{"id":"u","name":"u","password_hash":"x",
			"access_keys":[{"access":"A"}]}],"projects":[]}]}`,
	} {
		if _, err := dayu.ParseWorld([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
