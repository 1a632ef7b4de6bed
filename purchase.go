package dayu

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Limits of a purchase (docs/contract.md §2 and the older public docs).
const (
	MaxNameLen           = 128
	MaxPromotionInfoLen  = 1024
	MaxTags              = 20
	MaxTagKeyLen         = 128
	MaxTagValueLen       = 255
	MaxMonths            = 9
	MaxYears             = 3
	MaxIdempotencyKeyLen = 255
)

// Validate checks the rules a purchase must meet on its own, before the
// world is consulted: ranges, lengths and tags. Each error is EINVALID and
// names the field on the wire.
func (p *Purchase) Validate() error {
	if err := checkFields(
		field{"region_id", p.RegionID, 1, MaxNameLen},
		field{"availability_zone", p.AvailabilityZone, 1, MaxNameLen},
		field{"vpc_id", p.VpcID, 1, MaxNameLen},
		field{"net_id", p.NetID, 1, MaxNameLen},
		field{"security_group_id", p.SecurityGroupID, 1, MaxNameLen},
		field{"instance_name", p.InstanceName, 1, MaxNameLen},
		field{"eps_id", p.EpsID, 0, MaxNameLen},
		field{"resource_spec_code", p.ResourceSpecCode, 1, MaxNameLen},
		field{"commodity_id", p.CommodityID, 0, MaxNameLen},
		field{"product_id", p.ProductID, 0, MaxNameLen},
		field{"promotion_info", p.PromotionInfo, 0, MaxPromotionInfoLen},
		field{"cloud_service_type", p.CloudServiceType, 0, MaxNameLen},
		field{"resource_type", p.ResourceType, 0, MaxNameLen},
		field{"cdm_version", p.CdmVersion, 0, MaxNameLen},
		field{"extesion_package_type", p.ExtensionPackage, 0, MaxNameLen},
		field{"binding_instance_id", p.BindingInstanceID, 0, MaxNameLen},
	); err != nil {
		return err
	}
	if err := checkPeriod(p.PeriodType, p.PeriodNum); err != nil {
		return err
	}
	if p.IsAutoRenew != 0 && p.IsAutoRenew != 1 {
		return Errorf(EINVALID, "is_auto_renew: must be 0 or 1, got %d", p.IsAutoRenew)
	}
	if err := checkLen("idempotency key", p.IdempotencyKey, 0, MaxIdempotencyKeyLen); err != nil {
		return err
	}
	if p.ExtensionPackage != "" && p.BindingInstanceID == "" {
		return Errorf(EINVALID, "binding_instance_id: is required when extesion_package_type is set")
	}
	return p.validateTags()
}

// checkPeriod checks a subscription period, of a purchase or a renewal.
func checkPeriod(pt PeriodType, n int) error {
	switch pt {
	case PeriodMonth:
		if n < 1 || n > MaxMonths {
			return Errorf(EINVALID, "period_num: must be 1-%d for a monthly period (period_type 2), got %d", MaxMonths, n)
		}
	case PeriodYear:
		if n < 1 || n > MaxYears {
			return Errorf(EINVALID, "period_num: must be 1-%d for a yearly period (period_type 3), got %d", MaxYears, n)
		}
	default:
		return Errorf(EINVALID, "period_type: must be 2 (month) or 3 (year), got %d", pt)
	}
	return nil
}

func (p *Purchase) validateTags() error {
	if len(p.Tags) > MaxTags {
		return Errorf(EINVALID, "tags: at most %d tags, got %d", MaxTags, len(p.Tags))
	}
	keys := make(map[string]bool, len(p.Tags))
	for i, t := range p.Tags {
		if err := checkLen(fmt.Sprintf("tags[%d].key", i), t.Key, 1, MaxTagKeyLen); err != nil {
			return err
		}
		if err := checkLen(fmt.Sprintf("tags[%d].value", i), t.Value, 0, MaxTagValueLen); err != nil {
			return err
		}
		if keys[t.Key] {
			return Errorf(EINVALID, "tags[%d].key: duplicate key %q", i, t.Key)
		}
		keys[t.Key] = true
	}
	return nil
}

// field is a string of a request and the range of its length.
type field struct {
	name, value string
	min, max    int
}

// checkFields checks the fields' lengths, in order.
func checkFields(fs ...field) error {
	for _, f := range fs {
		if err := checkLen(f.name, f.value, f.min, f.max); err != nil {
			return err
		}
	}
	return nil
}

// checkLen counts characters, not bytes: the limits are the console's.
func checkLen(field, v string, min, max int) error {
	if !utf8.ValidString(v) {
		return Errorf(EINVALID, "%s: must be valid UTF-8", field)
	}
	n := utf8.RuneCountInString(v)
	switch {
	case n == 0 && min > 0:
		return Errorf(EINVALID, "%s: must not be empty", field)
	case n < min || n > max:
		return Errorf(EINVALID, "%s: must be %d-%d characters, got %d", field, min, max, n)
	}
	return nil
}

// Caller is who sends a request, as authentication found them.
type Caller struct {
	AccessKey  string // the access key id of an AK/SK signature, "" for a token
	UserID     string
	UserName   string
	DomainID   string
	DomainName string
	ProjectID  string // empty for a domain-scoped or unscoped caller
}

// Service carries out purchases and reads for the HTTP layer, on any Store.
type Service struct {
	Store Store
	// Clocks give each domain its time: the server's, or its test clock.
	Clocks *Clocks
	World  *World
	// Loose skips the checks of references against the world (region,
	// zone, VPC, subnet, security group, enterprise project).
	Loose bool
	// Timings are the lifecycle delays per project.
	Timings *TimingsBook
}

// Purchase buys an instance in project for caller: it validates p, checks
// it against the world, and stores the order and the instance durably.
func (s *Service) Purchase(ctx context.Context, caller Caller, projectID string, p *Purchase) (*Order, *Instance, error) {
	if p.EpsID == "" {
		p.EpsID = DefaultEnterpriseProject
	}
	if err := p.Validate(); err != nil {
		return nil, nil, err
	}
	project := s.World.Project(projectID)
	if project == nil {
		return nil, nil, Errorf(EINVALID, "project_id: project %q does not exist", projectID)
	}
	edition := s.World.Edition(p.ResourceSpecCode)
	if edition == nil {
		return nil, nil, Errorf(EINVALID, "resource_spec_code: %q is not an edition of the catalog", p.ResourceSpecCode)
	}
	if !s.Loose {
		if err := s.checkReferences(ctx, project, p); err != nil {
			return nil, nil, err
		}
	}
	// Milliseconds are what the store and the wire keep.
	now := s.Clocks.Now(project.Domain.ID).Truncate(time.Millisecond)
	productID := p.ProductID
	if productID == "" {
		productID = edition.ProductID
	}
	t := s.Timings.For(projectID)
	effective := now.Add(t.Provisioning)
	o := &Order{ID: newOrderID(now), Type: OrderNew, DomainID: project.Domain.ID, ProjectID: projectID, CreatedAt: now, CompletedAt: effective,
		IdempotencyKey: p.IdempotencyKey, RequestHash: p.hash()}
	i := &Instance{
		ID: newResourceID(), ProjectID: projectID, DomainID: project.Domain.ID, OrderID: o.ID,
		Name: p.InstanceName, RegionID: p.RegionID, AvailabilityZone: p.AvailabilityZone,
		VpcID: p.VpcID, NetID: p.NetID, SecurityGroupID: p.SecurityGroupID, EpsID: p.EpsID,
		SpecCode: p.ResourceSpecCode, ProductID: productID,
		PeriodType: p.PeriodType, PeriodNum: p.PeriodNum, IsAutoRenew: p.IsAutoRenew,
		ExtensionPackage: p.ExtensionPackage, ParentID: p.BindingInstanceID,
		CreateUser: caller.UserName, CreatedAt: now, EffectiveAt: effective,
		ExpiresAt: AddPeriod(effective, p.PeriodType, p.PeriodNum),
		Tags:      p.Tags, Grace: t.Grace, Retention: t.Retention,
	}
	if p.IsAutoRenew == 0 {
		i.AutoRenewUntil = now
	}
	i.GoneAt = i.goneAt()
	o.ResourceID = i.ID
	if err := s.Store.CreatePurchase(ctx, o, i); err != nil {
		return nil, nil, purchaseRefusal(err, i, p)
	}
	return o, i, nil
}

// purchaseRefusal words the store's refusal of a purchase for its caller.
func purchaseRefusal(err error, i *Instance, p *Purchase) error {
	switch {
	case errors.Is(err, ErrEnterpriseProjectTaken):
		return Errorf(ECONFLICT, "eps_id: project %s already has a DataArts Studio instance in enterprise project %q; only one instance per enterprise project is allowed", i.ProjectID, i.EpsID)
	case errors.Is(err, ErrNoBindingInstance):
		return Errorf(EINVALID, "binding_instance_id: %q is not an active instance of project %s", i.ParentID, i.ProjectID)
	case errors.Is(err, ErrIdempotencyKeyReused):
		return Errorf(EKEYREUSED, "idempotency key %q was used with a different purchase in the last 24 hours", p.IdempotencyKey)
	}
	return err
}

// projectNow is the time of the project's domain.
func (s *Service) projectNow(projectID string) time.Time {
	if p := s.World.Project(projectID); p != nil {
		return s.Clocks.Now(p.Domain.ID)
	}
	return s.Clocks.Server().Now()
}

// Reset deletes every order, instance, fault rule and network resource
// (see Store.Reset) but the world's network, which the world still
// declares: it is stored again in the same transaction, so that no crash
// leaves the store without it.
func (s *Service) Reset(ctx context.Context) error {
	return s.Store.Reset(ctx, s.World.worldNetwork(s.Clocks.Server().Now()))
}

// hash identifies what a purchase asks for, whatever the JSON's spacing or
// key order, so that a retry is told from another purchase under one key.
func (p *Purchase) hash() string {
	if p.IdempotencyKey == "" {
		return ""
	}
	q := *p
	q.IdempotencyKey = ""
	b, _ := json.Marshal(q) // plain strings and numbers always encode
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// checkReferences resolves the purchase's ids against the world and the
// network resources created through the API.
func (s *Service) checkReferences(ctx context.Context, project *Project, p *Purchase) error {
	region := s.World.Region(p.RegionID)
	switch {
	case region == nil:
		return Errorf(EINVALID, "region_id: region %q does not exist", p.RegionID)
	case p.RegionID != project.RegionID:
		return Errorf(EINVALID, "region_id: project %s is in region %q, not %q", project.ID, project.RegionID, p.RegionID)
	case !region.HasZone(p.AvailabilityZone):
		return Errorf(EINVALID, "availability_zone: %q is not a zone of region %q", p.AvailabilityZone, p.RegionID)
	}
	if err := s.checkNetwork(ctx, project, p); err != nil {
		return err
	}
	if !project.Domain.HasEnterpriseProject(p.EpsID) {
		return Errorf(EINVALID, "eps_id: enterprise project %q does not exist", p.EpsID)
	}
	return nil
}

// Listing is a page of instances, the total it is a page of, and the
// moment it was read at: what it shows of them (their statuses, terms,
// days left) is as of At, so that one answer never mixes two moments.
type Listing struct {
	Instances []*Instance
	Total     int
	At        time.Time
}

// ListInstances returns a page of the project's instances not gone by now,
// and their total.
func (s *Service) ListInstances(ctx context.Context, projectID string, p Page) (Listing, error) {
	now := s.projectNow(projectID)
	list, total, err := s.Store.ListInstances(ctx, projectID, p, now)
	return Listing{Instances: list, Total: total, At: now}, err
}

// newResourceID makes a UUID, version 7: time-ordered, so that new ids land
// at the end of the id index instead of dirtying pages all over it (a
// group commit writes every page it touched).
func newResourceID() string {
	return uuid.Must(uuid.NewV7()).String()
}

const orderIDAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// newOrderID makes an id shaped like Huawei's: "CS", the time, and random
// characters, enough of them that ids made in the same second at ten
// thousand purchases a second do not collide.
func newOrderID(now time.Time) string {
	stamp := now.Format("060102150405")
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = orderIDAlphabet[int(b[i])%len(orderIDAlphabet)]
	}
	return "CS" + stamp + string(b)
}
