package dayu_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/sqlite"
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
	const user = `"users":[{"id":"u","name":"u","password_hash":"x"}]`
	for name, c := range map[string]struct{ doc, want string }{
		"unknown key":      {`{"regions":[],"domains":[],"typo":1}`, `unknown field "typo"`},
		"duplicate region": {`{"regions":[{"id":"r","zones":[]},{"id":"r","zones":[]}],"domains":[]}`, `region "r" appears twice`},
		"project in an unknown region": {`{"regions":[],"domains":[{"id":"d","name":"d",` + user + `,
			"projects":[{"id":"p","name":"p","region_id":"nowhere","vpcs":[],"security_groups":[]}]}]}`, `unknown region "nowhere"`},
		"user without password": {`{"regions":[],"domains":[{"id":"d","name":"d","users":[{"id":"u","name":"u"}],"projects":[]}]}`, `user "u" has no password`},
		"key without secret": {`{"regions":[],"domains":[{"id":"d","name":"d","users":[{"id":"u","name":"u","password_hash":"x",
			"access_keys":[{"access":"A"}]}],"projects":[]}]}`, `access key "A" has no secret`},
		"no domain":          {`{"regions":[{"id":"r","zones":[]}],"domains":[]}`, "no domain: nobody could log in"},
		"no user":            {`{"regions":[],"domains":[{"id":"d","name":"d","users":[],"projects":[]}]}`, "has a user: nobody could log in"},
		"two worlds":         {`{"regions":[],"domains":[{"id":"d","name":"d",` + user + `,"projects":[]}]} {}`, "line 1, column 116: more after the end"},
		"empty":              {"", "empty"},
		"dev mark in a file": {`{"regions":[],"domains":[{"id":"d","name":"d",` + user + `,"projects":[]}],"dayu_dev_world":true}`, `unknown field "dayu_dev_world"`},
	} {
		_, err := dayu.ParseWorld([]byte(c.doc))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one saying %q", name, err, c.want)
		}
	}
}

// TestWorldFileErrorsSayWhere: a JSON mistake in a world file is reported
// at its line and column (counted in characters, from 1).
func TestWorldFileErrorsSayWhere(t *testing.T) {
	for name, c := range map[string]struct{ doc, want string }{
		"syntax":    {"{\"regions\": [\n  {\"id\": \"r\", \"zones\": []},\n  {\"id\" \"x\"}\n]}", "line 3, column 9: invalid character"},
		"wide":      {"{\"regions\": [{\"id\": \"été\", \"zones\": [] ]}", "line 1, column 40: invalid character ']'"},
		"type":      {"{\"regions\": [\n  {\"id\": 5, \"zones\": []}]}", "line 2, column 10: json: cannot unmarshal number"},
		"truncated": {"{\"regions\": [\n  {\"id\": \"r\"", "line 2, column 12: the document ends inside"},
	} {
		_, err := dayu.ReadWorldFile([]byte(c.doc))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one saying %q", name, err, c.want)
		}
	}
}

// TestEnsureWorldKnowsItsWorld: a world file given again is the stored
// world (its plain passwords checked against the stored hashes), with the
// same digest on every store it is given to; a changed password is another
// world, stored only when replacing is asked for.
func TestEnsureWorldKnowsItsWorld(t *testing.T) {
	ctx := context.Background()
	doc, err := os.ReadFile("examples/world.json")
	if err != nil {
		t.Fatal(err)
	}
	ensure := func(s dayu.Store, doc []byte, replace bool) (*dayu.World, error) {
		t.Helper()
		f, err := dayu.ReadWorldFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		return dayu.EnsureWorld(ctx, s, f, replace)
	}
	open := func() dayu.Store { return memoryStore(t) }
	a, b := open(), open()
	first, err := ensure(a, doc, false)
	if err != nil {
		t.Fatal(err)
	}
	again, err := ensure(a, doc, false)
	if err != nil {
		t.Fatalf("the same file again: %v", err)
	}
	hash := func(w *dayu.World) string { return w.DomainByName("data-team").UserByName("ci-pipeline").PasswordHash }
	if again.Digest() != first.Digest() || hash(again) != hash(first) {
		t.Errorf("the same file again: world %s (hash %s), want the stored %s (hash %s)", again.Digest(), hash(again), first.Digest(), hash(first))
	}
	if other, err := ensure(b, doc, false); err != nil || other.Digest() != first.Digest() || hash(other) == hash(first) {
		t.Errorf("the same file on another store: world %v (%v), want %s with a hash of its own", other.Digest(), err, first.Digest())
	}
	if first.IsDev() || len(first.Digest()) != 12 {
		t.Errorf("a file's world: dev %v, digest %q", first.IsDev(), first.Digest())
	}

	changed := []byte(strings.Replace(string(doc), "change-me-ci-password", "a-new-ci-password", 1))
	if _, err := ensure(a, changed, false); !errors.Is(err, dayu.ErrOtherWorld) || !strings.Contains(err.Error(), `user "ci-pipeline" another password`) {
		t.Errorf("a changed password: %v, want ErrOtherWorld naming the user", err)
	}
	replaced, err := ensure(a, changed, true)
	if err != nil {
		t.Fatal(err)
	}
	restarted, err := dayu.EnsureWorld(ctx, a, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if u := restarted.DomainByName("data-team").UserByName("ci-pipeline"); !u.CheckPassword("a-new-ci-password") || hash(restarted) != hash(replaced) {
		t.Error("after replacing, the stored world does not have the new password")
	}

	dev, err := dayu.EnsureWorld(ctx, b, nil, false) // b holds a file's world: not dev
	if err != nil || dev.IsDev() {
		t.Errorf("a stored file's world served without a file: dev %v (%v)", dev.IsDev(), err)
	}
	if dev, err := dayu.EnsureWorld(ctx, open(), nil, false); err != nil || !dev.IsDev() {
		t.Errorf("a new store without a file: dev %v (%v), want the dev world", dev.IsDev(), err)
	}
}

// TestEnsureWorldReplacesAStoredWorldItRefuses: a stored world that this
// version refuses (an older one stored worlds without users) stops a start,
// saying so, but --replace-world can still replace it.
func TestEnsureWorldReplacesAStoredWorldItRefuses(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.OpenMemory(ctx, sqlite.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SaveDocument(ctx, "world", []byte(`{"regions":[],"domains":[]}`)); err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("examples/world.json")
	if err != nil {
		t.Fatal(err)
	}
	f, err := dayu.ReadWorldFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dayu.EnsureWorld(ctx, s, nil, false); err == nil || !strings.Contains(err.Error(), "stored world: the world has no domain") {
		t.Errorf("a start on the refused world: %v, want an error saying why", err)
	}
	if _, err := dayu.EnsureWorld(ctx, s, f, false); err == nil {
		t.Error("a world file over the refused world, without replace: accepted")
	}
	if w, err := dayu.EnsureWorld(ctx, s, f, true); err != nil || w.DomainByName("data-team") == nil {
		t.Errorf("replacing the refused world: %v", err)
	}
}

// TestEnsureWorldSeedsItsNetwork: the world's VPCs, subnets and security
// groups are stored with it; a store whose world was stored before they
// were (no mark in its document) gets them at its next start; a seeded
// store is not seeded again over a change.
func TestEnsureWorldSeedsItsNetwork(t *testing.T) {
	ctx := context.Background()
	open := func() dayu.Store { return memoryStore(t) }
	a := open()
	w, err := dayu.EnsureWorld(ctx, a, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	p := w.Project(dayu.DevQuickstart.ProjectID)
	vpc, err := a.NetworkResource(ctx, p.ID, dayu.KindVPC, p.VPCs[0].ID)
	if err != nil {
		t.Fatalf("the world's VPC: %v", err)
	}
	if subnets, err := a.NetworkResources(ctx, p.ID, dayu.KindSubnet, vpc.ID); err != nil || len(subnets) != len(p.VPCs[0].Subnets) {
		t.Errorf("the world VPC's subnets: %d (%v), want %d", len(subnets), err, len(p.VPCs[0].Subnets))
	}
	if sg, err := a.NetworkResource(ctx, p.ID, dayu.KindSecurityGroup, p.SecurityGroups[0]); err != nil || len(sg.Spec.Rules) != 4 {
		t.Errorf("the world's security group: %+v (%v)", sg, err)
	}
	vpc.Name = "renamed"
	if err := a.SaveNetworkResource(ctx, vpc); err != nil {
		t.Fatal(err)
	}
	if _, err := dayu.EnsureWorld(ctx, a, nil, false); err != nil {
		t.Fatal(err)
	}
	if again, _ := a.NetworkResource(ctx, p.ID, dayu.KindVPC, vpc.ID); again.Name != "renamed" {
		t.Errorf("a restart seeded the VPC again: %q", again.Name)
	}

	// A store that holds the world but not its network (an older
	// version's, or one that crashed between the two) gets it at a start.
	doc, err := a.Document(ctx, "world")
	if err != nil {
		t.Fatal(err)
	}
	b := open()
	if err := b.SaveDocument(ctx, "world", doc); err != nil {
		t.Fatal(err)
	}
	if _, err := dayu.EnsureWorld(ctx, b, nil, false); err != nil {
		t.Fatal(err)
	}
	if _, err := b.NetworkResource(ctx, p.ID, dayu.KindVPC, vpc.ID); err != nil {
		t.Errorf("an older store's world VPC after a start: %v", err)
	}
}

// memoryStore is an in-memory store, closed at the test's end.
func memoryStore(t *testing.T) dayu.Store {
	t.Helper()
	s, err := sqlite.OpenMemory(context.Background(), sqlite.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
