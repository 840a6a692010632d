// Property tests: DNs are carried exactly, over arbitrary Unicode (surrogate pairs included), the DN specials,
// leading and trailing spaces, `#`, backslashes and control characters. 1,000 generated cases per property.
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { newSim, type Sim } from "./simulator/testSupport";
import { distinguishedName } from "../../contract/contract";
import { escapeDnValue, formatDn, parseDn, type RelativeDistinguishedName } from "../../domain/dn";
import { sameDn, splitOuDn } from "../../providers/common/dn";
import { writebackOuInputs } from "../../providers/writebackOu/schema";
import { createTestBackend, type TestBackend } from "../support/powerShellTestBackend";

// 1,000 cases per property: well under a second each alone, longer on a loaded CI machine.
jest.setTimeout(60_000);

const RUNS = { numRuns: 1_000 };

/** One character: mostly the troublesome ones, otherwise any code point (a pair of surrogates outside the BMP). */
const character = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(",", "+", '"', "\\", "<", ">", ";", "=", "#", " ", "\u0000") },
  { weight: 2, arbitrary: fc.constantFrom("\n", "\r", "\t", "\u007f", "\u001b", "é", "😀", "𝄞", "\u00a0") },
  { weight: 5, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
);
const value = (maxLength: number) => fc.string({ unit: character, minLength: 1, maxLength });
const attributeType = fc.constantFrom("OU", "ou", "CN", "cn", "Dc", "DC", "O", "L", "st", "msDS-x1");

/** Hex escape of one character's UTF-8 bytes, in upper or lower case. */
function hexEscape(char: string, lower: boolean): string {
  const hex = Array.from(Buffer.from(char, "utf8"), (byte) => `\\${byte.toString(16).padStart(2, "0")}`).join(
    "",
  );
  return lower ? hex : hex.toUpperCase();
}

/** A value written in one of the ways RFC 4514 allows: minimal escapes, or per character backslash/hex escapes. */
const writtenValue = value(40).chain((text) =>
  fc.oneof(
    fc.constant({ text, written: escapeDnValue(text) }),
    fc
      .array(fc.constantFrom("minimal", "hex", "hexLower"), {
        minLength: Array.from(text).length,
        maxLength: Array.from(text).length,
      })
      .map((styles) => ({
        text,
        written: Array.from(text)
          .map((char, i) =>
            styles[i] === "minimal" ? escapeDnValue(char) : hexEscape(char, styles[i] === "hexLower"),
          )
          .join(""),
      })),
  ),
);
const spaces = fc.constantFrom("", " ", "  ");
const writtenRdn = fc
  .tuple(attributeType, writtenValue, spaces, spaces, spaces, spaces)
  .map(([type, { text, written }, s1, s2, s3, s4]) => ({
    rdn: { type, value: text } as RelativeDistinguishedName,
    written: `${s1}${type}${s2}=${s3}${written}${s4}`,
  }));
const writtenDn = fc.array(writtenRdn, { minLength: 1, maxLength: 5 }).map((rdns) => ({
  rdns: rdns.map((r) => r.rdn),
  dn: rdns.map((r) => r.written).join(","),
}));

describe("DN properties (fast-check, 1,000 cases each)", () => {
  it("parse(escape(v)) = v", () => {
    fc.assert(
      fc.property(value(80), (text) => {
        expect(parseDn(`OU=${escapeDnValue(text)},DC=x`)[0]?.value).toBe(text);
      }),
      RUNS,
    );
  });

  it("any allowed spelling parses to the declared RDNs, and parse(format(parse(dn))) = parse(dn)", () => {
    fc.assert(
      fc.property(writtenDn, ({ rdns, dn }) => {
        const parsed = parseDn(dn);
        expect(parsed).toEqual(rdns);
        expect(parseDn(formatDn(parsed))).toEqual(parsed);
      }),
      RUNS,
    );
  });

  it("a DN spelt with other letter case or spacing is the same DN, and another value is not", () => {
    fc.assert(
      fc.property(writtenDn, value(20), ({ rdns, dn }, extra) => {
        const respelt = rdns.map(
          (r) => `  ${r.type.toLowerCase()} = ${escapeDnValue(r.value.toLowerCase())} `,
        );
        expect(sameDn(dn, respelt.join(","))).toBe(true);
        const [first, ...rest] = rdns as [RelativeDistinguishedName, ...RelativeDistinguishedName[]];
        expect(sameDn(dn, formatDn([{ type: first.type, value: `${first.value}${extra}` }, ...rest]))).toBe(
          false,
        );
      }),
      RUNS,
    );
  });

  it("the stack's OU check accepts every escaped OU name of 1-64 characters and reads back the name", () => {
    fc.assert(
      fc.property(
        value(64).filter((name) => name.length <= 64),
        (name) => {
          const dn = `OU=${escapeDnValue(name)},OU=Groups,DC=contoso,DC=com`;
          expect(distinguishedName.safeParse(dn).success).toBe(true);
          const parsed = writebackOuInputs.shape.writebackOu.safeParse(dn);
          expect(parsed.success).toBe(true);
          expect(splitOuDn(dn).name).toBe(name);
        },
      ),
      RUNS,
    );
  });
});

describe("DNs reach the server exactly (1,000 cases each)", () => {
  let sim: Sim;
  let powershell: TestBackend;
  beforeAll(async () => {
    sim = await newSim();
    powershell = createTestBackend({
      mode: "simulator",
      simulatorStateFile: sim.file,
      callTimeoutMs: 10_000,
    });
  });
  afterAll(async () => {
    await powershell.dispose();
    await sim.cleanup();
  });

  it("the simulator stores exactly the declared OU name and DN", async () => {
    await fc.assert(
      fc.asyncProperty(
        value(64).filter((name) => name.length <= 64),
        async (name) => {
          const declared = `OU=${escapeDnValue(name)},${sim.ouParent}`;
          const created = await sim.client.call("newOrganizationalUnit", { name, parentDn: sim.ouParent });
          try {
            expect(created).toMatchObject({ exists: true, name });
            expect(created.exists && parseDn(created.dn)).toEqual(parseDn(declared));
            const read = await sim.client.call("getOrganizationalUnit", { dn: declared });
            expect(read).toMatchObject({ exists: true, name });
          } finally {
            await sim.client.call("removeOrganizationalUnit", { dn: declared, recursive: false });
          }
        },
      ),
      RUNS,
    );
  }, 300_000);

  it("the PowerShell backend's decoded arguments equal the declared values, never in clear text", async () => {
    await powershell.backend.run("getServerInfo", {}); // opens the session
    // Prove the filter can find a value outside base64: the delimiter lines hold text in clear.
    expect(powershell.fake.log().some((r) => r.event === "line" && r.line.includes("[Console]::"))).toBe(
      true,
    );
    // What PowerShell receives outside base64, with node-powershell's random delimiters masked: the same text
    // for every value, so no value can be in it (a substring check would trip on words of the bootstrap itself).
    // The fake's log, emptied before each case: reading the whole log back for each of 1,000 cases made the
    // property quadratic (tens of seconds); what one case reads is the same records as a slice after it.
    const logFile = path.join(powershell.fake.directory, "log.jsonl");
    expect(fs.statSync(logFile).size).toBeGreaterThan(0);
    const clearText = async (dn: string): Promise<string[]> => {
      fs.truncateSync(logFile);
      const result = await powershell.backend.run("getOrganizationalUnit", { dn });
      expect(result).toEqual({ exists: false, dn });
      const records = powershell.fake.log();
      const calls = records.filter((r) => r.event === "call");
      expect(calls.map((r) => r.event === "call" && r.arguments)).toEqual([{ dn }]);
      return records.flatMap((record) =>
        record.event === "line"
          ? [
              record.line
                .replace(/'[A-Za-z0-9+/]*={0,2}'/g, "''")
                .replace(/^(\[Console\]::(?:Out|Error)\.WriteLine\(")[^"]*("\))$/, "$1<D>$2"),
            ]
          : [],
      );
    };
    const template = await clearText(`OU=reference,${sim.ouParent}`);
    expect(template.join("\n")).not.toContain("reference");
    await fc.assert(
      fc.asyncProperty(value(64), async (name) => {
        const dn = `OU=${escapeDnValue(name)},${sim.ouParent}`;
        const lines = await clearText(dn);
        expect(lines).toEqual(template);
        expect(lines.join("\n")).not.toContain(dn);
      }),
      RUNS,
    );
  }, 300_000);
});
