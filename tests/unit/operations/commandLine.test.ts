import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { commandLine, shellQuote } from "../../../simulator/commandLine";

/** What sh hands to a program for the printed command line. */
function argvThroughShell(printed: string): string[] {
  const run = spawnSync("sh", ["-c", `printf '%s\\0' ${printed}`], { encoding: "utf8" });
  expect(run.status).toBe(0);
  return run.stdout.split("\0").slice(0, -1);
}

/**
 * One long-lived sh that runs each printed command line as argvThroughShell does (`sh -c "printf '%s\0' …"`),
 * for the 1,000 generated cases: each case starts a small sh from this small sh instead of from the test
 * process. The script reaches the inner sh verbatim through a quoted here-document.
 */
function shellSession(): { argv(printed: string): Promise<string[]>; close(): void } {
  const child = spawn("sh", [], { stdio: ["pipe", "pipe", "inherit"] });
  const nonce = randomBytes(16).toString("hex");
  const end = Buffer.from(`END${nonce}:`);
  let buffered = Buffer.alloc(0);
  let waiting: ((output: Buffer, status: number) => void) | undefined;
  child.stdout.on("data", (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    const at = buffered.indexOf(end);
    const newline = at < 0 ? -1 : buffered.indexOf("\n", at);
    if (newline < 0 || !waiting) return;
    const status = Number(buffered.subarray(at + end.length, newline).toString());
    const output = buffered.subarray(0, at);
    buffered = buffered.subarray(newline + 1);
    const resolve = waiting;
    waiting = undefined;
    resolve(output, status);
  });
  return {
    argv: (printed) =>
      new Promise((resolve, reject) => {
        waiting = (output, status) => {
          if (status === 0) resolve(output.toString("utf8").split("\0").slice(0, -1));
          else reject(new Error(`sh -c exited ${status} for: printf '%s\\0' ${printed}`));
        };
        child.stdin.write(
          `sh -c "$(cat <<'EOF${nonce}'\nprintf '%s\\0' ${printed}\nEOF${nonce}\n)"; printf 'END${nonce}:%s\\n' "$?"\n`,
        );
      }),
    close: () => child.stdin.end(),
  };
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

  it("any string survives sh (1,000 cases)", async () => {
    const shell = shellSession();
    try {
      // The session hands over what sh -c does: the cases above, and an unquoted $(…) that runs.
      for (const value of ["OU=$(touch /tmp/pwned),DC=x", `it's "quoted"`, "", "a\nb"])
        expect(await shell.argv(commandLine("--ou", value))).toEqual(
          argvThroughShell(commandLine("--ou", value)),
        );
      expect(await shell.argv(`"$(echo ran)" ''`)).toEqual(["ran", ""]);
      await fc.assert(
        fc.asyncProperty(
          // Any code point, half of them the characters a shell gives a meaning.
          fc
            .string({
              unit: fc.oneof(
                fc.constantFrom(..."$`\\\"'!(){}[]<>|&;*?~#= \t\n"),
                fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
              ),
            })
            .filter((s) => !s.includes("\0")),
          async (value) => {
            expect(await shell.argv(shellQuote(value))).toEqual([value]);
          },
        ),
        { numRuns: 1_000 },
      );
    } finally {
      shell.close();
    }
    // 1,000 round trips through sh: a few seconds alone, longer on a loaded CI machine.
  }, 120_000);
});
