// docs/configuration.md is generated from the schemas; these tests fail when it is out of date, or when a key or
// its default is missing from it.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { configurationTable, withConfigurationTable } from "../../../components/configDocs";
import { KNOWN_KEYS, stackConfig } from "../../../components/stackConfig";
import { providerSettings } from "../../../providers/common/settings";
import { ensureBuilt, PROJECT_ROOT } from "../simulator/testSupport";

const DOC = path.join(PROJECT_ROOT, "docs", "configuration.md");
const read = () => fs.readFileSync(DOC, "utf8");

// The script runs from dist/ (npm test builds first).
beforeAll(async () => ensureBuilt(), 180_000);

test("docs/configuration.md holds the table the schemas render (else: npm run docs:config)", () => {
  expect(read()).toContain(configurationTable());
});

test("every key of the namespace has a row with its default, as the program applies it", () => {
  // The defaults as readStackConfig applies them: parse the smallest valid configuration.
  const parsed: Record<string, unknown> = {
    ...stackConfig.parse({
      target: { kind: "simulator", stateFile: ".lab/lab.json" },
      writebackOu: "OU=Entra Writeback,OU=Groups,DC=contoso,DC=com",
      connectorAccountDn: "CN=MSOL_a1b2c3d4e5f6,CN=Users,DC=contoso,DC=com",
    }),
    ...providerSettings.parse({}),
  };
  const required = new Set(["target", "writebackOu", "connectorAccountDn"]);
  const rows = new Map(
    read()
      .split("\n")
      .filter((line) => line.startsWith("| `"))
      .map((line) => {
        const cells = line.split(/(?<!\\)\|/).map((cell) => cell.trim());
        return [cells[1]!.replace(/`/g, ""), cells[3]!] as const;
      }),
  );
  expect(KNOWN_KEYS.length).toBeGreaterThan(10);
  for (const key of KNOWN_KEYS) {
    expect([key, rows.has(key)]).toEqual([key, true]);
    const expected = required.has(key)
      ? "required"
      : parsed[key] === undefined
        ? "none"
        : `\`${String(parsed[key])}\``;
    expect([key, rows.get(key)]).toEqual([key, expected]);
  }
});

test("a stale table is found and `npm run docs:config` (the generator) brings it up to date", () => {
  // The check can fail: a document whose table lost a row is not what the schemas render.
  const stale = read().replace(/^\| `wizardPollSeconds`.*\n/m, "");
  expect(stale).not.toContain(configurationTable());
  expect(withConfigurationTable(stale)).toBe(read());
  // The script itself, on a copy of the project's doc tree.
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "entra-writeback-docs-"));
  try {
    fs.mkdirSync(path.join(root, "docs"));
    fs.writeFileSync(path.join(root, "docs", "configuration.md"), stale);
    const script = path.join(PROJECT_ROOT, "dist", "tools", "docsConfig.js");
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [script, ...args], {
        cwd: root,
        env: { ...process.env, ENTRA_WRITEBACK_DOCS_DIR: path.join(root, "docs") },
        encoding: "utf8",
      });
    const check = run("--check");
    expect(check.status).toBe(1);
    expect(check.stderr.trim()).toBe("docs/configuration.md is out of date: run `npm run docs:config`.");
    expect(run().status).toBe(0);
    expect(fs.readFileSync(path.join(root, "docs", "configuration.md"), "utf8")).toBe(read());
    expect(run("--check").status).toBe(0);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
