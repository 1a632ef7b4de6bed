package http

import (
	"strconv"
	"unicode/utf8"
)

// The instance list is the answer most polled (the Terraform provider,
// every dashboard), and encoding/json's reflection over its items was 40%
// of a list's CPU. Its page is encoded here instead, to the very bytes
// encoding/json writes for instanceList (TestListEncodingIsEncodingJSONs
// holds it to them, field for field).

// encodedJSON is an answer's body already encoded, sent as it is.
type encodedJSON []byte

// appendJSON appends the list as encoding/json encodes it.
func (l *instanceList) appendJSON(b []byte) []byte {
	b = append(b, `{"billing_check":`...)
	b = strconv.AppendBool(b, l.BillingCheck)
	b = append(b, `,"count":`...)
	b = strconv.AppendInt(b, int64(l.Count), 10)
	b = append(b, `,"commodity_orders":`...)
	if l.CommodityOrders == nil {
		return append(b, `null}`...)
	}
	b = append(b, '[')
	for n := range l.CommodityOrders {
		if n > 0 {
			b = append(b, ',')
		}
		b = l.CommodityOrders[n].appendJSON(b)
	}
	return append(b, "]}"...)
}

// appendJSON appends the item as encoding/json encodes it.
func (it *instanceItem) appendJSON(b []byte) []byte {
	for _, f := range [...]struct{ key, value string }{
		{`{"resource_id":`, it.ResourceID},
		{`,"resource_name":`, it.ResourceName},
		{`,"resource_type":`, it.ResourceType},
		{`,"resource_spec_code":`, it.ResourceSpecCode},
		{`,"product_id":`, it.ProductID},
		{`,"vpc_id":`, it.VpcID},
		{`,"net_id":`, it.NetID},
		{`,"security_group_id":`, it.SecurityGroupID},
		{`,"availability_zone":`, it.AvailabilityZone},
		{`,"region_id":`, it.RegionID},
		{`,"project_id":`, it.ProjectID},
		{`,"domain_id":`, it.DomainID},
		{`,"eps_id":`, it.EpsID},
		{`,"order_id":`, it.OrderID},
		{`,"order_type":`, it.OrderType},
		{`,"charge_type":`, it.ChargeType},
		{`,"work_space_mode":`, it.WorkSpaceMode},
		{`,"create_user":`, it.CreateUser},
		{`,"subscription_id":`, it.SubscriptionID},
		{`,"lock_check_endpoint":`, it.LockCheckEndpoint},
	} {
		b = appendJSONString(append(b, f.key...), f.value)
	}
	for _, f := range [...]struct {
		key   string
		value int64
	}{
		{`,"status":`, int64(it.Status)},
		{`,"is_auto_renew":`, int64(it.IsAutoRenew)},
		{`,"is_trial_order":`, int64(it.IsTrialOrder)},
		{`,"effective_time":`, it.EffectiveTime},
		{`,"expire_time":`, it.ExpireTime},
		{`,"create_time":`, it.CreateTime},
	} {
		b = strconv.AppendInt(append(b, f.key...), f.value, 10)
	}
	b = appendJSONString(append(b, `,"expire_days":`...), it.ExpireDays)
	return append(b, '}')
}

// jsonSafe marks the ASCII bytes that encoding/json writes as they are.
var jsonSafe = func() (safe [utf8.RuneSelf]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		safe[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return safe
}()

// appendJSONString appends s as a JSON string the way encoding/json.Marshal
// writes it: <, > and & escaped for HTML, the control characters other
// than \b, \f, \n, \r and \t as \u00XX, U+2028 and U+2029 escaped, and
// each byte of invalid UTF-8 as \ufffd.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(append(b, s[start:]...), '"')
}
