package http_test

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	dgc "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dataartsstudio/v1"
	dgcmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dataartsstudio/v1/model"

	"github.com/dayu-emu/dayu"
	"github.com/dayu-emu/dayu/node"
)

func intercepting(c *node.Config) { c.Intercept, c.Clouds = true, []string{"cloud.example"} }

// caPool is the intercepting CA that the server serves, as a client would
// trust it.
func (s *server) caPool() *x509.CertPool {
	s.t.Helper()
	resp, err := http.Get(s.URL + "/_dayu/ca.pem")
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	pemBytes, _ := io.ReadAll(resp.Body)
	pool := x509.NewCertPool()
	if resp.StatusCode != http.StatusOK || !pool.AppendCertsFromPEM(pemBytes) {
		s.t.Fatalf("/_dayu/ca.pem: %d %s", resp.StatusCode, pemBytes)
	}
	return pool
}

// TestInterceptSDK: the official V3 SDK, pointed at Huawei Cloud's own
// endpoint with Dayu as its HTTPS proxy and Dayu's CA trusted, buys and
// lists an instance; no byte leaves 127.0.0.1.
func TestInterceptSDK(t *testing.T) {
	s := newServer(t, intercepting, wallSigning)
	proxy, _ := url.Parse(s.URL)
	transport := &http.Transport{Proxy: http.ProxyURL(proxy), TLSClientConfig: &tls.Config{RootCAs: s.caPool()}}
	hc := sdkClient(t, dgc.DataArtsStudioClientBuilder().WithCredential(sdkBasic(t, q.AccessKey, q.SecretKey)).
		WithEndpoints([]string{"https://dataarts." + q.RegionID + ".myhuaweicloud.com"}).
		WithHttpConfig(config.DefaultHttpConfig().WithHttpTransport(transport).WithTimeout(10*time.Second)))
	c := dgc.NewDataArtsStudioClient(hc)
	bought, err := c.PayForDgcOneKey(&dgcmodel.PayForDgcOneKeyRequest{Body: sdkOrder(testEPS(7))})
	if err != nil {
		t.Fatalf("PayForDgcOneKey through the proxy: %v", err)
	}
	list, err := c.ListDataArtsStudioInstances(&dgcmodel.ListDataArtsStudioInstancesRequest{})
	if err != nil || list.Count == nil || *list.Count != 1 || *(*list.CommodityOrders)[0].ResourceId != *bought.ResourceId {
		t.Fatalf("list through the proxy: %+v, %v", list, err)
	}
}

// connect opens a tunnel to host through the server and returns the
// proxy's answer; the connection is open on a 200.
func (s *server) connect(host string) (net.Conn, *http.Response) {
	s.t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		s.t.Fatal(err)
	}
	fmt.Fprintf(conn, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", host, host)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		s.t.Fatal(err)
	}
	return conn, resp
}

// TestInterceptHosts: the certificate of a tunnel chains to the served CA
// and names the host asked for, on the default cloud and on --cloud's; a
// CONNECT elsewhere is refused.
func TestInterceptHosts(t *testing.T) {
	s := newServer(t, intercepting)
	pool := s.caPool()
	for _, host := range []string{"bss.myhuaweicloud.com", "dataarts.cn-north-4.cloud.example"} {
		conn, resp := s.connect(host + ":443")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("CONNECT %s: %d", host, resp.StatusCode)
		}
		tc := tls.Client(conn, &tls.Config{ServerName: host, RootCAs: pool})
		if err := tc.Handshake(); err != nil {
			t.Fatalf("TLS to %s through the proxy: %v", host, err)
		}
		leaf := tc.ConnectionState().PeerCertificates[0]
		if err := leaf.VerifyHostname(host); err != nil {
			t.Errorf("the certificate of %s: %v", host, err)
		}
		tc.Close()
	}
	for _, host := range []string{"example.com:443", "myhuaweicloud.com.evil.example:443", "bss.myhuaweicloud.com:80"} {
		conn, resp := s.connect(host)
		body, _ := io.ReadAll(resp.Body)
		conn.Close()
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "nothing is passed through") {
			t.Errorf("CONNECT %s: %d %s, want 403 and why", host, resp.StatusCode, body)
		}
	}
}

// TestInterceptCAKept: a restart on the same store keeps the CA, so a
// client's trust outlives it.
func TestInterceptCAKept(t *testing.T) {
	dir := newLocation(t)
	s := startServer(t, dir, &dayu.OffsetClock{}, intercepting)
	first := s.caPool()
	s.stop()
	again := startServer(t, dir, &dayu.OffsetClock{}, intercepting)
	if !first.Equal(again.caPool()) {
		t.Error("the CA changed across a restart")
	}
}
