/**
 * Address ranges for site bans: parse what an admin typed (`203.0.113.7`, `203.0.113.0/24`,
 * `2001:db8::/32`) into a canonical CIDR, and match a client address against it. IPv4-mapped
 * IPv6 addresses (`::ffff:203.0.113.7`, how a dual-stack socket reports IPv4 peers) match the
 * IPv4 ranges they are.
 */
import ipaddr from "ipaddr.js";

export interface AddressRange {
  cidr: string;
  contains(address: string): boolean;
}

/** The range, or null when `text` is not an address or CIDR. */
export function parseRange(text: string): AddressRange | null {
  const trimmed = text.trim();
  let network: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    if (trimmed.includes("/")) {
      const slash = trimmed.indexOf("/");
      const bitsText = trimmed.slice(slash + 1);
      if (!/^[0-9]{1,3}$/.test(bitsText)) return null;
      const address = strictParse(trimmed.slice(0, slash));
      const bits = Number(bitsText);
      if (bits > (address.kind() === "ipv4" ? 32 : 128)) return null;
      network = [normalise(address), bits];
      // ::ffff:a.b.c.d/n written as IPv6 becomes the IPv4 range /n-96.
      if (network[0].kind() === "ipv4" && address.kind() === "ipv6") network = [network[0], Math.max(0, bits - 96)];
    } else {
      const address = normalise(strictParse(trimmed));
      network = [address, address.kind() === "ipv4" ? 32 : 128];
    }
  } catch {
    return null;
  }
  const [base, bits] = network;
  // Canonical form: the network address itself (203.0.113.7/24 → 203.0.113.0/24).
  const cidr =
    base.kind() === "ipv4"
      ? `${ipaddr.IPv4.networkAddressFromCIDR(`${base.toString()}/${bits}`).toString()}/${bits}`
      : `${ipaddr.IPv6.networkAddressFromCIDR(`${base.toString()}/${bits}`).toString()}/${bits}`;
  return {
    cidr,
    contains(address: string): boolean {
      let parsed: ipaddr.IPv4 | ipaddr.IPv6;
      try {
        parsed = normalise(strictParse(address));
      } catch {
        return false;
      }
      if (parsed.kind() !== base.kind()) return false;
      return parsed.kind() === "ipv4"
        ? (parsed as ipaddr.IPv4).match(base as ipaddr.IPv4, bits)
        : (parsed as ipaddr.IPv6).match(base as ipaddr.IPv6, bits);
    },
  };
}

/** Dotted quads only for IPv4: ipaddr.parse also takes inet_aton's `1.2.3` and `0x7f.1`. */
function strictParse(text: string): ipaddr.IPv4 | ipaddr.IPv6 {
  if (text.includes(":")) return ipaddr.IPv6.parse(text);
  if (!ipaddr.IPv4.isValidFourPartDecimal(text)) throw new Error("not a dotted-quad IPv4 address");
  return ipaddr.IPv4.parse(text);
}

function normalise(address: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? (address as ipaddr.IPv6).toIPv4Address()
    : address;
}
