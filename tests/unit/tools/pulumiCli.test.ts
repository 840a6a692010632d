// The environment the project's tools and tests give the Pulumi CLI: the Go garbage collector's target.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensurePulumiCli, goRuntimeEnvironment, pulumiEnvironment } from "../../../tools/pulumiCli";
import { pulumiEnvironment as testEnvironment } from "../../e2e/support/pulumiHarness";

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
