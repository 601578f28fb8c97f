package browser

import (
	"net/http"
	"net/netip"
	"strconv"
	"strings"
)

// hosts refuses a request whose Host is neither a loopback name nor allowed: a page of a
// DNS-rebinding attack reaches the sandbox under the attacker's own name.
type hosts struct {
	Allowed hostList
	Refuse  Refuse
	Next    http.Handler
}

func (h hosts) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if Loopback(hostname(r.Host)) || h.Allowed.has(r.Host) {
		h.Next.ServeHTTP(w, r)
		return
	}
	name := hostname(r.Host)
	if name == "" {
		name = "<name>"
	}
	h.Refuse(w, r, "Host "+strconv.Quote(r.Host)+" is refused: in local mode the sandbox serves only loopback names "+
		"(localhost, 127.0.0.1, [::1], *.localhost) against DNS rebinding; start it with --allowed-host "+name+
		" to serve this name (or --hosted for a shared deployment)")
}

// Loopback says whether a host name (no port, IPv6 without brackets) always means this
// machine: localhost, *.localhost, or a loopback address.
func Loopback(host string) bool {
	host = strings.TrimSuffix(host, ".")
	if strings.EqualFold(host, "localhost") || len(host) > len(".localhost") && strings.EqualFold(host[len(host)-len(".localhost"):], ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// hostname is the name of a Host value: without its port, an IPv6 address without brackets.
func hostname(hostport string) string {
	if strings.HasPrefix(hostport, "[") {
		if end := strings.IndexByte(hostport, ']'); end > 0 {
			return hostport[1:end]
		}
		return hostport
	}
	if i := strings.LastIndexByte(hostport, ':'); i >= 0 && strings.IndexByte(hostport, ':') == i {
		return hostport[:i]
	}
	return hostport
}

// hostList is --allowed-host: names (any port) and name:port pairs, lower case.
type hostList struct {
	any   bool
	names map[string]bool
}

func newHostList(hosts []string) hostList {
	l := hostList{names: map[string]bool{}}
	for _, h := range hosts {
		h = strings.ToLower(strings.TrimSpace(h))
		l.any = l.any || h == "*"
		l.names[h] = true
	}
	return l
}

// has says whether a Host value is allowed, by its name or by name and port.
func (l hostList) has(hostport string) bool {
	if l.any {
		return true
	}
	if len(l.names) == 0 {
		return false
	}
	hostport = strings.ToLower(hostport)
	if l.names[hostport] {
		return true
	}
	name := strings.TrimSuffix(hostname(hostport), ".")
	return l.names[name] || l.names["["+name+"]"] // an IPv6 address, with or without brackets
}
