// Package dayu is the domain of Dayu, an emulator of Huawei Cloud DataArts
// Studio's instance-ordering API: purchases, the orders and instances they
// create, the world they refer to, and the Store that keeps them.
//
// The request path is http -> auth -> dayu (this package) -> store
// (sqlstore, with the sqlite and postgres backends).
package dayu

import (
	"context"
	"time"
)

// PeriodType is the unit of a subscription period.
type PeriodType int

// The period types of the contract.
const (
	PeriodMonth PeriodType = 2
	PeriodYear  PeriodType = 3
)

// InstanceStatus is an instance's status as the list reports it.
type InstanceStatus int

// The instance statuses of the contract (docs/contract.md §4).
const (
	InstancePending  InstanceStatus = 1 // not yet effective
	InstanceActive   InstanceStatus = 2 // in effect
	InstanceDeleted  InstanceStatus = 3 // deleted or unsubscribed
	InstanceFrozen   InstanceStatus = 4 // frozen, in retention
	InstanceGrace    InstanceStatus = 5 // grace period
	InstanceDeleting InstanceStatus = 6 // being deleted
)

// DefaultEnterpriseProject is the id of the enterprise project every domain
// has; a purchase without eps_id lands there.
const DefaultEnterpriseProject = "0"

// Tag is a TMS tag on an instance. A tag sent without a value has Value "".
type Tag struct {
	Key   string
	Value string
}

// Purchase is a validated request to buy an instance (or an incremental
// package bound to one).
type Purchase struct {
	RegionID          string
	AvailabilityZone  string
	VpcID             string
	NetID             string
	SecurityGroupID   string
	InstanceName      string
	EpsID             string
	PeriodType        PeriodType
	PeriodNum         int
	IsAutoRenew       int
	ResourceSpecCode  string
	Tags              []Tag
	CommodityID       string
	ProductID         string
	PromotionInfo     string
	CloudServiceType  string
	ResourceType      string
	CdmVersion        string
	ExtensionPackage  string // extesion_package_type on the wire
	BindingInstanceID string
	// IdempotencyKey comes from X-Client-Token or Idempotency-Key; it is
	// not part of what the purchase asks for.
	IdempotencyKey string
}

// OrderType is the kind of a BSS order.
type OrderType int

// The BSS order types Dayu makes.
const (
	OrderNew         OrderType = 1
	OrderRenewal     OrderType = 2
	OrderChange      OrderType = 3 // a spec change: an upgrade or a downgrade
	OrderUnsubscribe OrderType = 4
)

// OrderStatus is a BSS order's status (docs/contract.md §5).
type OrderStatus int

// The BSS order statuses Dayu goes through.
const (
	OrderProcessing     OrderStatus = 3
	OrderCancelled      OrderStatus = 4
	OrderCompleted      OrderStatus = 5
	OrderPendingPayment OrderStatus = 6
)

// Order is a BSS order: a purchase, a renewal, a spec change or an
// unsubscription.
type Order struct {
	ID          string
	Type        OrderType
	DomainID    string
	ProjectID   string
	ResourceID  string
	CreatedAt   time.Time
	CompletedAt time.Time // when the order reaches status 5
	// Hold, when set, is the status regardless of the times: an order
	// placed without payment waits in OrderPendingPayment until it is paid
	// (Hold cleared) or cancelled (OrderCancelled).
	Hold   OrderStatus
	PaidAt time.Time // zero: paid when placed (CreatedAt)
	// PeriodType and PeriodNum are what a renewal adds (zero for other
	// orders); SpecCode is the edition a spec change moves to.
	PeriodType PeriodType
	PeriodNum  int
	SpecCode   string
	// IdempotencyKey, when set, makes a retried purchase answer with the
	// first one's order (see Store.CreatePurchase); RequestHash tells a
	// retry from another purchase under the same key.
	IdempotencyKey string
	RequestHash    string
}

// IdempotencyTTL is how long an idempotency key holds its purchase.
const IdempotencyTTL = 24 * time.Hour

// Status is the order's status at now: pending payment for the first half
// of its way, then processing, then completed.
func (o *Order) Status(now time.Time) OrderStatus {
	switch {
	case o.Hold != 0:
		return o.Hold
	case !now.Before(o.CompletedAt):
		return OrderCompleted
	case now.Before(o.CreatedAt.Add(o.CompletedAt.Sub(o.CreatedAt) / 2)):
		return OrderPendingPayment
	}
	return OrderProcessing
}

// Instance is a DataArts Studio instance, or an incremental package when
// ParentID is set.
type Instance struct {
	ID               string
	ProjectID        string
	DomainID         string
	OrderID          string
	Name             string
	RegionID         string
	AvailabilityZone string
	VpcID            string
	NetID            string
	SecurityGroupID  string
	EpsID            string
	SpecCode         string
	ProductID        string
	PeriodType       PeriodType
	PeriodNum        int
	IsAutoRenew      int
	ExtensionPackage string
	ParentID         string
	CreateUser       string
	CreatedAt        time.Time
	EffectiveAt      time.Time
	ExpiresAt        time.Time // the end of the first term; renewals extend it (Term)
	Tags             []Tag
	// AutoRenewUntil: zero renews at every expiry; otherwise only the
	// expiries up to this time renew (purchase time when is_auto_renew is 0,
	// the unsubscribe time after unsubscribe_type 2).
	AutoRenewUntil time.Time
	Grace          time.Duration // status 5 after the last expiry, then
	Retention      time.Duration // status 4, then gone
	UnsubscribedAt time.Time     // zero unless unsubscribed (status 6, then gone)
	GoneAt         time.Time     // when it leaves the list and frees its enterprise project; zero: not while it renews
	// The renewals up to SettledAt are stored orders (see settle): they
	// added RenewedMonths to the first term, AutoRenewals of them by
	// auto-renew. Later auto-renewals are derived (Term).
	RenewedMonths int
	AutoRenewals  int
	SettledAt     time.Time
	// NextSpecCode and NextProductID replace SpecCode and ProductID from
	// NextSpecAt, when a spec change completes (SpecAt).
	NextSpecCode  string
	NextProductID string
	NextSpecAt    time.Time
	// Rev counts the stored changes of the lifecycle fields: a change
	// computed from an older Rev is refused (SaveLifecycle).
	Rev int64
}

// IsPackage reports whether the instance is an incremental package.
func (i *Instance) IsPackage() bool { return i.ParentID != "" }

// ExpireDays is the number of whole days left in the term at now, rounded
// up, never negative; before the instance takes effect, the whole term.
func (i *Instance) ExpireDays(now time.Time) int {
	from := now
	if i.EffectiveAt.After(from) {
		from = i.EffectiveAt
	}
	exp, _ := i.Term(from)
	left := exp.Sub(from)
	if left <= 0 {
		return 0
	}
	return int((left + 24*time.Hour - 1) / (24 * time.Hour))
}

// Page selects a slice of a list.
type Page struct {
	Limit  int
	Offset int
}

// ResourceFilter selects a domain's instances and packages. Each field set
// narrows the selection (AND); the zero filter selects them all.
type ResourceFilter struct {
	// OrderID selects the resources of that order.
	OrderID string
	// ResourceIDs selects those resources and, unless OnlyMain, the
	// packages bound to them.
	ResourceIDs []string
	// OnlyMain leaves out the packages but those ResourceIDs names (as BSS
	// does: a child resource asked for by id is always its own answer).
	OnlyMain bool
}

// Store keeps orders, instances, the lifecycle timings, documents (the
// world, the dev clock) and the token key. Every write is durable when it
// returns nil.
type Store interface {
	LifecycleStore
	WorkspaceStore
	NetworkStore
	StateStore
	// CreatePurchase stores the order and the instance with its tags (and,
	// for an instance, its default workspace, Instance.DefaultWorkspace) in
	// one transaction. When the order's IdempotencyKey already holds a purchase
	// of the same request, it stores nothing and sets o.ID and o.ResourceID
	// to that purchase's (ErrIdempotencyKeyReused for another request). It
	// returns ErrEnterpriseProjectTaken when the project already has an
	// instance in that enterprise project that is not gone by the
	// instance's CreatedAt, and ErrNoBindingInstance when a package's
	// binding instance is not an active instance of the project.
	CreatePurchase(ctx context.Context, o *Order, i *Instance) error
	// ListInstances returns a page of the project's instances not gone at
	// now, newest first, and their total count.
	ListInstances(ctx context.Context, projectID string, p Page, now time.Time) ([]*Instance, int, error)
	// Resources returns the domain's instances that match f, gone or not,
	// oldest first.
	Resources(ctx context.Context, domainID string, f ResourceFilter) ([]*Instance, error)
	// QueryResources returns a page of the domain's instances that q
	// selects (its filter, and ResourceQuery.Shows at q.At), oldest first,
	// and how many it selects in all.
	QueryResources(ctx context.Context, domainID string, q ResourceQuery) ([]*Instance, int, error)
	// FindOrder returns an order of the domain, ErrOrderNotFound if none.
	FindOrder(ctx context.Context, domainID, id string) (*Order, error)
	// SaveUnsubscriptions stores, in one transaction, the instances'
	// changed lifecycle fields (AutoRenewUntil, UnsubscribedAt, GoneAt) and
	// the unsubscribe orders. An instance that another request unsubscribed
	// since it was read stays as that request left it: its id is in lost,
	// and the order about it (Order.ResourceID) is not stored. The rest is
	// stored all the same.
	SaveUnsubscriptions(ctx context.Context, changed []*Instance, orders []*Order) (lost []string, err error)
	// Reset deletes every order, instance, workspace, network resource, fault rule and test
	// clock, and stores keep (the world's network) in the same transaction;
	// the world, the timings and the token key stay.
	Reset(ctx context.Context, keep []*NetworkResource) error

	// Timings returns the stored lifecycle timings by project id ("" for
	// the default); a project without a record is not in the map.
	Timings(ctx context.Context) (map[string]Timings, error)
	// SaveTimings stores one project's timings ("" the default), leaving
	// every other project's as they are.
	SaveTimings(ctx context.Context, projectID string, t Timings) error

	// AddFaultRule stores a fault rule.
	AddFaultRule(ctx context.Context, r *FaultRule) error
	// FaultRules returns every stored fault rule, oldest first, with what
	// remains of its count.
	FaultRules(ctx context.Context) ([]*FaultRule, error)
	// TakeFaultHit takes one of a counted rule's remaining hits, reporting
	// false when none is left (or the rule is gone); nodes racing for the
	// last hit get it once between them.
	TakeFaultHit(ctx context.Context, id string) (bool, error)
	// DeleteFaultRule deletes one rule, ErrFaultRuleNotFound if none.
	DeleteFaultRule(ctx context.Context, id string) error
	// DeleteFaultRules deletes every rule.
	DeleteFaultRules(ctx context.Context) error

	// TestClocks returns every domain's test clock.
	TestClocks(ctx context.Context) ([]*TestClock, error)
	// SaveTestClock stores a domain's test clock as changed from the
	// stored one of tc.Version (0: none), and counts the version up;
	// ErrClockChanged if another change was stored first.
	SaveTestClock(ctx context.Context, tc *TestClock) error

	// Document returns a stored document by name, nil when there is none.
	Document(ctx context.Context, name string) ([]byte, error)
	// EnsureDocument stores doc under name unless a document of that name
	// is stored already, and returns the stored one: nodes that race agree
	// on the first.
	EnsureDocument(ctx context.Context, name string, doc []byte) ([]byte, error)
	// SaveDocument stores (or replaces) a document.
	SaveDocument(ctx context.Context, name string, doc []byte) error
	// TokenKey returns the key that signs tokens, creating it (durably and
	// once, however many nodes race) from fresh when none exists.
	TokenKey(ctx context.Context, fresh []byte) ([]byte, error)

	// Ping reports whether the store can serve requests.
	Ping(ctx context.Context) error
	// Close releases the store.
	Close() error
}
