// Package load is the reusable part of `dayu bench`, the project's load
// tool: the world a run serves, the scenarios and their requests, the no-op
// baseline server, the load runner (on vegeta's attacker), the statistics,
// the server child process and its RSS, and the preload of a store.
//
// Everything here talks to 127.0.0.1 only, and every loop is bounded in
// count and in time.
package load

import (
	"fmt"

	"golang.org/x/crypto/bcrypt"

	"github.com/dayu-emu/dayu"
)

// World describes the world of a bench run: one domain with one user (a
// password and an AK/SK), three projects in one region with the dev world's
// network ids, and EPS enterprise projects, so that every purchase of the run
// has an enterprise project of its own and none collides with the
// one-instance-per-enterprise-project rule.
type World struct {
	DomainID, DomainName string
	UserID, UserName     string
	Password             string
	AccessKey, SecretKey string
	RegionID, Zone       string
	VpcID, NetID, SGID   string
	// PurchaseProject takes the purchase scenario's instances.
	PurchaseProject string
	// ListProject holds the list scenario's instances (Plan.ListSize).
	ListProject string
	// PreloadProject holds the instances of --preload: in a project of their
	// own, they make the tables large without changing the other two
	// projects' lists.
	PreloadProject string
	// EPS is how many enterprise projects the domain has (EpsID(0) to
	// EpsID(EPS-1)).
	EPS int
}

// ListSize is how many instances the list scenario's project holds by
// default.
const ListSize = 1000

// NewWorld returns the bench world with eps enterprise projects.
func NewWorld(eps int) *World {
	q := dayu.DevQuickstart
	return &World{
		DomainID: "bec0000000000000000000000000d0a1", DomainName: "dayu-bench",
		UserID: "bec00000000000000000000000005e01", UserName: "bench",
		Password:  "dayu-bench-password",
		AccessKey: "DAYUBENCHACCESSKEY01", SecretKey: "dayuBenchSecretKey000000000000000000000001",
		RegionID: q.RegionID, Zone: q.AvailabilityZone,
		VpcID: q.VpcID, NetID: q.NetID, SGID: q.SecurityGroupID,
		PurchaseProject: "bec00000000000000000000000000001",
		ListProject:     "bec00000000000000000000000000002",
		PreloadProject:  "bec00000000000000000000000000003",
		EPS:             eps,
	}
}

// EpsID is the id of the world's n-th enterprise project: a UUID, as on
// Huawei Cloud, that starts with random-looking characters (a world's ids
// differ from their first characters, as real ones do) and ends with n, so
// that ids are distinct and the same in every run (a server or database of
// an earlier run can be loaded again).
func EpsID(n int) string {
	a := splitmix64(uint64(n))
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", a>>32, a>>16&0xffff, a&0xfff, 0x8000|a>>48&0x3fff, uint64(n)&0xffffffffffff)
}

// splitmix64 is the SplitMix64 mix of x.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// PreloadEpsID is the enterprise project of the n-th preloaded instance.
// Preloaded instances go through the store with the world's references
// unchecked (dayu.Service.Loose), so these need not be in the world.
func PreloadEpsID(n int) string { return fmt.Sprintf("pre-%09d", n) }

// Document returns the world as a world file (the JSON of --world). The
// password is given as a bcrypt hash of the given cost (bcrypt.DefaultCost
// for a run: the token scenario then pays what a real server pays), so that
// loading the file does not hash it again.
func (w *World) Document(cost int) ([]byte, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(w.Password), cost)
	if err != nil {
		return nil, err
	}
	eps := make([]dayu.EnterpriseProject, w.EPS)
	for n := range eps {
		eps[n] = dayu.EnterpriseProject{ID: EpsID(n), Name: fmt.Sprintf("bench-%d", n)}
	}
	project := func(id, name string) *dayu.Project {
		return &dayu.Project{
			ID: id, Name: name, RegionID: w.RegionID,
			VPCs:           []dayu.VPC{{ID: w.VpcID, Subnets: []string{w.NetID}}},
			SecurityGroups: []string{w.SGID},
		}
	}
	world := &dayu.World{
		Regions: []dayu.Region{{ID: w.RegionID, Zones: []string{w.Zone}}},
		Domains: []*dayu.Domain{{
			ID: w.DomainID, Name: w.DomainName,
			Users: []*dayu.User{{
				ID: w.UserID, Name: w.UserName, PasswordHash: string(hash),
				AccessKeys: []dayu.AccessKey{{Access: w.AccessKey, Secret: w.SecretKey}},
			}},
			Projects: []*dayu.Project{
				project(w.PurchaseProject, w.RegionID),
				project(w.ListProject, w.RegionID+"-list"),
				project(w.PreloadProject, w.RegionID+"-preload"),
			},
			EnterpriseProjects: eps,
		}},
	}
	return world.Marshal()
}
