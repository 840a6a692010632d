import { canonicalDn, dnKey, escapeDnValue, isAtOrBelow, parentDn, parseDn } from "../../operations/dn";

describe("distinguished names (RFC 4514)", () => {
  it.each([
    ["a, b", "a\\, b"],
    ["x+y", "x\\+y"],
    ['say "hi"', 'say \\"hi\\"'],
    ["back\\slash", "back\\\\slash"],
    ["<tag>", "\\<tag\\>"],
    ["a;b", "a\\;b"],
    ["a=b", "a\\=b"],
    ["#hash", "\\#hash"],
    [" lead", "\\ lead"],
    ["trail ", "trail\\ "],
    ["mid#dle", "mid#dle"],
  ])("escapes %j as %j", (value, escaped) => {
    expect(escapeDnValue(value)).toBe(escaped);
  });

  it("parses escaped values back, including hex escapes and spaces around separators", () => {
    expect(parseDn("CN=Finance\\, Legal,OU=Groups , DC=contoso,DC=com")).toEqual([
      { type: "CN", value: "Finance, Legal" },
      { type: "OU", value: "Groups" },
      { type: "DC", value: "contoso" },
      { type: "DC", value: "com" },
    ]);
    expect(parseDn("CN=a\\2Cb,DC=x")[0]).toEqual({ type: "CN", value: "a,b" });
    expect(parseDn("CN=caf\\C3\\A9,DC=x")[0]?.value).toBe("café");
  });

  it("round-trips any value through escape and parse", () => {
    for (const value of ["#a, b+c", ' "q" ', "x\\y;z<>=", "trailing space "]) {
      expect(parseDn(`CN=${escapeDnValue(value)},DC=x`)[0]?.value).toBe(value);
    }
  });

  it("compares DNs case-insensitively and ignores cosmetic spaces", () => {
    expect(dnKey("OU=Groups, DC=Contoso, DC=com")).toBe(dnKey("ou=groups,dc=contoso,dc=com"));
    expect(canonicalDn("ou=Groups , dc=contoso,dc=com")).toBe("OU=Groups,DC=contoso,DC=com");
  });

  it("finds parents and does not mistake an escaped comma for a separator", () => {
    expect(parentDn("CN=a\\,b,OU=x,DC=y")).toBe("OU=x,DC=y");
    expect(isAtOrBelow(dnKey("CN=a\\,OU=x,DC=y"), dnKey("OU=x,DC=y"))).toBe(false);
    expect(isAtOrBelow(dnKey("CN=a,OU=x,DC=y"), dnKey("OU=x,DC=y"))).toBe(true);
    expect(isAtOrBelow(dnKey("OU=x,DC=y"), dnKey("OU=x,DC=y"))).toBe(true);
    expect(isAtOrBelow(dnKey("OU=xx,DC=y"), dnKey("OU=x,DC=y"))).toBe(false);
  });

  it.each(["", "no equals sign", "CN=a,", "CN=a\\", "1CN=a"])("rejects %j with a message", (dn) => {
    expect(() => parseDn(dn)).toThrow(/distinguished name|comma|backslash|attribute type|empty/);
  });
});
