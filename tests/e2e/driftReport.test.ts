// The drift command across three stacks of one project, one of them drifted: table, JSON, JUnit, exit code; and a
// drifted and a failing stack checked at once in the shared language host, each reported as what it is.
import { spawnSync } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { labStackConfig } from "../../tools/measureLab";
import { runPulumi } from "../../tools/pulumiCli";
import { copyRewritten, copyStateDatabase } from "./support/convergedLab";
import { LAB_ACCOUNT, LAB_OU, newLabDirectory, newLabServer, simOk, wizardEnable } from "./support/lab";
import { projectRoot, pulumiEnvironment } from "./support/pulumiHarness";
import { isRunning, until } from "../support/processes";

jest.setTimeout(10 * 60_000);

/** A project of the compiled program (or of `main`) with its stack files in stacks/, and its own file backend. */
function newProject(
  root: string,
  main = projectRoot,
): {
  projectDir: string;
  backend: string;
  options: Parameters<typeof runPulumi>[1];
} {
  const projectDir = path.join(root, "project");
  fs.mkdirSync(path.join(projectDir, "stacks"), { recursive: true });
  fs.writeFileSync(
    path.join(projectDir, "Pulumi.yaml"),
    `name: entra-writeback\nruntime: nodejs\nmain: ${main}\nstackConfigDir: stacks\n`,
  );
  const backend = path.join(root, "state");
  const env = pulumiEnvironment(backend); // creates the backend's directory
  fs.mkdirSync(env.PULUMI_HOME!, { recursive: true });
  return { projectDir, backend, options: { projectDir, env } };
}

/** The stack's settings: the simulated server and the lab's OU and account, as the measurement tools write them. */
function writeStackConfig(projectDir: string, stack: string, stateFile: string): void {
  fs.writeFileSync(
    path.join(projectDir, "stacks", `Pulumi.${stack}.yaml`),
    labStackConfig(stateFile, LAB_ACCOUNT),
  );
}

const CHECKPOINTS = path.join(".pulumi", "stacks", "entra-writeback");

/**
 * Converged stacks named `stacks` in a project of their own in `directory`, each with its own simulated server
 * (`change` alters one before the check). Returns the project and the environment to run the CLI and drift with.
 */
async function convergedStacks(
  directory: string,
  stacks: string[],
  change: (stack: string, stateFile: string) => void,
  main?: string,
): Promise<{ projectDir: string; env: NodeJS.ProcessEnv }> {
  const { projectDir, backend, options } = newProject(directory, main);
  const env = options.env!;
  // One stack converged as an operator does (init, up to the wizard step, the wizard step, up), in a project and
  // backend of its own; the test's three stacks are copies of it, each with its own copy of the converged server
  // and the checkpoint and settings with the paths and the stack name rewritten (as tests/e2e/support/
  // convergedLab.ts copies Automation API stacks): two `pulumi up`s instead of six. What this test checks is the
  // drift command over converged stacks, not the convergence (tests/e2e/lab.test.ts and others do).
  const templateRoot = fs.mkdtempSync(path.join(directory, "template-"));
  const template = newProject(templateRoot);
  const templateStack = `converged-${randomBytes(6).toString("hex")}`;
  const templateServer = newLabServer(fs.mkdtempSync(path.join(templateRoot, "server-")), [
    "--m365",
    "2",
    "--m365-opted-out",
    "0",
  ]);
  writeStackConfig(template.projectDir, templateStack, templateServer);
  expect((await runPulumi(["stack", "init", templateStack], template.options)).exitCode).toBe(0);
  const first = await runPulumi(["up", "--yes", "--stack", templateStack], template.options);
  expect(first.exitCode).not.toBe(0);
  expect(first.stdout + first.stderr).toContain(
    "Group writeback v1 can only be enabled in the Microsoft Entra Connect wizard",
  );
  wizardEnable(templateServer);
  expect((await runPulumi(["up", "--yes", "--stack", templateStack], template.options)).exitCode).toBe(0);

  fs.mkdirSync(path.join(backend, CHECKPOINTS), { recursive: true });
  fs.copyFileSync(
    path.join(template.backend, ".pulumi", "meta.yaml"),
    path.join(backend, ".pulumi", "meta.yaml"),
  );
  for (const stack of stacks) {
    const stateFile = path.join(fs.mkdtempSync(path.join(directory, `${stack}-`)), "lab.json");
    copyStateDatabase(templateServer, stateFile);
    const replacements: [string, string][] = [
      [templateServer, stateFile],
      [templateStack, stack],
    ];
    copyRewritten(
      path.join(template.projectDir, "stacks", `Pulumi.${templateStack}.yaml`),
      path.join(projectDir, "stacks", `Pulumi.${stack}.yaml`),
      replacements,
    );
    const checkpoint = path.join(backend, CHECKPOINTS, `${stack}.json`);
    copyRewritten(
      path.join(template.backend, CHECKPOINTS, `${templateStack}.json`),
      checkpoint,
      replacements,
    );
    // Nothing of the template's left in the copy: every path in it is the copy's own.
    expect(fs.readFileSync(checkpoint, "utf8")).not.toContain(templateRoot);
    change(stack, stateFile);
  }
  return { projectDir, env };
}

/** npm run drift (the compiled tool) over `args`, its reports in `directory`/reports. */
function driftRunner(directory: string, projectDir: string, env: NodeJS.ProcessEnv) {
  const json = path.join(directory, "reports", "drift.json");
  const junit = path.join(directory, "reports", "drift.xml");
  const runDrift = (args: string[], timeout?: number) =>
    spawnSync(
      path.join(projectRoot, "node_modules", ".bin", "node"),
      [
        path.join(projectRoot, "dist", "tools", "drift.js"),
        ...args,
        ...["--project-dir", projectDir, "--json", json, "--junit", junit],
      ],
      { env, encoding: "utf8", timeout },
    );
  return { json, junit, runDrift };
}

test("npm run drift: one drifted stack among three", async () => {
  const directory = newLabDirectory();
  try {
    const { projectDir, env } = await convergedStacks(
      directory,
      ["east", "west", "north"],
      (stack, stateFile) => {
        if (stack === "west") simOk(["ad", stateFile, "revoke", LAB_OU, LAB_ACCOUNT]);
      },
    );
    const { json, junit, runDrift } = driftRunner(directory, projectDir, env);
    const drift = runDrift([]);
    expect(drift.stderr).not.toMatch(/^drift: (?!checking|reports)/m);
    // Progress: one line per stack as it finishes.
    expect(
      drift.stderr.match(/^ {2}\[[1-3]\/3\] (east|west|north): (in-sync|drifted) \(\d+\.\d s\)$/gm),
    ).toHaveLength(3);
    expect(drift.status).toBe(1);
    const table = drift.stdout.split("\n");
    expect(table[0]).toMatch(/^STACK\s+STATUS\s+CHANGES\s+DETAILS$/);
    expect(table.find((line) => line.startsWith("west"))).toMatch(
      /west\s+drifted\s+1\s+update group-writeback-permission \(WritebackPermission\)/,
    );
    expect(table.find((line) => line.startsWith("east"))).toMatch(/east\s+in-sync\s+0/);
    // The property, live against declared, as preview --diff shows it.
    expect(table.find((line) => line.startsWith("west"))).toContain(
      "update group-writeback-permission (WritebackPermission): granted: live false, declared true",
    );

    const report = JSON.parse(fs.readFileSync(json, "utf8"));
    expect(report.summary).toEqual({ stacks: 3, inSync: 2, drifted: 1, failed: 0 });
    expect(report.results.find((r: { stack: string }) => r.stack === "west").changes).toEqual([
      { op: "update", type: "WritebackPermission", name: "group-writeback-permission" },
    ]);
    expect(report.results.find((r: { stack: string }) => r.stack === "west").properties).toEqual([
      {
        name: "group-writeback-permission",
        type: "WritebackPermission",
        property: "granted",
        live: false,
        declared: true,
      },
    ]);
    const xml = fs.readFileSync(junit, "utf8");
    expect(xml).toContain(
      "<system-out>group-writeback-permission (WritebackPermission) granted: live false, declared true</system-out>",
    );
    expect(xml).toContain('tests="3" failures="1" errors="0"');
    expect(xml).toMatch(
      /<testcase classname="entra-writeback.drift" name="west"[^>]*>\s*<failure message="1 resource\(s\) drifted">update group-writeback-permission \(WritebackPermission\)<\/failure>/,
    );

    // A chosen list, all in sync: exit 0.
    const chosen = runDrift(["east", "north"]);
    expect(chosen.status).toBe(0);
    expect(JSON.parse(fs.readFileSync(json, "utf8")).summary).toEqual({
      stacks: 2,
      inSync: 2,
      drifted: 0,
      failed: 0,
    });
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
});

const OVERLAP_PROGRAM = path.join(projectRoot, "tests", "fixtures", "sharedHostOverlap");

test("npm run drift, one shared language host: a failing program fails its own stack only, and the drifted stack reports its drift", async () => {
  const directory = newLabDirectory();
  try {
    // The program is the project's own behind tests/fixtures/sharedHostOverlap, which makes the failing stack's
    // program fail while the other two programs are running in the same process (and writes down that it did).
    const { projectDir, env } = await convergedStacks(
      directory,
      ["drifted", "broken", "calm"],
      (stack, stateFile) => {
        if (stack === "drifted") simOk(["ad", stateFile, "revoke", LAB_OU, LAB_ACCOUNT]);
        if (stack === "broken") {
          // A key the program refuses (the CLI does not): first under config:, before the encryption salt.
          const file = path.join(directory, "project", "stacks", "Pulumi.broken.yaml");
          const text = fs.readFileSync(file, "utf8");
          expect(text).toMatch(/^config:\n/);
          fs.writeFileSync(file, text.replace(/^config:\n/, 'config:\n  entra-writeback:notASetting: "1"\n'));
        }
      },
      OVERLAP_PROGRAM,
    );
    const trace = path.join(directory, "overlap.trace");
    const overlapEnv = {
      ...env,
      ENTRA_WRITEBACK_PROJECT_DIR: projectRoot,
      OVERLAP_FAILING: "broken",
      OVERLAP_OTHERS: "2",
      OVERLAP_TRACE: trace,
    };
    const { json, junit, runDrift } = driftRunner(directory, projectDir, overlapEnv);
    const drift = runDrift(["--parallel", "3"]);
    // The failing program failed while both other programs were running, and they finished after it.
    const steps = fs.readFileSync(trace, "utf8").trim().split("\n");
    const SAW = "the process saw: ";
    const runs = steps.filter((line) => !line.startsWith(SAW));
    expect(runs.slice(0, 2).sort()).toEqual(["calm started", "drifted started"]);
    expect(runs[2]).toBe("broken fails while calm, drifted run");
    expect(runs.slice(3).sort()).toEqual(["calm returns", "drifted returns"]);
    // Its error reached the process's listeners, where every run's listener would see it, while the others ran.
    const sightings = steps.flatMap((line, index) => (line.startsWith(SAW) ? [index] : []));
    expect(new Set(sightings.map((index) => steps[index]))).toEqual(
      new Set([`${SAW}invalid stack configuration; nothing was changed:`]),
    );
    expect(sightings[0]).toBeGreaterThan(steps.indexOf("broken fails while calm, drifted run"));
    expect(sightings.at(-1)).toBeLessThan(
      Math.min(steps.indexOf("calm returns"), steps.indexOf("drifted returns")),
    );

    expect(drift.status).toBe(1);
    const table = drift.stdout.split("\n");
    expect(table.find((line) => line.startsWith("broken"))).toMatch(
      /^broken\s+failed\s+-\s+error: invalid stack configuration; nothing was changed:$/,
    );
    const report = JSON.parse(fs.readFileSync(json, "utf8"));
    expect(report.summary).toEqual({ stacks: 3, inSync: 1, drifted: 1, failed: 1 });
    const result = (stack: string) => report.results.find((r: { stack: string }) => r.stack === stack);
    expect(result("broken").error).toContain("entra-writeback:notASetting");
    // The failure's text, shown above to occur, is in no other stack's result.
    for (const stack of ["drifted", "calm"])
      expect(JSON.stringify(result(stack))).not.toMatch(
        /notASetting|invalid stack configuration|errors occurred/,
      );
    expect(result("calm").status).toBe("in-sync");
    expect(result("drifted")).toMatchObject({
      status: "drifted",
      changes: [{ op: "update", type: "WritebackPermission", name: "group-writeback-permission" }],
    });
    expect(table.find((line) => line.startsWith("drifted"))).toContain(
      "update group-writeback-permission (WritebackPermission): granted: live false, declared true",
    );
    const xml = fs.readFileSync(junit, "utf8");
    expect(xml).toContain('tests="3" failures="1" errors="1"');
    // Nothing the shared host could not attribute, nor said on the side.
    expect(drift.stderr).not.toMatch(/^drift: (?!checking|reports)/m);

    // The same stacks with a language host per preview (the program then waits for no one): the same results.
    const separate = driftRunner(directory, projectDir, { ...env, ENTRA_WRITEBACK_PROJECT_DIR: projectRoot });
    const plain = separate.runDrift(["--separate-hosts"]);
    expect(plain.status).toBe(1);
    const plainReport = JSON.parse(fs.readFileSync(json, "utf8"));
    expect(plainReport.summary).toEqual(report.summary);
    for (const stack of ["drifted", "broken", "calm"]) {
      const { durationSeconds: _shared, ...shared } = result(stack);
      const { durationSeconds: _plain, ...own } = plainReport.results.find(
        (r: { stack: string }) => r.stack === stack,
      );
      expect(own).toEqual(shared);
    }
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
});

const STUCK_PROGRAM = path.join(projectRoot, "tests", "fixtures", "sharedHostStuck");

test("npm run drift, one shared language host: a stack whose program is stuck in it holds up no other stack", async () => {
  const directory = newLabDirectory();
  try {
    const { projectDir, options } = newProject(directory, STUCK_PROGRAM);
    const pids = path.join(directory, "pids");
    const env = { ...options.env!, STUCK_PIDS: pids };
    for (const stack of ["s1", "s2", "s3"])
      expect((await runPulumi(["stack", "init", stack], { projectDir, env })).exitCode).toBe(0);
    // s2 deployed (its stack resource), so that its check finds nothing to change.
    expect((await runPulumi(["up", "--yes", "--stack", "s2"], { projectDir, env })).exitCode).toBe(0);
    fs.rmSync(pids, { force: true });
    const { json, runDrift } = driftRunner(directory, projectDir, env);
    const result = (stack: string) =>
      JSON.parse(fs.readFileSync(json, "utf8")).results.find((r: { stack: string }) => r.stack === stack);

    // Without the handling, s2's check never ends (bounded here by spawnSync's timeout: status null). In the shared
    // host s2 registers only after s1 has failed (STUCK_S2_WAITS_FOR_S1), so that it is held up behind s1.
    const started = Date.now();
    const drift = driftRunner(directory, projectDir, { ...env, STUCK_S2_WAITS_FOR_S1: "1" }).runDrift(
      ["s1", "s2", "--parallel", "2"],
      120_000,
    );
    expect(drift.stderr).toMatch(/\[[12]\/2\] s1: failed/);
    expect(drift.status).toBe(1);
    expect(Date.now() - started).toBeLessThan(100_000);
    expect(result("s1")).toMatchObject({ status: "failed" });
    expect(result("s1").error).toMatch(/nope/);
    expect(result("s2")).toMatchObject({ status: "in-sync" });
    // s1 ran in the shared host (the drift tool's process), and s2 last in a language host of its own.
    const runs = fs.readFileSync(pids, "utf8").trim().split("\n");
    expect(runs).toContain(`s1 ${drift.pid}`);
    expect(runs.filter((line) => line.startsWith("s1 "))).toHaveLength(1);
    expect(runs.at(-1)).toMatch(/^s2 \d+$/);
    expect(runs.at(-1)).not.toBe(`s2 ${drift.pid}`);
    expect(drift.stderr).toContain(
      "drift: s1's preview ended while its program was still running in the shared language host, which may hold " +
        "up the other programs there: the stacks not checked yet are checked again, each with a language host of its " +
        "own (as with --separate-hosts)\n",
    );

    // A program that never returns: its preview is stopped after --timeout, and its stack fails, with a language
    // host of its own (whose process is gone after) and in the shared host (which the other stacks then no longer use).
    fs.rmSync(pids, { force: true });
    const alone = runDrift(["s3", "--separate-hosts", "--timeout", "5"], 120_000);
    expect(alone.status).toBe(1);
    expect(result("s3")).toMatchObject({
      status: "failed",
      error: "timed out after 5 s (its preview was stopped; npm run drift -- --timeout SECONDS allows more)",
    });
    expect(alone.stdout).toMatch(/^s3\s+failed\s+-\s+timed out after 5 s/m);
    const host = Number(/^s3 (\d+)$/m.exec(fs.readFileSync(pids, "utf8"))![1]);
    expect(host).not.toBe(alone.pid);
    // Gone (or a zombie waiting for init) within a few seconds: the CLI's process tree was killed.
    expect(await until(() => !isRunning(host), 5_000)).toBe(true);
    // 15 s: s2's whole preview beside the stuck s3 fits in it on a loaded machine (its timer starts with s3's).
    const shared = runDrift(["s3", "s2", "--parallel", "2", "--timeout", "15"], 120_000);
    expect(shared.status).toBe(1);
    expect(result("s3")).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/^timed out after 15 s/),
    });
    expect(result("s2")).toMatchObject({ status: "in-sync" });
    expect(shared.stderr).toContain(
      "drift: s3's preview timed out with its program in the shared language host, where it may hold up the others: " +
        "the stacks not checked yet are checked again, each with a language host of its own (as with --separate-hosts)\n",
    );
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
});
