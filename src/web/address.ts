import ipaddr from "ipaddr.js";

/**
 * Whether an IP address is a public unicast address. Loopback, private (10/8, 172.16/12, 192.168/16), link-local
 * (169.254/16, where cloud metadata lives; fe80::/10), unique-local (fc00::/7), CGNAT, multicast and reserved
 * ranges are not; IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry.
 */
export function isPublicAddress(ip: string): boolean {
  if (!ipaddr.isValid(ip)) return false;
  let addr = ipaddr.parse(ip);
  if (addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress())
    addr = (addr as ipaddr.IPv6).toIPv4Address();
  return addr.range() === "unicast";
}
