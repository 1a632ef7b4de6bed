package dayu

import (
	"encoding/json"
	"time"
)

// The state document's JSON (format_version 1). Times are RFC 3339, left
// out when zero; durations are whole milliseconds.

type stateDoc struct {
	FormatVersion      int                   `json:"format_version"`
	World              json.RawMessage       `json:"world"`
	ClockOffsetSeconds float64               `json:"clock_offset_seconds"`
	Timings            map[string]Timings    `json:"timings"`
	Orders             []orderRecord         `json:"orders"`
	Instances          []instanceRecord      `json:"instances"`
	Workspaces         []workspaceRecord     `json:"workspaces"`
	FaultRules         []faultRuleRecord     `json:"fault_rules"`
	TestClocks         []testClockRecord     `json:"test_clocks"`
	IdempotencyKeys    []idempotencyKeyEntry `json:"idempotency_keys"`
	NetworkResources   []networkRecord       `json:"network_resources,omitempty"`
}

// networkRecord is a NetworkResource of the state document.
type networkRecord struct {
	Kind      NetworkKind `json:"kind"`
	ID        string      `json:"id"`
	ProjectID string      `json:"project_id"`
	ParentID  string      `json:"parent_id,omitempty"`
	Name      string      `json:"name"`
	EpsID     string      `json:"eps_id"`
	CreatedAt time.Time   `json:"created_at,omitzero"`
	UpdatedAt time.Time   `json:"updated_at,omitzero"`
	Spec      NetworkSpec `json:"spec"`
}

type orderRecord struct {
	ID          string    `json:"id"`
	Type        OrderType `json:"type"`
	DomainID    string    `json:"domain_id"`
	ProjectID   string    `json:"project_id"`
	ResourceID  string    `json:"resource_id"`
	CreatedAt   time.Time `json:"created_at,omitzero"`
	CompletedAt time.Time `json:"completed_at,omitzero"`
	Hold        int       `json:"hold,omitempty"`
	PaidAt      time.Time `json:"paid_at,omitzero"`
	PeriodType  int       `json:"period_type,omitempty"`
	PeriodNum   int       `json:"period_num,omitempty"`
	SpecCode    string    `json:"spec_code,omitempty"`
}

type tagRecord struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type instanceRecord struct {
	ID                     string      `json:"id"`
	ProjectID              string      `json:"project_id"`
	DomainID               string      `json:"domain_id"`
	OrderID                string      `json:"order_id"`
	Name                   string      `json:"name"`
	RegionID               string      `json:"region_id"`
	AvailabilityZone       string      `json:"availability_zone"`
	VpcID                  string      `json:"vpc_id"`
	NetID                  string      `json:"net_id"`
	SecurityGroupID        string      `json:"security_group_id"`
	EpsID                  string      `json:"eps_id"`
	HoldsEnterpriseProject bool        `json:"holds_enterprise_project"`
	SpecCode               string      `json:"spec_code"`
	ProductID              string      `json:"product_id"`
	PeriodType             int         `json:"period_type"`
	PeriodNum              int         `json:"period_num"`
	IsAutoRenew            int         `json:"is_auto_renew"`
	ExtensionPackage       string      `json:"extension_package,omitempty"`
	ParentID               string      `json:"parent_id,omitempty"`
	CreateUser             string      `json:"create_user"`
	CreatedAt              time.Time   `json:"created_at,omitzero"`
	EffectiveAt            time.Time   `json:"effective_at,omitzero"`
	ExpiresAt              time.Time   `json:"expires_at,omitzero"`
	Tags                   []tagRecord `json:"tags"`
	AutoRenewUntil         time.Time   `json:"auto_renew_until,omitzero"`
	GraceMS                int64       `json:"grace_ms"`
	RetentionMS            int64       `json:"retention_ms"`
	UnsubscribedAt         time.Time   `json:"unsubscribed_at,omitzero"`
	GoneAt                 time.Time   `json:"gone_at,omitzero"`
	RenewedMonths          int         `json:"renewed_months,omitempty"`
	AutoRenewals           int         `json:"auto_renewals,omitempty"`
	SettledAt              time.Time   `json:"settled_at,omitzero"`
	NextSpecCode           string      `json:"next_spec_code,omitempty"`
	NextProductID          string      `json:"next_product_id,omitempty"`
	NextSpecAt             time.Time   `json:"next_spec_at,omitzero"`
	Rev                    int64       `json:"rev"`
}

type workspaceRecord struct {
	ID                string    `json:"id"`
	InstanceID        string    `json:"instance_id"`
	ProjectID         string    `json:"project_id"`
	DomainID          string    `json:"domain_id"`
	Name              string    `json:"name"`
	Description       string    `json:"description"`
	EpsID             string    `json:"eps_id"`
	BadRecordLocation string    `json:"bad_record_location"`
	JobLogLocation    string    `json:"job_log_location"`
	IsDefault         bool      `json:"is_default"`
	CreateUser        string    `json:"create_user"`
	UpdateUser        string    `json:"update_user"`
	CreatedAt         time.Time `json:"created_at,omitzero"`
	UpdatedAt         time.Time `json:"updated_at,omitzero"`
}

type faultRuleRecord struct {
	ID             string            `json:"id"`
	Operation      Operation         `json:"operation"`
	ProjectID      string            `json:"project_id,omitempty"`
	Probability    float64           `json:"probability"`
	Count          int               `json:"count"`
	Remaining      int               `json:"remaining"`
	LatencyMS      int64             `json:"latency_ms,omitempty"`
	Error          *faultErrorRecord `json:"error,omitempty"`
	DropConnection bool              `json:"drop_connection,omitempty"`
	LoseResponse   bool              `json:"lose_response,omitempty"`
	CreatedAt      time.Time         `json:"created_at,omitzero"`
	ExpiresAt      time.Time         `json:"expires_at,omitzero"`
}

type faultErrorRecord struct {
	Status  int    `json:"status"`
	Code    string `json:"error_code,omitempty"`
	Message string `json:"error_msg,omitempty"`
}

type testClockRecord struct {
	DomainID string    `json:"domain_id"`
	OffsetMS int64     `json:"offset_ms"`
	Frozen   bool      `json:"frozen"`
	FrozenAt time.Time `json:"frozen_at,omitzero"`
	Version  int       `json:"version"`
}

type idempotencyKeyEntry struct {
	ProjectID   string    `json:"project_id"`
	Key         string    `json:"key"`
	RequestHash string    `json:"request_hash"`
	OrderID     string    `json:"order_id"`
	ResourceID  string    `json:"resource_id"`
	CreatedAt   time.Time `json:"created_at"`
}

// MarshalJSON writes the state document, with its format_version.
func (st *State) MarshalJSON() ([]byte, error) {
	d := stateDoc{
		FormatVersion: StateFormatVersion, World: st.World, ClockOffsetSeconds: st.ClockOffset.Seconds(), Timings: st.Timings,
		Orders: []orderRecord{}, Instances: []instanceRecord{}, Workspaces: []workspaceRecord{},
		FaultRules: []faultRuleRecord{}, TestClocks: []testClockRecord{}, IdempotencyKeys: []idempotencyKeyEntry{},
	}
	if d.Timings == nil {
		d.Timings = map[string]Timings{}
	}
	for _, o := range st.Orders {
		d.Orders = append(d.Orders, orderRecord{o.ID, o.Type, o.DomainID, o.ProjectID, o.ResourceID, o.CreatedAt, o.CompletedAt,
			int(o.Hold), o.PaidAt, int(o.PeriodType), o.PeriodNum, o.SpecCode})
	}
	for _, si := range st.Instances {
		i := si.Instance
		tags := make([]tagRecord, 0, len(i.Tags))
		for _, t := range i.Tags {
			tags = append(tags, tagRecord(t))
		}
		d.Instances = append(d.Instances, instanceRecord{i.ID, i.ProjectID, i.DomainID, i.OrderID, i.Name, i.RegionID, i.AvailabilityZone,
			i.VpcID, i.NetID, i.SecurityGroupID, i.EpsID, si.HoldsEnterpriseProject, i.SpecCode, i.ProductID, int(i.PeriodType), i.PeriodNum,
			i.IsAutoRenew, i.ExtensionPackage, i.ParentID, i.CreateUser, i.CreatedAt, i.EffectiveAt, i.ExpiresAt, tags,
			i.AutoRenewUntil, i.Grace.Milliseconds(), i.Retention.Milliseconds(), i.UnsubscribedAt, i.GoneAt,
			i.RenewedMonths, i.AutoRenewals, i.SettledAt, i.NextSpecCode, i.NextProductID, i.NextSpecAt, i.Rev})
	}
	for _, w := range st.Workspaces {
		d.Workspaces = append(d.Workspaces, workspaceRecord(*w))
	}
	for _, r := range st.FaultRules {
		var e *faultErrorRecord
		if r.Error != nil {
			e = (*faultErrorRecord)(r.Error)
		}
		d.FaultRules = append(d.FaultRules, faultRuleRecord{r.ID, r.Operation, r.ProjectID, r.Probability, r.Count, r.Remaining,
			r.Latency.Milliseconds(), e, r.DropConnection, r.LoseResponse, r.CreatedAt, r.ExpiresAt})
	}
	for _, tc := range st.TestClocks {
		d.TestClocks = append(d.TestClocks, testClockRecord{tc.DomainID, tc.Offset.Milliseconds(), tc.Frozen, tc.FrozenAt, tc.Version})
	}
	for _, k := range st.IdempotencyKeys {
		d.IdempotencyKeys = append(d.IdempotencyKeys, idempotencyKeyEntry(k))
	}
	for _, r := range st.NetworkResources {
		d.NetworkResources = append(d.NetworkResources, networkRecord(*r))
	}
	return json.Marshal(d)
}

// ReadState reads a state document. Unknown keys, a syntax error (by line
// and column) and another format_version are EINVALID.
func ReadState(doc []byte) (*State, error) {
	var d stateDoc
	if err := decodeStrict(doc, &d); err != nil {
		return nil, Errorf(EINVALID, "state: %v", err)
	}
	if d.FormatVersion != StateFormatVersion {
		return nil, Errorf(EINVALID, "format_version: must be %d, got %d", StateFormatVersion, d.FormatVersion)
	}
	ms := func(v int64) time.Duration { return time.Duration(v) * time.Millisecond }
	st := &State{World: d.World, ClockOffset: secondsDuration(d.ClockOffsetSeconds), Timings: d.Timings}
	for _, o := range d.Orders {
		st.Orders = append(st.Orders, &Order{ID: o.ID, Type: o.Type, DomainID: o.DomainID, ProjectID: o.ProjectID, ResourceID: o.ResourceID,
			CreatedAt: o.CreatedAt, CompletedAt: o.CompletedAt, Hold: OrderStatus(o.Hold), PaidAt: o.PaidAt,
			PeriodType: PeriodType(o.PeriodType), PeriodNum: o.PeriodNum, SpecCode: o.SpecCode})
	}
	for _, r := range d.Instances {
		tags := make([]Tag, 0, len(r.Tags))
		for _, t := range r.Tags {
			tags = append(tags, Tag(t))
		}
		st.Instances = append(st.Instances, StateInstance{&Instance{ID: r.ID, ProjectID: r.ProjectID, DomainID: r.DomainID, OrderID: r.OrderID,
			Name: r.Name, RegionID: r.RegionID, AvailabilityZone: r.AvailabilityZone, VpcID: r.VpcID, NetID: r.NetID,
			SecurityGroupID: r.SecurityGroupID, EpsID: r.EpsID, SpecCode: r.SpecCode, ProductID: r.ProductID,
			PeriodType: PeriodType(r.PeriodType), PeriodNum: r.PeriodNum, IsAutoRenew: r.IsAutoRenew, ExtensionPackage: r.ExtensionPackage,
			ParentID: r.ParentID, CreateUser: r.CreateUser, CreatedAt: r.CreatedAt, EffectiveAt: r.EffectiveAt, ExpiresAt: r.ExpiresAt,
			Tags: tags, AutoRenewUntil: r.AutoRenewUntil, Grace: ms(r.GraceMS), Retention: ms(r.RetentionMS),
			UnsubscribedAt: r.UnsubscribedAt, GoneAt: r.GoneAt, RenewedMonths: r.RenewedMonths, AutoRenewals: r.AutoRenewals,
			SettledAt: r.SettledAt, NextSpecCode: r.NextSpecCode, NextProductID: r.NextProductID, NextSpecAt: r.NextSpecAt, Rev: r.Rev,
		}, r.HoldsEnterpriseProject})
	}
	for _, w := range d.Workspaces {
		ws := Workspace(w)
		st.Workspaces = append(st.Workspaces, &ws)
	}
	for _, r := range d.FaultRules {
		st.FaultRules = append(st.FaultRules, &FaultRule{ID: r.ID, Operation: r.Operation, ProjectID: r.ProjectID, Probability: r.Probability,
			Count: r.Count, Remaining: r.Remaining, Latency: ms(r.LatencyMS), Error: (*FaultError)(r.Error), DropConnection: r.DropConnection,
			LoseResponse: r.LoseResponse, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt})
	}
	for _, tc := range d.TestClocks {
		st.TestClocks = append(st.TestClocks, &TestClock{DomainID: tc.DomainID, Offset: ms(tc.OffsetMS), Frozen: tc.Frozen, FrozenAt: tc.FrozenAt, Version: tc.Version})
	}
	for _, k := range d.IdempotencyKeys {
		st.IdempotencyKeys = append(st.IdempotencyKeys, IdempotencyKey(k))
	}
	for _, r := range d.NetworkResources {
		nr := NetworkResource(r)
		st.NetworkResources = append(st.NetworkResources, &nr)
	}
	return st, nil
}
