import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { commandLine, shellQuote } from "../../../simulator/commandLine";

/** What sh hands to a program for the printed command line. */
function argvThroughShell(printed: string): string[] {
  const run = spawnSync("sh", ["-c", `printf '%s\\0' ${printed}`], { encoding: "utf8" });
  expect(run.status).toBe(0);
  return run.stdout.split("\0").slice(0, -1);
}

describe("commands printed for a person to paste", () => {
  it.each([
    "OU=Entra Writeback,OU=Groups,DC=contoso,DC=com",
    "OU=$(touch /tmp/pwned),DC=contoso,DC=com",
    "OU=`id`,DC=contoso,DC=com",
    `OU=it's "quoted",DC=x`,
    "OU=back\\\\slash\\, comma,DC=x",
    "OU=bang!history,DC=x",
    "OU=$HOME ${PATH},DC=x",
    "",
    "plain",
  ])("%j reaches the program unchanged through sh", (value) => {
    expect(argvThroughShell(commandLine("--ou", value))).toEqual(["--ou", value]);
  });

  it("runs nothing a value holds: $(…) and backticks stay text", () => {
    const marker = `/tmp/entra-writeback-quote-${process.pid}`;
    const printed = commandLine(`$(touch ${marker})`, `\`touch ${marker}\``);
    // The filter can match: unquoted, the same text does run the command.
    expect(argvThroughShell(`"$(echo ran)"`)).toEqual(["ran"]);
    argvThroughShell(printed);
    expect(require("node:fs").existsSync(marker)).toBe(false);
  });

  it("leaves safe arguments bare and readable", () => {
    expect(commandLine("npx", "entra-sim", "wizard", ".lab/lab.json", "--enable")).toBe(
      "npx entra-sim wizard .lab/lab.json --enable",
    );
    expect(shellQuote("OU=Entra Writeback,DC=x")).toBe('"OU=Entra Writeback,DC=x"');
    expect(shellQuote("a'b$c")).toBe(`'a'\\''b$c'`);
  });

  it("any string survives sh (1,000 cases)", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary" }).filter((s) => !s.includes("\0")),
        (value) => {
          expect(argvThroughShell(shellQuote(value))).toEqual([value]);
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
