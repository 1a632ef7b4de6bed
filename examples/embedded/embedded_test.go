// Package embedded shows Dayu inside another project's Go test, as a user
// of github.com/dayu-emu/dayu/dayutest would write it: buy and list a
// DataArts Studio instance with the official V3 SDK.
package embedded

import (
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	dgc "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dataartsstudio/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dataartsstudio/v1/model"

	"github.com/dayu-emu/dayu/dayutest"
)

func TestBuyAndList(t *testing.T) {
	srv := dayutest.New(t)
	q := srv.Quickstart
	creds, err := basic.NewCredentialsBuilder().WithAk(q.AccessKey).WithSk(q.SecretKey).WithProjectId(q.ProjectID).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	hc, err := dgc.DataArtsStudioClientBuilder().WithEndpoints([]string{srv.URL}).WithCredential(creds).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	client := dgc.NewDataArtsStudioClient(hc)

	bought, err := client.PayForDgcOneKey(&model.PayForDgcOneKeyRequest{Body: &model.OrderReq{
		RegionId: q.RegionID, AvailabilityZone: q.AvailabilityZone, VpcId: q.VpcID, NetId: q.NetID,
		SecurityGroupId: q.SecurityGroupID, EpsId: q.EpsID, InstanceName: "from-my-test",
		PeriodType: 2, PeriodNum: 1, IsAutoRenew: 0, ResourceSpecCode: q.ResourceSpecCode,
	}})
	if err != nil {
		t.Fatal(err)
	}
	srv.Advance(time.Minute) // past the provisioning delay
	list, err := client.ListDataArtsStudioInstances(&model.ListDataArtsStudioInstancesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if *list.Count != 1 || *(*list.CommodityOrders)[0].ResourceId != *bought.ResourceId || *(*list.CommodityOrders)[0].Status != 2 {
		t.Errorf("listed %+v, want the instance bought, in effect", list)
	}

	// The same call failing on purpose: the next purchase gets a 503.
	srv.AddFault(dayutest.Fault{Operation: "PayForDgcOneKey", Count: 1, Error: &dayutest.FaultError{Status: 503}})
	if _, err := client.PayForDgcOneKey(&model.PayForDgcOneKeyRequest{Body: &model.OrderReq{
		RegionId: q.RegionID, AvailabilityZone: q.AvailabilityZone, VpcId: q.VpcID, NetId: q.NetID,
		SecurityGroupId: q.SecurityGroupID, EpsId: "0", InstanceName: "second",
		PeriodType: 2, PeriodNum: 1, IsAutoRenew: 0, ResourceSpecCode: q.ResourceSpecCode,
	}}); err == nil {
		t.Error("the purchase under a 503 fault rule succeeded")
	}
}
