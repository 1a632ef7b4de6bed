package dayu_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/internal/pgtest"
	"github.com/dayu-emu/dayu/postgres"
	"github.com/dayu-emu/dayu/sqlite"
)

// storeKinds opens a fresh store of each kind: SQLite in memory, and
// PostgreSQL when DAYU_TEST_POSTGRES_URL names a server.
func storeKinds(t *testing.T) map[string]func(t *testing.T) dayu.Store {
	return map[string]func(t *testing.T) dayu.Store{
		"sqlite": openMemory,
		"postgres": func(t *testing.T) dayu.Store {
			s, err := postgres.Open(context.Background(), pgtest.NewDatabase(t), postgres.DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
	}
}

// openMemory opens an in-memory SQLite store, closed when the test ends.
func openMemory(t *testing.T) dayu.Store {
	s, err := sqlite.OpenMemory(context.Background(), sqlite.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// trickyWorld has enterprise projects whose ids and names hold what a
// stored form could trip on, in domains with and without any.
const trickyWorld = `{"regions": [{"id": "r", "zones": ["r1"]}], "domains": [
  {"id": "d1", "name": "one", "users": [{"id": "u1", "name": "u1", "password_hash": "h1"}], "projects": [],
   "enterprise_projects": [{"id": "12:34", "name": "3:abc"}, {"id": "line\nbreak", "name": ""},
     {"id": "ünïcode", "name": "漢字 \"quoted\" \\ back"}, {"id": "9", "name": "9:"}]},
  {"id": "d2", "name": "two", "users": [{"id": "u2", "name": "u2", "password_hash": "h2"}], "projects": []},
  {"id": "d3", "name": "three", "users": [{"id": "u3", "name": "u3", "password_hash": "h3"}], "projects": [],
   "enterprise_projects": [{"id": "last", "name": "the end"}]}]}`

// restartWorld stores the world file doc on s and reads it back as a
// restart without a file does.
func restartWorld(t *testing.T, s dayu.Store, doc string) (stored, restarted *dayu.World) {
	t.Helper()
	ctx := context.Background()
	f, err := dayu.ReadWorldFile([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if stored, err = dayu.EnsureWorld(ctx, s, f, false); err != nil {
		t.Fatal(err)
	}
	if restarted, err = dayu.EnsureWorld(ctx, s, nil, false); err != nil {
		t.Fatalf("restart: %v", err)
	}
	return stored, restarted
}

// TestStoredWorldComesBackAsStored: a stored world read back at a restart
// is the world stored (the same document, digest and enterprise projects),
// on both stores, whatever its enterprise projects' ids and names hold.
func TestStoredWorldComesBackAsStored(t *testing.T) {
	nul := strings.Replace(trickyWorld, `"the end"`, `"the\u0000end"`, 1)
	for kind, open := range storeKinds(t) {
		t.Run(kind, func(t *testing.T) {
			for name, doc := range map[string]string{"tricky": trickyWorld, "a NUL byte": nul} {
				stored, restarted := restartWorld(t, open(t), doc)
				want, _ := stored.Marshal()
				got, _ := restarted.Marshal()
				if !bytes.Equal(got, want) || restarted.Digest() != stored.Digest() || restarted.IsDev() {
					t.Errorf("%s: restarted as world %s (dev %v):\n%s\nwant %s:\n%s", name, restarted.Digest(), restarted.IsDev(), got, stored.Digest(), want)
				}
				one := restarted.DomainByName("one")
				if !one.HasEnterpriseProject("line\nbreak") || one.EnterpriseProjectName("12:34") != "3:abc" || one.EnterpriseProjectName("9") != "9:" {
					t.Errorf("%s: the restarted world's enterprise projects are not the stored ones: %+v", name, one.EnterpriseProjects)
				}
				if two := restarted.DomainByName("two"); len(two.EnterpriseProjects) != 0 || two.HasEnterpriseProject("last") {
					t.Errorf("%s: domain two has enterprise projects %+v, want none", name, two.EnterpriseProjects)
				}
			}
		})
	}
}

// TestAWorldStoredByAnOlderVersion: the world documents that older
// versions stored (testdata: with and without its digest, and a dev world)
// still start, as the same world with the same digest; the same world file
// given again is accepted and another refused.
func TestAWorldStoredByAnOlderVersion(t *testing.T) {
	ctx := context.Background()
	example, err := os.ReadFile("examples/world.json")
	if err != nil {
		t.Fatal(err)
	}
	var recorded struct {
		Digest string `json:"dayu_digest"`
	}
	v2, err := os.ReadFile("testdata/stored-world-json-v2.json")
	if err != nil || json.Unmarshal(v2, &recorded) != nil || recorded.Digest == "" {
		t.Fatalf("testdata/stored-world-json-v2.json: %v, no digest", err)
	}
	for kind, open := range storeKinds(t) {
		t.Run(kind, func(t *testing.T) {
			for _, c := range []struct {
				fixture string
				dev     bool
			}{{"stored-world-json-v1.json", false}, {"stored-world-json-v2.json", false}, {"stored-world-json-v1-dev.json", true}} {
				old, err := os.ReadFile("testdata/" + c.fixture)
				if err != nil {
					t.Fatal(err)
				}
				s := open(t)
				if err := s.SaveDocument(ctx, "world", old); err != nil {
					t.Fatal(err)
				}
				w, err := dayu.EnsureWorld(ctx, s, nil, false)
				if err != nil {
					t.Fatalf("%s: %v", c.fixture, err)
				}
				if w.IsDev() != c.dev || (!c.dev && w.Digest() != recorded.Digest) {
					t.Errorf("%s: serves world %s (dev %v), want %s (dev %v)", c.fixture, w.Digest(), w.IsDev(), recorded.Digest, c.dev)
				}
				if now, err := s.Document(ctx, "world"); err != nil || !bytes.Equal(now, old) {
					t.Errorf("%s: a start without a file rewrote the stored world (%v)", c.fixture, err)
				}
				if c.dev {
					continue
				}
				if u := w.DomainByName("data-team").UserByName("ci-pipeline"); !u.CheckPassword("change-me-ci-password") || w.DomainByName("data-team").EnterpriseProjectName("eps-reporting") != "reporting" {
					t.Errorf("%s: the world read is not the stored one", c.fixture)
				}
				f, err := dayu.ReadWorldFile(example)
				if err != nil {
					t.Fatal(err)
				}
				if again, err := dayu.EnsureWorld(ctx, s, f, false); err != nil || again.Digest() != recorded.Digest {
					t.Errorf("%s: the same world file given: world %v (%v), want %s", c.fixture, again.Digest(), err, recorded.Digest)
				}
				// Given again, the world was stored again (in the current
				// form): a restart still serves it, with its password hashes.
				if now, err := s.Document(ctx, "world"); err != nil || bytes.Equal(now, old) {
					t.Errorf("%s: the world file given again did not store the world again (%v)", c.fixture, err)
				}
				restarted, err := dayu.EnsureWorld(ctx, s, nil, false)
				if err != nil || restarted.Digest() != recorded.Digest || !restarted.DomainByName("data-team").UserByName("alice").CheckPassword("change-me-alice-password") {
					t.Errorf("%s: restarted after the file was given: %v", c.fixture, err)
				}
				other, err := dayu.ReadWorldFile([]byte(trickyWorld))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := dayu.EnsureWorld(ctx, s, other, false); !errors.Is(err, dayu.ErrOtherWorld) || !strings.Contains(err.Error(), recorded.Digest) {
					t.Errorf("%s: another world file: %v, want ErrOtherWorld naming %s", c.fixture, err, recorded.Digest)
				}
			}
		})
	}
}

// TestADamagedStoredWorldStopsAStart: a stored world cut short or with
// bytes added refuses to start, saying so, rather than serving part of it.
func TestADamagedStoredWorldStopsAStart(t *testing.T) {
	ctx := context.Background()
	s := openMemory(t)
	restartWorld(t, s, trickyWorld)
	doc, err := s.Document(ctx, "world")
	if err != nil {
		t.Fatal(err)
	}
	for name, damaged := range map[string][]byte{
		"cut in a name":   doc[:len(doc)-3],
		"cut in a length": doc[:bytes.LastIndex(doc, []byte("4:last"))+1],
		"a field more":    append(bytes.Clone(doc), "3:abc"...),
		"cut in the line": doc[:40],
	} {
		if err := s.SaveDocument(ctx, "world", damaged); err != nil {
			t.Fatal(err)
		}
		if w, err := dayu.EnsureWorld(ctx, s, nil, false); err == nil || !strings.Contains(err.Error(), "the stored world") {
			t.Errorf("%s: started (%v, %v), want an error about the stored world", name, w, err)
		}
	}
}
