// The provider shell as the dynamic provider host loads it: requireFromString(__provider).handler().
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { providerModuleSource, requireCompiledProviders } from "../../../providers/common/shell";
import { ensureBuilt, PROJECT_ROOT } from "../simulator/testSupport";

// The loader @pulumi/pulumi's provider host uses (cmd/dynamic-provider), so the text is tested as it runs.
const requireFromString = require("require-from-string") as (code: string) => {
  handler(): Record<string, unknown>;
};

beforeAll(async () => ensureBuilt(), 180_000);

test("the shell loads the compiled providers of the project and delegates to them", async () => {
  // The provider process runs in the project directory (this test's working directory).
  const provider = requireFromString(providerModuleSource("WritebackOU")).handler() as {
    check(olds: unknown, news: unknown): Promise<{ failures?: unknown[] }>;
  };
  expect(Object.keys(provider).sort()).toEqual([
    "check",
    "configure",
    "create",
    "delete",
    "diff",
    "read",
    "update",
  ]);
  // The real check: an input that is not a DN fails with the provider's own message.
  const result = await provider.check(
    {},
    { target: { kind: "simulator", stateFile: "x.json" }, dn: "not a dn" },
  );
  expect(result.failures?.length).toBeGreaterThan(0);
});

test("without the compiled code the shell says what to do", () => {
  // A process of its own: the shell reads ENTRA_WRITEBACK_PROJECT_DIR from the real environment.
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), "entra-writeback-shell-"));
  try {
    const script = `
      const requireFromString = require("require-from-string");
      const provider = requireFromString(process.argv[1]).handler();
      Promise.resolve()
        .then(() => provider.check({}, {}))
        .then(() => console.log("loaded"), (error) => console.log(error.message));`;
    const run = spawnSync(process.execPath, ["-e", script, providerModuleSource("SchedulerState")], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ENTRA_WRITEBACK_PROJECT_DIR: empty },
      encoding: "utf8",
    });
    expect(run.stdout).toContain(
      `entra-writeback: cannot load the compiled providers from ${path.join(empty, "dist", "providers", "registry.js")} (`,
    );
    expect(run.stdout).toContain(
      "Run `npm run build` in the project directory, or set ENTRA_WRITEBACK_PROJECT_DIR to it.",
    );
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
});

test("without the compiled code every method fails with the same one line, without a stack trace", () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), "entra-writeback-shell-"));
  try {
    // As the dynamic provider host prints a failed call: `${error}: ${error.stack}`.
    const script = `
      const requireFromString = require("require-from-string");
      const provider = requireFromString(process.argv[1]).handler();
      const calls = [
        () => provider.configure({ config: { get: () => undefined } }),
        () => provider.check({}, {}),
        () => provider.read("id", {}),
      ].map((call) => Promise.resolve().then(call));
      Promise.allSettled(calls).then((results) => {
        for (const result of results) console.log(\`\${result.reason}: \${result.reason.stack}\`);
      });`;
    const run = spawnSync(process.execPath, ["-e", script, providerModuleSource("WritebackOU")], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ENTRA_WRITEBACK_PROJECT_DIR: empty },
      encoding: "utf8",
    });
    const registry = path.join(empty, "dist", "providers", "registry.js");
    const line =
      `Error: entra-writeback: cannot load the compiled providers from ${registry} (it does not exist). ` +
      "Run `npm run build` in the project directory, or set ENTRA_WRITEBACK_PROJECT_DIR to it.";
    expect(run.stdout.trimEnd().split("\n")).toEqual([line, line, line]);
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
});

test("the program refuses to start without the compiled code, in one line, before declaring anything", () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), "entra-writeback-shell-"));
  try {
    let thrown: unknown;
    try {
      requireCompiledProviders(empty);
    } catch (error) {
      thrown = error;
    }
    // RunError: the engine prints the message alone, no stack trace.
    expect(thrown).toBeInstanceOf(pulumi.RunError);
    expect((thrown as Error).message).toBe(
      `entra-writeback: cannot load the compiled providers from ${path.join(empty, "dist", "providers", "registry.js")} ` +
        "(it does not exist). Run `npm run build` in the project directory, or set ENTRA_WRITEBACK_PROJECT_DIR to it.",
    );
    // Following the advice: in a built project directory the same check passes.
    expect(() => requireCompiledProviders(PROJECT_ROOT)).not.toThrow();
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
});
