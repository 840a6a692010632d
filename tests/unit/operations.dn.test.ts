import { canonicalDn, dnKey, escapeDnValue, isAtOrBelow, parentDn, parseDn, trimDn } from "../../domain/dn";

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

describe("DN inputs Active Directory would not read as written are refused, with the fix in the message", () => {
  it.each([
    ["OU=a+b=c,DC=x", /multi-valued RDN .*not supported; write \\\+ for a literal "\+"/],
    ["OU=a;b,DC=x", /unescaped ";" .* write it as \\;/],
    ["OU=a<b,DC=x", /unescaped "<"/],
    ['OU=a"b,DC=x', /unescaped "\\""/],
    ["OU=#04,DC=x", /starts with an unescaped "#" .*write \\# for a literal "#"/],
    ["OU=\\FF,DC=x", /hex escapes in the value of OU are not UTF-8/],
    ["OU=a\nb,DC=x", /unescaped "\\n" .* write it as \\0A/],
    ["OU=a\uD800,DC=x", /not well-formed Unicode/],
    ["OU=a,b,DC=contoso,DC=com", /missing "="/],
    ["OU=a, =b", /invalid attribute type ""/],
  ])("%j", (dn, message) => {
    expect(() => parseDn(dn)).toThrow(message);
  });

  it("keeps an escaped trailing space when a DN is trimmed, drops unescaped ones", () => {
    expect(trimDn(" OU=x\\ ")).toBe("OU=x\\ ");
    expect(trimDn("OU=x\\\\ ")).toBe("OU=x\\\\");
    expect(trimDn("OU=x  \n")).toBe("OU=x");
    expect(parseDn(trimDn("OU=x\\ "))[0]?.value).toBe("x ");
  });

  it("escapes control characters as hex, and a value ending in a backslash and a space round-trips", () => {
    expect(escapeDnValue("a\tb\u007f")).toBe("a\\09b\\7F");
    expect(escapeDnValue("x\\ ")).toBe("x\\\\\\ ");
    expect(parseDn(`OU=${escapeDnValue("x\\ ")}`)[0]?.value).toBe("x\\ ");
    expect(parseDn(`OU=${escapeDnValue("😀")}`)[0]?.value).toBe("😀");
  });
});
