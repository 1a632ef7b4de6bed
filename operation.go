package dayu

import "slices"

// Operation names an API call as the official V3 SDK names it. It is the
// one name of a call that the fault rules match, the request journal
// records and the metrics count.
type Operation string

// The operations Dayu serves.
const (
	OpPayForDgcOneKey                   Operation = "PayForDgcOneKey"
	OpListDataArtsStudioInstances       Operation = "ListDataArtsStudioInstances"
	OpKeystoneCreateUserTokenByPassword Operation = "KeystoneCreateUserTokenByPassword"
	OpKeystoneCreateScopedToken         Operation = "KeystoneCreateScopedToken"
	OpKeystoneListProjects              Operation = "KeystoneListProjects"
	OpKeystoneListAuthDomains           Operation = "KeystoneListAuthDomains"
	OpListServiceTypes                  Operation = "ListServiceTypes"
	OpShowCustomerOrderDetails          Operation = "ShowCustomerOrderDetails"
	OpListPayPerUseCustomerResources    Operation = "ListPayPerUseCustomerResources"
	OpCancelResourcesSubscription       Operation = "CancelResourcesSubscription"
	OpAutoRenewalResources              Operation = "AutoRenewalResources"
	OpCancelAutoRenewalResources        Operation = "CancelAutoRenewalResources"
	OpRenewalResources                  Operation = "RenewalResources"
	OpListCustomerOrders                Operation = "ListCustomerOrders"
	OpPayOrders                         Operation = "PayOrders"
	OpCancelCustomerOrder               Operation = "CancelCustomerOrder"
	OpChangeResource                    Operation = "ChangeResource"
	OpMigrateResource                   Operation = "MigrateResource"
	OpShowResourceBindEnterpriseProject Operation = "ShowResourceBindEnterpriseProject"
	OpListManagerWorkSpaces             Operation = "ListManagerWorkSpaces"
	OpCreateManagerWorkSpace            Operation = "CreateManagerWorkSpace"
	OpShowWorkSpace                     Operation = "ShowWorkSpace"
	OpUpdateWorkSpace                   Operation = "UpdateWorkSpace"
	OpDeleteWorkSpace                   Operation = "DeleteWorkSpace"
)

// AnyOperation in a fault rule matches every operation.
const AnyOperation Operation = "*"

// Operations are every operation Dayu serves, in the order of the API's
// documentation (the HTTP layer's test checks that each has a route).
var Operations = []Operation{
	OpPayForDgcOneKey, OpListDataArtsStudioInstances,
	OpKeystoneCreateUserTokenByPassword, OpKeystoneCreateScopedToken, OpKeystoneListProjects, OpKeystoneListAuthDomains,
	OpListServiceTypes, OpShowCustomerOrderDetails, OpListPayPerUseCustomerResources, OpCancelResourcesSubscription,
	OpAutoRenewalResources, OpCancelAutoRenewalResources, OpRenewalResources, OpListCustomerOrders, OpPayOrders, OpCancelCustomerOrder,
	OpChangeResource, OpMigrateResource, OpShowResourceBindEnterpriseProject,
	OpListManagerWorkSpaces, OpCreateManagerWorkSpace, OpShowWorkSpace, OpUpdateWorkSpace, OpDeleteWorkSpace,
}

// Known reports whether op is an operation Dayu serves, or AnyOperation.
func (op Operation) Known() bool { return op == AnyOperation || slices.Contains(Operations, op) }
