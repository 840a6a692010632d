// The Pulumi CLI as the project's tools find it (resolvePulumiCli), and the environment they and the tests give it
// (the Go garbage collector's target).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensurePulumiCli, goRuntimeEnvironment, pulumiEnvironment } from "../../../tools/pulumiCli";
import { pulumiEnvironment as testEnvironment } from "../../e2e/support/pulumiHarness";
import { noPulumiCliEnvironment } from "../../support/noPulumiCli";

describe("goRuntimeEnvironment", () => {
  it("asks for GOGC=400 unless the caller's environment sets GOGC", () => {
    expect(goRuntimeEnvironment({})).toEqual({ GOGC: "400" });
    expect(goRuntimeEnvironment({ GOGC: "" })).toEqual({ GOGC: "400" });
    expect(goRuntimeEnvironment({ GOGC: "100" })).toEqual({ GOGC: "100" });
    expect(goRuntimeEnvironment({ GOGC: "off" })).toEqual({ GOGC: "off" });
  });

  it("is in the environment of the tools' and the tests' CLI runs", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-writeback-gogc-"));
    const before = process.env.GOGC;
    try {
      delete process.env.GOGC;
      expect(pulumiEnvironment(dir).GOGC).toBe("400");
      expect(testEnvironment(dir).GOGC).toBe("400");
      process.env.GOGC = "150";
      expect(pulumiEnvironment(dir).GOGC).toBe("150");
      expect(testEnvironment(dir).GOGC).toBe("150");
    } finally {
      if (before === undefined) delete process.env.GOGC;
      else process.env.GOGC = before;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("makes the CLI collect garbage less often than Go's default does", () => {
    // With GODEBUG=gctrace=1 the Go runtime prints a line per collection on stderr ("gc 1 @0.004s ..."). `pulumi
    // version` does no work of its own, so what it collects is what its packages' init functions allocated.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "entra-writeback-gogc-"));
    const collections = (environment: NodeJS.ProcessEnv): number => {
      const run = spawnSync(ensurePulumiCli(), ["version"], {
        env: { ...environment, GODEBUG: "gctrace=1" },
        encoding: "utf8",
      });
      expect(run.status).toBe(0);
      return run.stderr.split("\n").filter((line) => /^gc \d+ @/.test(line)).length;
    };
    try {
      const tuned = collections(pulumiEnvironment(dir, { GOGC: goRuntimeEnvironment({}).GOGC }));
      const goDefault = collections(pulumiEnvironment(dir, { GOGC: "100" }));
      expect(goDefault).toBeGreaterThanOrEqual(4); // the lines counted exist
      expect(tuned).toBeLessThanOrEqual(goDefault / 2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("resolvePulumiCli", () => {
  const SCRIPT = path.join(__dirname, "..", "..", "..", "tools", "ensure-pulumi-cli.sh");
  const PINNED_VERSION = /^PINNED_VERSION="([^"]+)"$/m.exec(fs.readFileSync(SCRIPT, "utf8"))![1]!;
  let cache: string;
  let saved: NodeJS.ProcessEnv;
  beforeEach(() => {
    cache = fs.mkdtempSync(path.join(os.tmpdir(), "entra-writeback-resolve-"));
    saved = { ...process.env };
    Object.assign(process.env, noPulumiCliEnvironment(cache));
    delete process.env.ENTRA_WRITEBACK_PULUMI;
  });
  afterEach(() => {
    process.env = saved;
    fs.rmSync(cache, { recursive: true, force: true });
  });
  /** tools/pulumiCli as a process loads it first (it keeps the CLI's path once found). */
  const freshModule = (): typeof import("../../../tools/pulumiCli") => {
    let loaded: typeof import("../../../tools/pulumiCli") | undefined;
    jest.isolateModules(() => (loaded = require("../../../tools/pulumiCli")));
    return loaded!;
  };
  /** A CLI "built before" in the cache: the script's way that only checks its version and prints its path. */
  const placeCli = (): string => {
    const cli = path.join(cache, `pulumi-${PINNED_VERSION}`, "bin", "pulumi");
    fs.mkdirSync(path.dirname(cli), { recursive: true });
    // Each run of the script asks it its version once: the calls are counted in calls.log.
    fs.writeFileSync(cli, `#!/bin/sh\necho x >> ${path.join(cache, "calls.log")}\necho ${PINNED_VERSION}\n`, {
      mode: 0o755,
    });
    return cli;
  };

  it("runs the script once for concurrent callers, and ensurePulumiCli then answers without it", async () => {
    const cli = placeCli();
    const module = freshModule();
    const [first, second] = await Promise.all([module.resolvePulumiCli(), module.resolvePulumiCli()]);
    expect([first, second]).toEqual([cli, cli]);
    expect(fs.readFileSync(path.join(cache, "calls.log"), "utf8")).toBe("x\n"); // one run of the script
    fs.rmSync(cli); // a second run of the script would now fail: it is not run again
    expect(module.ensurePulumiCli()).toBe(cli);
    await expect(module.resolvePulumiCli()).resolves.toBe(cli);
  });

  it("rejects when the script fails, and the next call runs it again", async () => {
    const module = freshModule();
    await expect(module.resolvePulumiCli()).rejects.toThrow(
      `${SCRIPT} failed (exit 1); what it said is above`,
    );
    const cli = placeCli();
    await expect(module.resolvePulumiCli()).resolves.toBe(cli);
  });

  it("starts no CLI for a run stopped while the CLI was looked up, and says it was stopped", async () => {
    const module = freshModule();
    const childProcess = require("node:child_process") as typeof import("node:child_process");
    const spawned = jest.spyOn(childProcess, "spawn");
    try {
      placeCli();
      const controller = new AbortController();
      const run = module.runPulumi(["version"], { projectDir: cache, signal: controller.signal });
      controller.abort(); // while the script (started by runPulumi) runs
      const calls = spawned.mock.calls.length; // the script's own spawn
      await expect(run).resolves.toEqual({ exitCode: 1, stdout: "", stderr: "", killed: true });
      expect(spawned.mock.calls.length).toBe(calls); // and nothing after it: no CLI
      expect(calls).toBe(1);
      // Without the stop, the same call starts the CLI (the stand-in answers its version).
      await expect(module.runPulumi(["version"], { projectDir: cache })).resolves.toMatchObject({
        exitCode: 0,
      });
      expect(spawned.mock.calls.length).toBe(calls + 1);
    } finally {
      spawned.mockRestore();
    }
  });
});
