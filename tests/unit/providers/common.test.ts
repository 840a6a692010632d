import { z } from "zod";
import { checkInputs, UNKNOWN } from "../../../providers/common/checkInputs";
import { diffByKeys } from "../../../providers/common/diff";
import { closeClients, configureProviders, graphClient } from "../../../providers/common/connection";
import {
  domainRootOf,
  escapeDnValue,
  isWithin,
  parseDn,
  sameDn,
  splitOuDn,
} from "../../../providers/common/dn";
import { compareVersions } from "../../../providers/common/version";

describe("checkInputs", () => {
  const schema = z.strictObject({ dn: z.string().startsWith("OU="), count: z.number().default(3) });

  test("applies defaults and keeps the serialized provider", () => {
    expect(checkInputs(schema, { dn: "OU=x", __provider: "p" })).toEqual({
      inputs: { dn: "OU=x", count: 3, __provider: "p" },
    });
  });

  test("names the property and the reason", () => {
    expect(checkInputs(schema, { dn: "CN=x" }).failures).toEqual([
      { property: "dn", reason: expect.stringContaining("OU=") },
    ]);
  });

  test("tolerates values unknown during preview", () => {
    const result = checkInputs(schema, { dn: UNKNOWN, __provider: "p" });
    expect(result.failures).toBeUndefined();
    expect(result.inputs).toEqual({ dn: UNKNOWN, __provider: "p" });
  });

  test("rejects keys nobody declared", () => {
    expect(checkInputs(schema, { dn: "OU=x", colour: "red" }).failures?.[0]?.reason).toMatch(/colour/);
  });
});

describe("diffByKeys", () => {
  test("compares each input key with the output of the same name", () => {
    expect(diffByKeys({ a: 1, b: 2, live: 9 }, { a: 1, b: 2 }, { replaceKeys: ["a"] })).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(diffByKeys({ a: 1, b: 2 }, { a: 5, b: 3 }, { replaceKeys: ["a"] })).toMatchObject({
      changes: true,
      replaces: ["a"],
    });
  });

  test("an unknown value is a change; extra drift is a change", () => {
    expect(diffByKeys({ a: 1 }, { a: UNKNOWN }, { replaceKeys: [] }).changes).toBe(true);
    expect(diffByKeys({ a: 1 }, { a: 1 }, { replaceKeys: [], extraChanges: true }).changes).toBe(true);
  });
});

describe("distinguished names", () => {
  test("parse and escape per RFC 4514", () => {
    expect(parseDn("CN=Smith\\, James,OU=R\\26D,DC=contoso,DC=com")).toEqual([
      { type: "CN", value: "Smith, James" },
      { type: "OU", value: "R&D" },
      { type: "DC", value: "contoso" },
      { type: "DC", value: "com" },
    ]);
    expect(escapeDnValue(' #a+b;c=d "e" ')).toBe('\\ #a\\+b\\;c\\=d \\"e\\"\\ ');
    expect(() => parseDn("OU=ok,garbage")).toThrow(/missing "="/);
  });

  test("compare as AD does", () => {
    expect(
      sameDn(
        "OU=Entra Writeback, OU=Groups,DC=Contoso,DC=com",
        "ou=entra writeback,ou=groups,dc=contoso,dc=com",
      ),
    ).toBe(true);
    // An escaped comma is part of a value, not an RDN boundary.
    expect(isWithin("CN=a\\,OU=b,DC=x", "OU=b,DC=x")).toBe(false);
    expect(isWithin("CN=a\\,OU=b,DC=x", "DC=x")).toBe(true);
    expect(isWithin("OU=a,OU=b,DC=x", "OU=b,DC=x")).toBe(true);
    expect(isWithin("OU=ab,DC=x", "OU=b,DC=x")).toBe(false);
    expect(domainRootOf("OU=a,OU=b,DC=contoso,DC=com")).toBe("DC=contoso,DC=com");
    expect(splitOuDn("OU=Entra Writeback,OU=Groups,DC=x")).toEqual({
      name: "Entra Writeback",
      parentDn: "OU=Groups,DC=x",
    });
    expect(() => splitOuDn("CN=Users,DC=x")).toThrow(/does not name an OU/);
  });
});

test("versions compare numerically, like .NET [version]", () => {
  expect(compareVersions("2.0.89.0", "2.0.100.0")).toBe(-1);
  expect(compareVersions("2.4.18.0", "2.0.89.0")).toBe(1);
  expect(compareVersions("2.0.89", "2.0.89.0")).toBe(0);
});

describe("provider settings (configure)", () => {
  const { configureProviders } =
    require("../../../providers/common/connection") as typeof import("../../../providers/common/connection");
  it.each(["abc", "-5", "0", "1.5"])(
    "refuses callTimeoutSeconds %j instead of silently using 300",
    (value) => {
      expect(() => configureProviders({ callTimeoutSeconds: value })).toThrow(
        /invalid provider settings: entra-writeback:callTimeoutSeconds/,
      );
    },
  );
  it("accepts a valid timeout and a password, and unset values", () => {
    expect(() => configureProviders({ callTimeoutSeconds: "45", password: "123456" })).not.toThrow();
    expect(() => configureProviders({ callTimeoutSeconds: undefined, password: undefined })).not.toThrow();
  });
});

test("a provider configured again with the same Graph settings keeps the Graph client; other settings replace it", async () => {
  const graphSettings = (clientId: string) => ({
    graph: JSON.stringify({ tenantId: "contoso.onmicrosoft.com", clientId }),
    graphClientSecret: "not-a-real-secret",
  });
  configureProviders(graphSettings("0b6a8f4e-2a6b-4c1d-9f4e-3c2b1a0d9e8f"));
  const first = graphClient("test");
  // Another shell of the same process, configured while the first one's request may be under way.
  configureProviders(graphSettings("0b6a8f4e-2a6b-4c1d-9f4e-3c2b1a0d9e8f"));
  expect(graphClient("test")).toBe(first);
  configureProviders(graphSettings("1c7b9f5f-3b7c-4d2e-8f3d-4d3c2b1e0f9a"));
  expect(graphClient("test")).not.toBe(first);
  await closeClients();
});
