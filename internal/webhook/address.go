package webhook

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// internalRanges are the addresses a hosted sandbox never delivers to, with what they are.
// Checked after unmapping IPv4-mapped IPv6 addresses.
var internalRanges = []struct {
	prefix netip.Prefix
	what   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "an unspecified (this-network) address"},
	{netip.MustParsePrefix("10.0.0.0/8"), "a private address"},
	{netip.MustParsePrefix("100.64.0.0/10"), "a shared (carrier-grade NAT) address"},
	{netip.MustParsePrefix("127.0.0.0/8"), "a loopback address"},
	{netip.MustParsePrefix("169.254.0.0/16"), "a link-local address"},
	{netip.MustParsePrefix("172.16.0.0/12"), "a private address"},
	{netip.MustParsePrefix("192.0.0.0/24"), "a protocol-assignment address"},
	{netip.MustParsePrefix("192.168.0.0/16"), "a private address"},
	{netip.MustParsePrefix("198.18.0.0/15"), "a benchmarking address"},
	{netip.MustParsePrefix("224.0.0.0/4"), "a multicast address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved address"},
	{netip.MustParsePrefix("::/128"), "an unspecified address"},
	{netip.MustParsePrefix("::1/128"), "a loopback address"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "a local-use translation address"},
	{netip.MustParsePrefix("fc00::/7"), "a private (unique local) address"},
	{netip.MustParsePrefix("fe80::/10"), "a link-local address"},
	{netip.MustParsePrefix("fec0::/10"), "a site-local address"},
	{netip.MustParsePrefix("ff00::/8"), "a multicast address"},
}

// Internal says what internal address ip is ("a private address", ...), or "" if it is a
// public one. IPv4 addresses embedded in IPv6 (mapped, NAT64, 6to4) are judged as IPv4.
func Internal(ip netip.Addr) string {
	ip = embedded(ip.Unmap())
	for _, r := range internalRanges {
		if r.prefix.Contains(ip) {
			return r.what
		}
	}
	return ""
}

var (
	nat64 = netip.MustParsePrefix("64:ff9b::/96")
	six4  = netip.MustParsePrefix("2002::/16")
)

// embedded returns the IPv4 address a NAT64 or 6to4 address carries, else ip.
func embedded(ip netip.Addr) netip.Addr {
	b := ip.As16()
	switch {
	case !ip.Is6():
	case nat64.Contains(ip):
		return netip.AddrFrom4([4]byte(b[12:16]))
	case six4.Contains(ip):
		return netip.AddrFrom4([4]byte(b[2:6]))
	}
	return ip
}

// resolveTimeout bounds the look-up of a webhook's host at configuration.
const resolveTimeout = 2 * time.Second

// refuseHost says why a webhook may not be aimed at host, or "" if it may: host is an
// internal address or resolves to one. A host that does not resolve is not refused here.
func refuseHost(ctx context.Context, host string) string {
	if ip, err := netip.ParseAddr(host); err == nil {
		return refusal(host, ip)
	}
	ctx, cancel := context.WithTimeout(ctx, resolveTimeout)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return ""
	}
	for _, ip := range addrs {
		if why := refusal(host, ip); why != "" {
			return why
		}
	}
	return ""
}

func refusal(host string, ip netip.Addr) string {
	what := Internal(ip)
	if what == "" {
		return ""
	}
	if host == ip.String() {
		return fmt.Sprintf("%s is %s; a hosted sandbox delivers webhooks to public addresses only (the operator may allow others with --webhook-allow-private)", host, what)
	}
	return fmt.Sprintf("%s resolves to %s, %s; a hosted sandbox delivers webhooks to public addresses only (the operator may allow others with --webhook-allow-private)", host, ip, what)
}

// RefusedError is a delivery the dialer refused: the address it was about to connect to
// is internal.
type RefusedError struct {
	Addr netip.Addr
	What string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("refused: the webhook's host resolved to %s, %s (hosted sandboxes deliver to public addresses only; see --webhook-allow-private)", e.Addr, e.What)
}

// guard is a net.Dialer Control that refuses internal addresses: it sees the address
// about to be connected to, after any DNS look-up, so a name that resolved to a public
// address at configuration and to an internal one now (DNS rebinding) is refused too.
func guard(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &RefusedError{What: "an address that cannot be checked (" + address + ")"}
	}
	if what := Internal(ap.Addr()); what != "" {
		return &RefusedError{Addr: ap.Addr().Unmap(), What: what}
	}
	return nil
}
