package dayu

// Quickstart is what a newcomer needs to send a valid purchase against the
// dev world: its credentials and the ids a purchase refers to.
type Quickstart struct {
	DomainName       string `json:"domain_name"`
	UserName         string `json:"user_name"`
	Password         string `json:"password"`
	AccessKey        string `json:"access_key"`
	SecretKey        string `json:"secret_key"`
	ProjectID        string `json:"project_id"`
	ProjectName      string `json:"project_name"`
	RegionID         string `json:"region_id"`
	AvailabilityZone string `json:"availability_zone"`
	VpcID            string `json:"vpc_id"`
	NetID            string `json:"net_id"`
	SecurityGroupID  string `json:"security_group_id"`
	EpsID            string `json:"eps_id"`
	ResourceSpecCode string `json:"resource_spec_code"`
}

// DevQuickstart describes the dev world. Its values are fixed, not random,
// so that the README's walk-through and examples work as pasted; the
// network ids are those the Terraform provider was captured sending
// (testdata/terraform-provider-requests.jsonl). A dev world is for a laptop
// or CI, never for a shared service: give such a service its own world file.
var DevQuickstart = Quickstart{
	DomainName:       "dayu-dev",
	UserName:         "dev",
	Password:         "dayu-dev-password",
	AccessKey:        "DAYUDEVACCESSKEY0001",
	SecretKey:        "dayuDevSecretKey0000000000000000000000001",
	ProjectID:        "0123456789abcdef0123456789abcdef",
	ProjectName:      "cn-north-4",
	RegionID:         "cn-north-4",
	AvailabilityZone: "cn-north-4a",
	VpcID:            "11111111-2222-3333-4444-555555555555",
	NetID:            "66666666-7777-8888-9999-000000000000",
	SecurityGroupID:  "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
	EpsID:            "3a7e0c1e-4b8f-4d8e-9c1a-0d5e6f7a8b9c",
	ResourceSpecCode: "dayu.starter",
}

// DevWorld builds the dev world of DevQuickstart: one domain with one user,
// the project of cn-north-4 with a VPC, a subnet and a security group, and
// a few enterprise projects so that several instances can be bought.
func DevWorld() (*World, error) {
	q := DevQuickstart
	w := &World{
		Regions: []Region{
			{ID: "cn-north-4", Zones: []string{"cn-north-4a", "cn-north-4b", "cn-north-4c"}},
			{ID: "cn-south-1", Zones: []string{"cn-south-1a", "cn-south-1b"}},
		},
		Domains: []*Domain{{
			ID:   "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
			Name: q.DomainName,
			Users: []*User{{
				ID:         "7a6b5c4d3e2f10a9b8c7d6e5f4a3b2c1",
				Name:       q.UserName,
				Password:   q.Password,
				AccessKeys: []AccessKey{{Access: q.AccessKey, Secret: q.SecretKey}},
			}},
			Projects: []*Project{
				{
					ID: q.ProjectID, Name: q.ProjectName, RegionID: q.RegionID,
					VPCs:           []VPC{{ID: q.VpcID, Subnets: []string{q.NetID, "66666666-7777-8888-9999-000000000001"}}},
					SecurityGroups: []string{q.SecurityGroupID},
				},
				{
					ID: "fedcba9876543210fedcba9876543210", Name: "cn-south-1", RegionID: "cn-south-1",
					VPCs:           []VPC{{ID: "22222222-3333-4444-5555-666666666666", Subnets: []string{"77777777-8888-9999-0000-111111111111"}}},
					SecurityGroups: []string{"bbbbbbbb-cccc-dddd-eeee-ffffffffffff"},
				},
			},
			EnterpriseProjects: []EnterpriseProject{
				{ID: q.EpsID, Name: "dev"},
				{ID: "3a7e0c1e-4b8f-4d8e-9c1a-0d5e6f7a8b9d", Name: "staging"},
				{ID: "3a7e0c1e-4b8f-4d8e-9c1a-0d5e6f7a8b9e", Name: "prod"},
			},
		}},
	}
	doc, err := w.Marshal()
	if err != nil {
		return nil, err
	}
	return ParseWorld(doc)
}
