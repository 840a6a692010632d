// The one physical line per call: a constant bootstrap whose only variable parts are base64.
import * as fs from "node:fs";
import * as path from "node:path";
import {
  buildInvocationLine,
  bootstrapText,
  type InvocationShape,
  toBase64,
} from "../../../powershell/invocation";
import { parsePowerShell, syntaxProblems } from "../../support/powershellParser";

const FIXTURES = path.join(__dirname, "..", "..", "fixtures", "powershell", "invocation");
const SHAPES: InvocationShape[] = ["session", "local", "remote"];

function goldenTemplate(shape: InvocationShape): string {
  return fs.readFileSync(path.join(FIXTURES, `${shape}.txt`), "utf8").trim();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The strict shape of a line: the golden bootstrap, with base64 and nothing else in its two variable places. */
function linePattern(shape: InvocationShape): RegExp {
  const base64 = "([A-Za-z0-9+/]*={0,2})";
  const pattern = escapeRegExp(goldenTemplate(shape))
    .replace(/\\\{(SCRIPT|COMMAND)_BASE64\\\}/, base64)
    .replace(escapeRegExp("{ARGUMENTS_BASE64}"), base64);
  return new RegExp(`^${pattern}$`);
}

function decode(shape: InvocationShape, line: string): { first: string; args: string } {
  const match = linePattern(shape).exec(line);
  if (match === null) throw new Error(`not a ${shape} invocation line: ${line.slice(0, 120)}`);
  return {
    first: Buffer.from(match[1] as string, "base64").toString("utf8"),
    args: Buffer.from(match[2] as string, "base64").toString("utf8"),
  };
}

// Values that would break out of, or run code in, a PowerShell string if they were ever pasted into a script.
const HOSTILE_VALUES = [
  "x'; Remove-Item C:\\ -Recurse; 'y",
  "$(Remove-Item C:\\ -Recurse)",
  "a\u2019; Remove-Item x; \u2018b",
  "He said \u201Chi\u201D $(Get-Date) and \u201Ebye\u201D",
  "`$env:ENTRA_WRITEBACK_REMOTE_PASSWORD",
  'line one\nline two\r\n[Console]::Out.WriteLine("AAAAAAAAAAAAAAAA")',
  "#> <# @{ a = 1 } | % { $_ }",
  "\u00dcn\u00efc\u00f8d\u00e9 \u2013 \u201Cquotes\u201D",
  "OU=Sales\\, EMEA+Ops,DC=contoso,DC=com",
  "\u0000 nul and \u2028 separators \u{1F600}",
];

describe("the invocation line", () => {
  it.each(SHAPES)(
    "the %s bootstrap equals its golden file (the fake executable accepts only that)",
    (shape) => {
      const first = shape === "session" ? "{SCRIPT_BASE64}" : "{COMMAND_BASE64}";
      expect(`${bootstrapText(shape)} '${first}' '{ARGUMENTS_BASE64}'`).toBe(goldenTemplate(shape));
    },
  );

  it.each(SHAPES)("a %s line is one physical line matching the strict pattern and decodes back", (shape) => {
    const line = buildInvocationLine(shape, "Get-Date\nWrite-Output 'x'\n", '{"dn":"OU=A,DC=b"}');
    expect(line).not.toMatch(/[\r\n\u2028\u2029]/);
    expect(line).toMatch(/^[\x20-\x7E]+$/);
    expect(decode(shape, line)).toEqual({
      first: "Get-Date\nWrite-Output 'x'\n",
      args: '{"dn":"OU=A,DC=b"}',
    });
  });

  it.each(HOSTILE_VALUES)("data never reaches the line as text: %j", (value) => {
    for (const shape of SHAPES) {
      const argumentsJson = JSON.stringify({ dn: value, name: value });
      const line = buildInvocationLine(shape, "Get-Date", argumentsJson);
      // Apart from the two base64 strings, the line is exactly the constant bootstrap.
      const match = linePattern(shape).exec(line);
      expect(match).not.toBeNull();
      expect(line.replace(match?.[1] as string, "").replace(match?.[2] as string, "")).toBe(
        `${bootstrapText(shape)} '' ''`,
      );
      expect(match?.[2]).toMatch(/^[A-Za-z0-9+/]*={0,2}$/);
      expect(decode(shape, line).args).toBe(argumentsJson);
      expect(JSON.parse(decode(shape, line).args)).toEqual({ dn: value, name: value });
    }
  });

  it("base64 is of UTF-8 (what the bootstrap decodes with [Text.Encoding]::UTF8)", () => {
    expect(toBase64("\u00dc\u201C")).toBe(Buffer.from([0xc3, 0x9c, 0xe2, 0x80, 0x9c]).toString("base64"));
    expect(bootstrapText("session")).toContain(
      "[Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($ScriptBase64))",
    );
    expect(bootstrapText("local")).toContain(
      "[Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($CommandBase64))",
    );
    expect(bootstrapText("local")).toContain(
      "[Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($json))",
    );
  });

  it.each(SHAPES)("the %s bootstrap parses as one PowerShell statement", async (shape) => {
    const tree = await parsePowerShell(buildInvocationLine(shape, "Get-Date", "{}"));
    expect(syntaxProblems(tree.rootNode)).toEqual([]);
    const statements = tree.rootNode.namedChildren.filter((node) => node?.type === "statement_list");
    expect(statements).toHaveLength(1);
    expect(statements[0]?.namedChildren).toHaveLength(1);
  });

  it("the bootstrap passes the arguments as a value, catches every error into a record, and answers base64", () => {
    expect(bootstrapText("session")).toContain(
      "& ([ScriptBlock]::Create($scriptText)) -ArgumentsJson $argumentsJson",
    );
    // An operation is a function name and its JSON arguments, handed to the runner _session.ps1 defined.
    expect(bootstrapText("local")).toContain(
      "& $global:EntraWritebackInvokeOperation $commandName $argumentsJson",
    );
    expect(bootstrapText("remote")).toContain(
      "& $global:EntraWritebackRunRemoteOperation $commandName $argumentsJson",
    );
    expect(bootstrapText("local")).not.toContain("ScriptBlock");
    expect(bootstrapText("remote")).not.toContain("ScriptBlock");
    for (const shape of SHAPES) {
      const text = bootstrapText(shape);
      expect(text).toMatch(/ try \{ .* \} catch \{ .* \}; \[Console\]::Out\.WriteLine/);
      for (const field of ["message", "category", "fullyQualifiedErrorId", "exceptionType"]) {
        expect(text).toContain(`${field} = `);
      }
      expect(text).toContain("3>$null 4>$null 5>$null 6>$null");
    }
  });
});
