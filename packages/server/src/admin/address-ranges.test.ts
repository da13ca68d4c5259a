import { describe, expect, it } from "vitest";
import { parseRange } from "./address-ranges.js";

describe("parseRange", () => {
  it("takes single addresses and ranges, in canonical form", () => {
    expect(parseRange("203.0.113.7")?.cidr).toBe("203.0.113.7/32");
    expect(parseRange(" 203.0.113.7/24 ")?.cidr).toBe("203.0.113.0/24");
    expect(parseRange("2001:db8::1")?.cidr).toBe("2001:db8::1/128");
    expect(parseRange("2001:db8:abcd::/32")?.cidr).toBe("2001:db8::/32");
    expect(parseRange("::ffff:198.51.100.9")?.cidr).toBe("198.51.100.9/32");
  });

  it("refuses what is not an address", () => {
    for (const bad of ["", "example.com", "1.2.3", "1.2.3.4/33", "300.1.1.1", "::g", "1.2.3.4/-1", "1.2.3.4/ 8"])
      expect(parseRange(bad), bad).toBeNull();
  });

  it("matches addresses inside the range only, IPv4-mapped IPv6 as IPv4", () => {
    const range = parseRange("203.0.113.0/24");
    expect(range?.contains("203.0.113.200")).toBe(true);
    expect(range?.contains("::ffff:203.0.113.5")).toBe(true);
    expect(range?.contains("203.0.114.1")).toBe(false);
    expect(range?.contains("2001:db8::1")).toBe(false);
    expect(range?.contains("not an address")).toBe(false);
    const v6 = parseRange("2001:db8::/32");
    expect(v6?.contains("2001:db8:ffff::1")).toBe(true);
    expect(v6?.contains("2001:db9::1")).toBe(false);
    expect(parseRange("0.0.0.0/0")?.contains("8.8.8.8")).toBe(true);
  });
});
