package dayu

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// StateFormatVersion is the version of the state document that this Dayu
// writes and reads. A document of another version is refused.
const StateFormatVersion = 1

// State is everything a store holds but its token key (tokens stay bound
// to the store that signed them): the world, the orders, the instances and
// packages with their tags, the stored workspaces, the network resources, the timings, the dev
// clock, the test clocks, the fault rules and the unexpired idempotency
// keys. It moves a Dayu from one store to another (GET and PUT
// /_dayu/state) and is a test suite's fixture. Its JSON is Dayu's own file
// format, like the world file, so its field names live here with it.
type State struct {
	// World is the world the state belongs to, without its secrets (the
	// users' passwords and hashes, the access keys' secret keys): the
	// state names it, and an import checks it, but a state document (a
	// fixture in a repository) carries no credential.
	World json.RawMessage
	// ClockOffset is how far the dev clock is ahead of the wall clock.
	ClockOffset time.Duration
	// Timings are the stored timings by project id ("" the default).
	Timings map[string]Timings
	// Orders, Instances and FaultRules are in the order they were stored:
	// the instance list (newest first) and the BSS query (oldest first)
	// follow it.
	Orders          []*Order
	Instances       []StateInstance
	Workspaces      []*Workspace
	FaultRules      []*FaultRule
	TestClocks      []*TestClock
	IdempotencyKeys []IdempotencyKey
	// NetworkResources are the VPCs, subnets and security groups created
	// through the API, oldest first.
	NetworkResources []*NetworkResource
}

// StateInstance is an instance (or package) of a State, and whether it
// holds its enterprise project: a gone instance gives it back once another
// takes it, a package never holds one.
type StateInstance struct {
	*Instance
	HoldsEnterpriseProject bool
}

// IdempotencyKey is a stored idempotency key: the purchase a retry of the
// same request answers with.
type IdempotencyKey struct {
	ProjectID   string
	Key         string
	RequestHash string
	OrderID     string
	ResourceID  string
	CreatedAt   time.Time
}

// StateStore exports and replaces a store's whole state.
type StateStore interface {
	// DumpState reads, in one read transaction, the orders, instances,
	// workspaces, network resources, timings, fault rules, test clocks and
	// the idempotency keys stored after keysSince (not the documents).
	DumpState(ctx context.Context, keysSince time.Time) (*State, error)
	// ReplaceState deletes every order, instance, workspace, network
	// resource, timing, fault rule, test clock and idempotency key, stores
	// st's and the documents docs, in one transaction.
	ReplaceState(ctx context.Context, st *State, docs map[string][]byte) error
}

// ExportState reads the store's state, of the world w; clockOffset is the
// dev clock's and now the server's time (the idempotency keys older than
// IdempotencyTTL are left out).
func ExportState(ctx context.Context, s Store, w *World, clockOffset time.Duration, now time.Time) (*State, error) {
	st, err := s.DumpState(ctx, now.Add(-IdempotencyTTL))
	if err != nil {
		return nil, err
	}
	public, err := w.withoutSecrets()
	if err != nil {
		return nil, err
	}
	if st.World, err = json.Marshal(storedWorld{World: public, Dev: w.dev}); err != nil {
		return nil, err
	}
	st.ClockOffset = clockOffset
	return st, nil
}

// withoutSecrets is a copy of the world's document without the users'
// passwords and hashes and without the access keys' secrets.
func (w *World) withoutSecrets() (*World, error) {
	doc, err := w.withoutPasswords()
	if err != nil {
		return nil, err
	}
	c := World{}
	if err := json.Unmarshal(doc, &c); err != nil {
		return nil, err
	}
	for _, d := range c.Domains {
		for _, u := range d.Users {
			for k := range u.AccessKeys {
				u.AccessKeys[k].Secret = ""
			}
		}
	}
	return &c, nil
}

// ImportState checks st against w, the world the node serves, and replaces
// the store's state with it, in one transaction. A different world is
// refused: the world is the node's own (what it authenticates against, its
// users' password hashes), loaded at its start, and replacing it under a
// running node would change who may call; start the node with that world
// instead. The dev clock never goes back, so a document behind clockNow
// (the stored offset) is refused too.
func ImportState(ctx context.Context, s Store, w *World, st *State, clockNow time.Duration, movable bool) error {
	if err := st.check(w); err != nil {
		return err
	}
	switch {
	case st.ClockOffset != 0 && !movable:
		return Errorf(EINVALID, "clock_offset_seconds: this node's clock cannot be moved (it is not in dev mode): the document's must be 0, got %g", st.ClockOffset.Seconds())
	case st.ClockOffset < clockNow:
		return Errorf(EINVALID, "clock_offset_seconds: the dev clock never goes back: the store's is %g seconds ahead, the document's %g; import into a fresh store",
			clockNow.Seconds(), st.ClockOffset.Seconds())
	}
	docs := map[string][]byte{}
	if movable {
		docs[clockDocument], _ = json.Marshal(st.ClockOffset.Seconds()) // a float always encodes
	}
	// The world's network is always stored (worldnetwork.go).
	st.NetworkResources = w.withWorldNetwork(st.NetworkResources, time.Now())
	return s.ReplaceState(ctx, st, docs)
}

// check refuses a document that the store could not hold as it is, or
// that names what is not there, naming the first thing wrong.
func (st *State) check(w *World) error {
	if len(st.World) == 0 {
		return Errorf(EINVALID, "world: is required")
	}
	// The same world, read and written again, is the same document
	// whatever the spacing and order of its keys.
	theirs := storedWorld{World: &World{}}
	if err := decodeStrict(st.World, &theirs); err != nil {
		return Errorf(EINVALID, "world: %v", err)
	}
	got, err := secretFreeDocument(theirs.World)
	if err != nil {
		return err
	}
	want, err := secretFreeDocument(w)
	if err != nil {
		return err
	}
	if !bytes.Equal(got, want) {
		return Errorf(EINVALID, "world: the document holds world %s, this node serves world %s: start the node on that world first (dayu serve --world, --replace-world)",
			digest(got), digest(want))
	}
	if st.ClockOffset < 0 || st.ClockOffset > MaxClockOffset {
		return Errorf(EINVALID, "clock_offset_seconds: must be from 0 to %.0f seconds", MaxClockOffset.Seconds())
	}
	for project, t := range st.Timings {
		for name, d := range map[string]time.Duration{"provisioning_seconds": t.Provisioning, "deletion_seconds": t.Deletion, "grace_seconds": t.Grace, "retention_seconds": t.Retention} {
			if err := CheckTiming(fmt.Sprintf("timings[%q].%s", project, name), d); err != nil {
				return err
			}
		}
	}
	orders := map[string]bool{}
	for n, o := range st.Orders {
		if o.ID == "" || orders[o.ID] {
			return Errorf(EINVALID, "orders[%d].id: %q is empty or not unique", n, o.ID)
		}
		orders[o.ID] = true
		if err := inWorld(w, fmt.Sprintf("orders[%d]", n), o.DomainID, o.ProjectID); err != nil {
			return err
		}
	}
	instances := map[string]*Instance{}
	type slot struct{ project, eps string }
	held := map[slot]string{}
	for n, si := range st.Instances {
		i, at := si.Instance, fmt.Sprintf("instances[%d]", n)
		if i.ID == "" || instances[i.ID] != nil {
			return Errorf(EINVALID, "%s.id: %q is empty or not unique", at, i.ID)
		}
		if !orders[i.OrderID] {
			return Errorf(EINVALID, "%s.order_id: order %q is not in the document", at, i.OrderID)
		}
		if err := inWorld(w, at, i.DomainID, i.ProjectID); err != nil {
			return err
		}
		if i.IsPackage() {
			// Parents come first: a package is bought after its instance.
			if p := instances[i.ParentID]; p == nil || p.IsPackage() || p.ProjectID != i.ProjectID {
				return Errorf(EINVALID, "%s.parent_id: %q is no instance of project %s before it in the document", at, i.ParentID, i.ProjectID)
			}
			if si.HoldsEnterpriseProject {
				return Errorf(EINVALID, "%s.holds_enterprise_project: a package holds none", at)
			}
		}
		if si.HoldsEnterpriseProject {
			k := slot{i.ProjectID, i.EpsID}
			if other, ok := held[k]; ok {
				return Errorf(EINVALID, "%s.eps_id: instances %s and %s both hold enterprise project %q of project %s: only one instance per enterprise project",
					at, other, i.ID, i.EpsID, i.ProjectID)
			}
			held[k] = i.ID
		}
		instances[i.ID] = i
	}
	for n, o := range st.Orders {
		if instances[o.ResourceID] == nil {
			return Errorf(EINVALID, "orders[%d].resource_id: instance %q is not in the document", n, o.ResourceID)
		}
	}
	workspaces, names := map[string]bool{}, map[[2]string]bool{}
	for n, ws := range st.Workspaces {
		if ws.ID == "" || workspaces[ws.ID] {
			return Errorf(EINVALID, "workspaces[%d].id: %q is empty or not unique", n, ws.ID)
		}
		if i := instances[ws.InstanceID]; i == nil || i.IsPackage() || i.ProjectID != ws.ProjectID {
			return Errorf(EINVALID, "workspaces[%d].instance_id: %q is no instance of project %s in the document", n, ws.InstanceID, ws.ProjectID)
		}
		if names[[2]string{ws.InstanceID, ws.Name}] {
			return Errorf(EINVALID, "workspaces[%d].name: instance %s has two workspaces named %q", n, ws.InstanceID, ws.Name)
		}
		workspaces[ws.ID], names[[2]string{ws.InstanceID, ws.Name}] = true, true
	}
	rules := map[string]bool{}
	for n, r := range st.FaultRules {
		if r.ID == "" || rules[r.ID] {
			return Errorf(EINVALID, "fault_rules[%d].id: %q is empty or not unique", n, r.ID)
		}
		rules[r.ID] = true
		if err := r.Validate(); err != nil {
			var e *Error
			errors.As(err, &e)
			return Errorf(EINVALID, "fault_rules[%d].%s", n, e.Message)
		}
		if r.Remaining < 0 || r.Remaining > r.Count {
			return Errorf(EINVALID, "fault_rules[%d].remaining: must be from 0 to its count %d", n, r.Count)
		}
	}
	clocks := map[string]bool{}
	for n, tc := range st.TestClocks {
		if w.DomainByID(tc.DomainID) == nil || clocks[tc.DomainID] {
			return Errorf(EINVALID, "test_clocks[%d].domain_id: %q is no domain of the world, or has two clocks", n, tc.DomainID)
		}
		clocks[tc.DomainID] = true
		if tc.Offset < 0 || tc.Offset > MaxClockOffset {
			return Errorf(EINVALID, "test_clocks[%d].offset_ms: must be from 0 to 100 years", n)
		}
	}
	keys := map[[2]string]bool{}
	for n, k := range st.IdempotencyKeys {
		if k.Key == "" || keys[[2]string{k.ProjectID, k.Key}] {
			return Errorf(EINVALID, "idempotency_keys[%d].key: %q is empty or not unique in its project", n, k.Key)
		}
		keys[[2]string{k.ProjectID, k.Key}] = true
		if !orders[k.OrderID] || instances[k.ResourceID] == nil {
			return Errorf(EINVALID, "idempotency_keys[%d]: order %q or instance %q is not in the document", n, k.OrderID, k.ResourceID)
		}
	}
	return nil
}

// secretFreeDocument is what identifies a world in a state document: its
// document without secrets (whether Dayu made it as the dev world aside).
func secretFreeDocument(w *World) ([]byte, error) {
	c, err := w.withoutSecrets()
	if err != nil {
		return nil, err
	}
	return c.Marshal()
}

// inWorld checks that a record's project is one of its domain's in w.
func inWorld(w *World, at, domainID, projectID string) error {
	if p := w.Project(projectID); p == nil || p.Domain.ID != domainID {
		return Errorf(EINVALID, "%s.project_id: %q is no project of domain %q in the world", at, projectID, domainID)
	}
	return nil
}
