package http

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/dayu-emu/dayu"
)

// awkward are strings whose JSON needs escapes of every kind
// encoding/json writes, or none.
var awkward = []string{
	"", "plain-ascii_0123", `quote " and back \ slash`, "<script>&amp;</script>",
	"tab\tnew\nline\rcr\bbs\fff", "nul \x00 unit \x1f esc \x1b del \x7f",
	"été 漢字 🚀", "line sep \u2028 para sep \u2029", "bad \xff utf-8 \xc3", "cut rune \xe6\xbc",
	"\U0010ffff", "\ufffd literal", "/slash/",
}

// TestListEncodingIsEncodingJSONs: the list's own encoder writes exactly
// encoding/json's bytes for instances of every kind, seen at every moment
// of their lives (the derived status, expire_days, spec and auto-renew
// change with the clock), whatever their strings hold.
func TestListEncodingIsEncodingJSONs(t *testing.T) {
	created := time.Date(2026, 1, 31, 23, 59, 59, 999e6, time.UTC)
	var instances []*dayu.Instance
	for n, s := range awkward {
		i := &dayu.Instance{
			ID: fmt.Sprintf("id-%d-%s", n, s), ProjectID: "p" + s, DomainID: "d" + s, OrderID: "o" + s,
			Name: s, RegionID: "r" + s, AvailabilityZone: "az" + s, VpcID: "vpc" + s, NetID: "net" + s,
			SecurityGroupID: "sg" + s, EpsID: "eps" + s, SpecCode: "spec" + s, ProductID: "prod" + s,
			PeriodType: dayu.PeriodMonth, PeriodNum: 1 + n%3, CreateUser: "user" + s,
			CreatedAt: created, EffectiveAt: created.Add(3 * time.Second), ExpiresAt: created.AddDate(0, 1, 0),
			Grace: 15 * 24 * time.Hour, Retention: 15 * 24 * time.Hour,
		}
		switch n % 4 {
		case 1: // renews no more: grace, frozen, then gone
			i.AutoRenewUntil = created
			i.GoneAt = i.ExpiresAt.Add(i.Grace + i.Retention)
		case 2: // unsubscribed
			i.UnsubscribedAt = created.Add(time.Hour)
			i.GoneAt = i.UnsubscribedAt.Add(3 * time.Second)
		case 3: // a spec change
			i.NextSpecCode, i.NextProductID, i.NextSpecAt = "next"+s, "nextprod"+s, created.Add(48*time.Hour)
		}
		instances = append(instances, i)
	}
	moments := []time.Time{created, created.Add(2 * time.Second), created.Add(time.Hour + time.Second), created.Add(49 * time.Hour),
		created.AddDate(0, 1, 0).Add(-time.Millisecond), created.AddDate(0, 1, 1), created.AddDate(0, 1, 20), created.AddDate(0, 3, 0), created.AddDate(5, 0, 0)}
	for _, now := range moments {
		l := instanceList{Count: 7 * len(instances), CommodityOrders: []instanceItem{}}
		for _, i := range instances {
			l.CommodityOrders = append(l.CommodityOrders, toInstanceItem(i, now))
		}
		sameAsEncodingJSON(t, fmt.Sprintf("list at %s", now), l)
	}
	sameAsEncodingJSON(t, "empty list", instanceList{CommodityOrders: []instanceItem{}})
	sameAsEncodingJSON(t, "nil list", instanceList{BillingCheck: true})
}

// TestListEncodingCoversEveryField: an item with every field set (by
// reflection, so a field added to instanceItem is covered) encodes as
// encoding/json encodes it.
func TestListEncodingCoversEveryField(t *testing.T) {
	for n, s := range awkward {
		var it instanceItem
		v := reflect.ValueOf(&it).Elem()
		for f := range v.NumField() {
			switch field := v.Field(f); field.Kind() {
			case reflect.String:
				field.SetString(fmt.Sprintf("%s%d%s", v.Type().Field(f).Name, f, s))
			case reflect.Int, reflect.Int64:
				field.SetInt(int64(f*1000003+n) * int64([]int{1, -1}[f%2]))
			default:
				t.Fatalf("instanceItem.%s is a %s, which appendJSON does not encode", v.Type().Field(f).Name, field.Kind())
			}
		}
		sameAsEncodingJSON(t, fmt.Sprintf("every field with %q", s), instanceList{Count: n, CommodityOrders: []instanceItem{it}})
	}
}

func sameAsEncodingJSON(t *testing.T, what string, l instanceList) {
	t.Helper()
	want, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	if got := l.appendJSON(nil); !bytes.Equal(got, want) {
		t.Errorf("%s:\n got %s\nwant %s", what, got, want)
	}
}

// FuzzJSONString: any string is escaped as encoding/json escapes it.
func FuzzJSONString(f *testing.F) {
	for _, s := range awkward {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s) // a string always encodes
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	})
}

// BenchmarkListEncoding encodes a page of 100 items with encoding/json
// and with the list's own encoder, in the same run.
func BenchmarkListEncoding(b *testing.B) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	l := instanceList{Count: 1000}
	for n := range 100 {
		i := &dayu.Instance{
			ID: fmt.Sprintf("8f3c1a2b-4d5e-4f60-8a1b-%012d", n), ProjectID: "bec00000000000000000000000000002",
			DomainID: "bec0000000000000000000000000d0a1", OrderID: fmt.Sprintf("CS2612011000%08d", n), Name: fmt.Sprintf("bench-%d", n),
			RegionID: "cn-north-4", AvailabilityZone: "cn-north-4a", VpcID: "11111111-2222-3333-4444-555555555555",
			NetID: "66666666-7777-8888-9999-000000000000", SecurityGroupID: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
			EpsID: fmt.Sprintf("e220a839-7b1d-4daf-a220-%012d", n), SpecCode: "dayu.starter", ProductID: "OFFI740586375358963717",
			PeriodType: dayu.PeriodMonth, PeriodNum: 1, CreateUser: "bench",
			CreatedAt: now.Add(-time.Hour), EffectiveAt: now.Add(-time.Hour), ExpiresAt: now.AddDate(0, 1, 0),
		}
		l.CommodityOrders = append(l.CommodityOrders, toInstanceItem(i, now))
	}
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(l); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("appendJSON", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			l.appendJSON(make([]byte, 0, 64+1024*len(l.CommodityOrders)))
		}
	})
}
