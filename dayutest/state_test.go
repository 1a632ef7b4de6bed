package dayutest_test

import (
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	dgc "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dataartsstudio/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dataartsstudio/v1/model"

	"github.com/dayu-emu/dayu/dayutest"
)

func client(t *testing.T, srv *dayutest.Server) *dgc.DataArtsStudioClient {
	q := srv.Quickstart
	creds, err := basic.NewCredentialsBuilder().WithAk(q.AccessKey).WithSk(q.SecretKey).WithProjectId(q.ProjectID).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	hc, err := dgc.DataArtsStudioClientBuilder().WithEndpoints([]string{srv.URL}).WithCredential(creds).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	return dgc.NewDataArtsStudioClient(hc)
}

// TestWithState: a server started from another's state lists its instance,
// and refuses a second purchase into that instance's enterprise project.
func TestWithState(t *testing.T) {
	first := dayutest.New(t)
	q := first.Quickstart
	buy := func(c *dgc.DataArtsStudioClient) (*model.PayForDgcOneKeyResponse, error) {
		return c.PayForDgcOneKey(&model.PayForDgcOneKeyRequest{Body: &model.OrderReq{
			RegionId: q.RegionID, AvailabilityZone: q.AvailabilityZone, VpcId: q.VpcID, NetId: q.NetID,
			SecurityGroupId: q.SecurityGroupID, EpsId: q.EpsID, InstanceName: "fixture",
			PeriodType: 2, PeriodNum: 1, IsAutoRenew: 0, ResourceSpecCode: q.ResourceSpecCode,
		}})
	}
	bought, err := buy(client(t, first))
	if err != nil {
		t.Fatal(err)
	}
	srv := dayutest.New(t, dayutest.WithState(first.State()))
	c := client(t, srv)
	list, err := c.ListDataArtsStudioInstances(&model.ListDataArtsStudioInstancesRequest{})
	if err != nil || len(*list.CommodityOrders) != 1 || *(*list.CommodityOrders)[0].ResourceId != *bought.ResourceId {
		t.Fatalf("listed %+v, %v; want %s", list, err, *bought.ResourceId)
	}
	if _, err := buy(c); err == nil {
		t.Error("a second purchase into the fixture's enterprise project succeeded")
	}
}
