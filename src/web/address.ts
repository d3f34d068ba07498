import ipaddr from "ipaddr.js";

/** The IPv4 address an IPv6 address carries inside it, by the standard that embeds it; null when it carries none. */
function embeddedIPv4(addr: ipaddr.IPv6): ipaddr.IPv4 | null {
  const p = addr.parts;
  const v4 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  const zero = (from: number, to: number) => p.slice(from, to).every((x) => x === 0);
  if (addr.isIPv4MappedAddress()) return addr.toIPv4Address();
  // IPv4-compatible (::a.b.c.d, deprecated but still routed by some stacks): ::7f00:1 is 127.0.0.1.
  if (zero(0, 6) && (p[6] !== 0 || (p[7] ?? 0) > 1)) return v4(p[6] ?? 0, p[7] ?? 0);
  // NAT64, well-known (64:ff9b::/96) and local-use (64:ff9b:1::/48) prefixes: the last 32 bits.
  if (p[0] === 0x64 && p[1] === 0xff9b && (zero(2, 6) || p[2] === 1)) return v4(p[6] ?? 0, p[7] ?? 0);
  // 6to4 (2002::/16): bits 16–48.
  if (p[0] === 0x2002) return v4(p[1] ?? 0, p[2] ?? 0);
  // Teredo (2001:0::/32): the client's address, inverted, in the last 32 bits.
  if (p[0] === 0x2001 && p[1] === 0) return v4((p[6] ?? 0) ^ 0xffff, (p[7] ?? 0) ^ 0xffff);
  return null;
}

/**
 * Whether an IP address is a public unicast address. Loopback, private (10/8, 172.16/12, 192.168/16), link-local
 * (169.254/16, where cloud metadata lives; fe80::/10), unique-local (fc00::/7), CGNAT, multicast and reserved
 * ranges are not; an IPv6 address that embeds an IPv4 one (mapped, IPv4-compatible, NAT64, 6to4, Teredo) is judged
 * by the IPv4 address too, so `[::127.0.0.1]` or `[64:ff9b::10.0.0.1]` cannot reach a private host.
 */
export function isPublicAddress(ip: string): boolean {
  if (!ipaddr.isValid(ip)) return false;
  const addr = ipaddr.parse(ip);
  if (addr.kind() === "ipv4") return addr.range() === "unicast";
  const v6 = addr as ipaddr.IPv6;
  const inner = embeddedIPv4(v6);
  if (inner && inner.range() !== "unicast") return false;
  // A mapped address is the IPv4 host itself; the other embeddings are gateways ipaddr.js classifies on their own.
  return v6.isIPv4MappedAddress() ? inner?.range() === "unicast" : v6.range() === "unicast";
}
