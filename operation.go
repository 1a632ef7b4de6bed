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
	// The network (ECS v2, VPC v2 and v3 of the V3 SDK; v3's ShowVpc shares
	// v2's name).
	OpNovaListAvailabilityZones Operation = "NovaListAvailabilityZones"
	OpCreateVpc                 Operation = "CreateVpc"
	OpShowVpc                   Operation = "ShowVpc"
	OpListVpcs                  Operation = "ListVpcs"
	OpUpdateVpc                 Operation = "UpdateVpc"
	OpDeleteVpc                 Operation = "DeleteVpc"
	OpCreateSubnet              Operation = "CreateSubnet"
	OpShowSubnet                Operation = "ShowSubnet"
	OpListSubnets               Operation = "ListSubnets"
	OpUpdateSubnet              Operation = "UpdateSubnet"
	OpDeleteSubnet              Operation = "DeleteSubnet"
	OpShowVpcTags               Operation = "ShowVpcTags"
	OpBatchCreateVpcTags        Operation = "BatchCreateVpcTags"
	OpBatchDeleteVpcTags        Operation = "BatchDeleteVpcTags"
	OpShowSubnetTags            Operation = "ShowSubnetTags"
	OpBatchCreateSubnetTags     Operation = "BatchCreateSubnetTags"
	OpBatchDeleteSubnetTags     Operation = "BatchDeleteSubnetTags"
	OpAddVpcExtendCidr          Operation = "AddVpcExtendCidr"
	OpRemoveVpcExtendCidr       Operation = "RemoveVpcExtendCidr"
	// DNS v2's, which the subnet resource reads its DNS servers from.
	OpListNameServers Operation = "ListNameServers"
	// Security groups: v1 and v3 share the V3 SDK's names.
	OpCreateSecurityGroup          Operation = "CreateSecurityGroup"
	OpShowSecurityGroup            Operation = "ShowSecurityGroup"
	OpListSecurityGroups           Operation = "ListSecurityGroups"
	OpUpdateSecurityGroup          Operation = "UpdateSecurityGroup"
	OpDeleteSecurityGroup          Operation = "DeleteSecurityGroup"
	OpDeleteSecurityGroupRule      Operation = "DeleteSecurityGroupRule"
	OpListSecurityGroupRules       Operation = "ListSecurityGroupRules"
	OpShowSecurityGroupTags        Operation = "ShowSecurityGroupTags"
	OpBatchCreateSecurityGroupTags Operation = "BatchCreateSecurityGroupTags"
	OpBatchDeleteSecurityGroupTags Operation = "BatchDeleteSecurityGroupTags"
	OpNeutronUpdateSecurityGroup   Operation = "NeutronUpdateSecurityGroup"
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
	OpNovaListAvailabilityZones,
	OpCreateVpc, OpShowVpc, OpListVpcs, OpUpdateVpc, OpDeleteVpc,
	OpCreateSubnet, OpShowSubnet, OpListSubnets, OpUpdateSubnet, OpDeleteSubnet,
	OpShowVpcTags, OpBatchCreateVpcTags, OpBatchDeleteVpcTags, OpShowSubnetTags, OpBatchCreateSubnetTags, OpBatchDeleteSubnetTags,
	OpAddVpcExtendCidr, OpRemoveVpcExtendCidr, OpListNameServers,
	OpCreateSecurityGroup, OpShowSecurityGroup, OpListSecurityGroups, OpUpdateSecurityGroup, OpDeleteSecurityGroup, OpDeleteSecurityGroupRule,
	OpListSecurityGroupRules,
	OpShowSecurityGroupTags, OpBatchCreateSecurityGroupTags, OpBatchDeleteSecurityGroupTags, OpNeutronUpdateSecurityGroup,
}

// Known reports whether op is an operation Dayu serves, or AnyOperation.
func (op Operation) Known() bool { return op == AnyOperation || slices.Contains(Operations, op) }
