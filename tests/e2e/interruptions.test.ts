// Deployments interrupted inside the pause/resume window (docs/operations.md). Whatever the point of the
// interruption, the next plain `pulumi up` (after `pulumi cancel` when the stack is locked) ends with the
// scheduler enabled and says what it repaired; and no process of the dead deployment writes to the server.
import * as fs from "node:fs";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type CliProject, type CliRun, cliProject } from "./support/cliProject";
import { projectRoot, pulumiCliPath } from "./support/pulumiHarness";
import { goRuntimeEnvironment } from "../../tools/pulumiCli";
import {
  finishSync,
  type JournalOperation,
  labServersForThisFile,
  newLabDirectory,
  newLabServer,
  providerOperations,
  show,
  simOk,
} from "./support/lab";

jest.setTimeout(5 * 60_000);

const newServer = labServersForThisFile();
const labServer = () => newServer(["--m365", "4", "--m365-opted-out", "1"]);

const UP = ["up", "--yes", "--skip-preview"];
/** What the next run says when it finishes the window an interrupted deployment of this stack left open. */
const repaired = (stack: string, what: string) =>
  new RegExp(
    `REPAIRED: an interrupted deployment of this stack \\(entra-writeback/${stack}\\) left its pause window on ` +
      `simulator .* open \\(opened .* for enabling Group Writeback V2\\): ${what}`,
  );
const SCHEDULER_REPAIRED = "re-enabled the sync scheduler \\(SyncCycleEnabled = True\\); closed the window";

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** A hang that the provider is waiting in, as the journal shows it. */
function hangReached(stateFile: string, operation: string, nth = 1): boolean {
  return (
    providerOperations(stateFile).filter((o) => o.operation === operation && o.code === "InjectedFault")
      .length >= nth
  );
}

/** Kills the CLI with SIGKILL; returns the moment of the kill. */
async function killCli(up: ReturnType<CliProject["start"]>): Promise<number> {
  const killedAt = Date.now();
  up.child.kill("SIGKILL");
  const run = await up.done;
  expect(run.signal).toBe("SIGKILL");
  return killedAt;
}

function pendingOperations(exported: CliRun): unknown[] {
  expect(exported.exitCode).toBe(0);
  const deployment = (JSON.parse(exported.stdout) as { deployment: { pending_operations?: unknown[] } })
    .deployment;
  return deployment.pending_operations ?? [];
}

/** The operator's next step: a plain `pulumi up`, after `pulumi cancel` if the engine says the stack is locked. */
async function nextPlainUp(project: CliProject): Promise<{ first: CliRun; final: CliRun }> {
  const first = await project.run(UP);
  if (!/locked/.test(first.output)) return { first, final: first };
  expect(first.output).toContain("pulumi cancel");
  const cancel = await project.run(["cancel", "--yes"]);
  expect(cancel.exitCode).toBe(0);
  return { first, final: await project.run(UP) };
}

test("killed after the pause: no plugin process outlives the CLI, nothing is written after the kill, the next up repairs", async () => {
  const stateFile = labServer();
  simOk(["fault", stateFile, "setGroupWritebackV2", "--kind", "hang"]);
  // A short call timeout: a provider left running would give up on the hang and resume within seconds. (5 s: long
  // enough for every other call of this deployment on a loaded machine, as the 3 s of the resume test below.)
  const project = await cliProject("killed-after-pause", stateFile, { callTimeoutSeconds: 5 });
  try {
    const up = project.start(UP);
    await until("the v2 call to hang", () => hangReached(stateFile, "setGroupWritebackV2"), 120_000);
    const plugins = project.processes().map((p) => p.command);
    expect(plugins.some((command) => command.includes("language-host.js"))).toBe(true);
    expect(plugins.some((command) => command.includes("dynamic-provider"))).toBe(true);
    // The CLI runs with the garbage collector setting of the project's tools (goRuntimeEnvironment).
    const cli = project.processes().find((p) => p.command.startsWith(`${pulumiCliPath()} `));
    expect(cli).toBeDefined();
    expect(fs.readFileSync(`/proc/${cli!.pid}/environ`, "utf8").split("\0")).toContain(
      `GOGC=${goRuntimeEnvironment().GOGC}`,
    );

    const killedAt = await killCli(up);
    const left = await until(
      "the plugins to exit",
      () => project.processes().length === 0 && "none",
      15_000,
    ).catch(() => project.processes());
    expect(left).toBe("none");

    // Past the call timeout (and 3 s more): a provider still running would have sent the resume by now.
    await sleep(8_000);
    const ours = providerOperations(stateFile);
    const before = ours.filter((o) => Date.parse(o.wallAt) <= killedAt);
    expect(before.map((o) => `${o.operation} ${o.outcome}`)).toContain("setSchedulerSyncCycleEnabled ok");
    expect(new Set(before.map((o) => o.stack))).toEqual(new Set(["entra-writeback/killed-after-pause"]));
    expect(ours.filter((o) => Date.parse(o.wallAt) > killedAt)).toEqual([]);
    expect(show(stateFile).state.tenant.scheduler.syncCycleEnabled).toBe(false);

    const { final } = await nextPlainUp(project);
    expect(final.output).toMatch(repaired("killed-after-pause", SCHEDULER_REPAIRED));
    const { state } = show(stateFile);
    expect(state.tenant.scheduler.syncCycleEnabled).toBe(true);
    expect(state.tenant.features.groupWritebackV2).toBe(true);
  } finally {
    await project.cleanup();
  }
});

test("killed while the resume hangs, after the v2 change: the next plain up re-enables the scheduler and says so", async () => {
  const stateFile = labServer();
  // The pause goes through; the resume (the second call) hangs.
  simOk(["fault", stateFile, "setSchedulerSyncCycleEnabled", "--after", "1", "--kind", "hang"]);
  const project = await cliProject("killed-in-resume", stateFile);
  try {
    const up = project.start(UP);
    await until("the resume to hang", () => hangReached(stateFile, "setSchedulerSyncCycleEnabled"), 120_000);
    await killCli(up);
    const { state: left } = show(stateFile);
    expect(left.tenant.features.groupWritebackV2).toBe(true);
    expect(left.tenant.scheduler.syncCycleEnabled).toBe(false);

    const { final } = await nextPlainUp(project);
    expect(final.output).toMatch(repaired("killed-in-resume", SCHEDULER_REPAIRED));
    expect(show(stateFile).state.tenant.scheduler.syncCycleEnabled).toBe(true);

    // The engine kept the interrupted create as a pending operation; the advice clears it.
    expect(final.output).toContain("pending operations from previous deployment");
    expect(pendingOperations(await project.run(["stack", "export"]))).toHaveLength(1);
    const refresh = await project.run(["refresh", "--yes", "--clear-pending-creates"]);
    expect(refresh.exitCode).toBe(0);
    expect(pendingOperations(await project.run(["stack", "export"]))).toEqual([]);
    expect(show(stateFile).state.tenant.scheduler.syncCycleEnabled).toBe(true);
  } finally {
    await project.cleanup();
  }
});

test("the resume call times out: the error says the scheduler is still disabled, and following its advice repairs it", async () => {
  const stateFile = labServer();
  simOk(["fault", stateFile, "setSchedulerSyncCycleEnabled", "--after", "1", "--kind", "hang"]);
  const project = await cliProject("resume-timeout", stateFile, { callTimeoutSeconds: 3 });
  try {
    const failed = await project.run(UP);
    expect(failed.exitCode).not.toBe(0);
    expect(failed.output).toMatch(
      /enabling Group Writeback V2 succeeded on simulator .*, but: THE SYNC SCHEDULER ON SIMULATOR .* IS STILL DISABLED: re-enabling it failed/,
    );
    expect(failed.output).toContain(
      "run `pulumi up` again (it finds the scheduler disabled and re-enables it)",
    );
    expect(show(stateFile).state.tenant.scheduler.syncCycleEnabled).toBe(false);

    // A plain preview (no --refresh) already shows it.
    const preview = await project.run(["preview", "--diff"]);
    expect(preview.exitCode).toBe(0);
    expect(preview.output).toContain(
      "the sync scheduler on CONNECT01 is disabled (SyncCycleEnabled = False), but this stack declares it enabled: the update re-enables it",
    );
    expect(preview.output).toMatch(/~ pulumi-nodejs:dynamic\/entra-writeback:SchedulerState: \(update\)/);

    // The advice, as given: `pulumi up` again.
    const again = await project.run(UP);
    expect(again.output).toMatch(repaired("resume-timeout", SCHEDULER_REPAIRED));
    expect(show(stateFile).state.tenant.scheduler.syncCycleEnabled).toBe(true);
  } finally {
    await project.cleanup();
  }
});

test("killed during the Initial cycle (v1 was already configured): the scheduler ends enabled, the next up starts the cycle it owed", async () => {
  const stateFile = labServer();
  // v1 configured by the wizard before v2, on an OU that exists already.
  const ou = "OU=Groups,OU=Corp,DC=contoso,DC=com";
  simOk(["wizard", stateFile, "group-writeback", "--enable", "--ou", ou]);
  finishSync(stateFile);
  simOk(["fault", stateFile, "startSyncCycle", "--kind", "hang"]);
  const project = await cliProject("killed-in-initial", stateFile, { writebackOu: ou });
  try {
    const up = project.start(UP);
    await until("the Initial cycle call to hang", () => hangReached(stateFile, "startSyncCycle"), 120_000);
    await killCli(up);
    expect(show(stateFile).state.tenant.scheduler.syncCycleEnabled).toBe(true); // resumed before the cycle
    const initialCycles = () =>
      providerOperations(stateFile).filter(
        (o) => o.operation === "startSyncCycle" && o.outcome === "ok" && o.args.policyType === "Initial",
      ).length;
    expect(initialCycles()).toBe(0);

    const { final } = await nextPlainUp(project);
    expect(final.output).toMatch(
      repaired("killed-in-initial", "started the Initial sync cycle that window owed .*; closed the window"),
    );
    expect(initialCycles()).toBe(1);
    expect(show(stateFile).state.tenant.scheduler.syncCycleEnabled).toBe(true);
  } finally {
    await project.cleanup();
  }
});

test("killed after the pause, v1 already configured: the next up re-enables, then runs the v2 window again with one Initial cycle", async () => {
  const stateFile = labServer();
  const ou = "OU=Groups,OU=Corp,DC=contoso,DC=com";
  simOk(["wizard", stateFile, "group-writeback", "--enable", "--ou", ou]);
  finishSync(stateFile);
  simOk(["fault", stateFile, "setGroupWritebackV2", "--kind", "hang"]);
  const project = await cliProject("killed-before-change", stateFile, { writebackOu: ou });
  try {
    const up = project.start(UP);
    await until("the v2 call to hang", () => hangReached(stateFile, "setGroupWritebackV2"), 120_000);
    await killCli(up);
    expect(show(stateFile).state.tenant.features.groupWritebackV2).toBe(false);

    const { final } = await nextPlainUp(project);
    expect(final.output).toMatch(
      repaired(
        "killed-before-change",
        "re-enabled the sync scheduler \\(SyncCycleEnabled = True\\); the Initial sync cycle that window owes is left to the enabling Group Writeback V2 step",
      ),
    );
    expect(final.output).toContain(
      "took over the pause window that an interrupted deployment of this stack (entra-writeback/killed-before-change) left open",
    );
    const initialCycles = providerOperations(stateFile).filter(
      (o) => o.operation === "startSyncCycle" && o.outcome === "ok" && o.args.policyType === "Initial",
    );
    expect(initialCycles).toHaveLength(1);
    const { state } = show(stateFile);
    expect(state.tenant.features.groupWritebackV2).toBe(true);
    expect(state.tenant.scheduler.syncCycleEnabled).toBe(true);
    expect(state.servers[0]?.syncWindow).toBeNull();
  } finally {
    await project.cleanup();
  }
});

test("two stacks on one server: the second is refused, naming the first, while the first is inside its window; once that window lapsed, the second takes it over", async () => {
  const stateFile = labServer();
  simOk(["fault", stateFile, "setGroupWritebackV2", "--kind", "hang"]);
  const first = await cliProject("first", stateFile);
  const second = await cliProject("second", stateFile);
  try {
    const up = first.start(UP);
    await until(
      "the first stack's v2 call to hang",
      () => hangReached(stateFile, "setGroupWritebackV2"),
      120_000,
    );

    const refused = await second.run(UP);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.output).toMatch(
      /another stack, entra-writeback\/first, has the sync scheduler on CONNECT01 paused for enabling Group Writeback V2 \(its window opened .* and lapses .*\)\. Two stacks must not pause and resume the same scheduler at once: nothing was changed/,
    );
    // The journal names the stack of every provider call: the second stack read, and wrote nothing.
    const writes = /^(set|start|open|close|new|remove|grant|revoke)/;
    const ops = providerOperations(stateFile);
    expect(ops.filter((o) => o.stack === "entra-writeback/second").length).toBeGreaterThan(0);
    expect(ops.filter((o) => o.stack === "entra-writeback/second" && writes.test(o.operation))).toEqual([]);
    expect(ops.filter((o) => writes.test(o.operation)).map((o) => `${o.stack} ${o.operation}`)).toEqual([
      "entra-writeback/first openSyncWindow",
      "entra-writeback/first setSchedulerSyncCycleEnabled",
      "entra-writeback/first setGroupWritebackV2",
    ]);
    expect(show(stateFile).state.tenant.scheduler.syncCycleEnabled).toBe(false);

    // The first deployment dies inside its window; its lease (3 x syncIdleTimeoutSeconds + 4 x
    // callTimeoutSeconds + 60 s = 3,060 s here) runs out.
    await killCli(up);
    simOk(["clock", stateFile, "--advance", "3100"]);
    const takeover = await second.run(UP);
    expect(takeover.output).toMatch(
      /REPAIRED: entra-writeback\/first, whose window lapsed at .*, left its pause window on simulator .* open \(opened .* for enabling Group Writeback V2\): re-enabled the sync scheduler \(SyncCycleEnabled = True\); closed the window/,
    );
    const { state } = show(stateFile);
    expect(state.tenant.scheduler.syncCycleEnabled).toBe(true);
    expect(state.tenant.features.groupWritebackV2).toBe(true);
  } finally {
    await first.cleanup();
    await second.cleanup();
  }
});

test("killed while a PowerShell call hangs: the PowerShell process stops with the provider, and sends nothing more", async () => {
  const directory = newLabDirectory();
  const stateFile = newLabServer(directory, ["--clock", "real", "--m365", "2"]);
  const log = path.join(directory, "powershell.log");
  const control = path.join(directory, "control.json");
  fs.writeFileSync(
    control,
    JSON.stringify({ faults: [{ operation: "setGroupWritebackV2", fault: "hang" }] }),
  );
  const project = await cliProject(
    "killed-in-powershell",
    stateFile,
    { target: JSON.stringify({ kind: "local" }), callTimeoutSeconds: 12 },
    {
      NODE_POWERSHELL: path.join(projectRoot, "tests", "support", "fakePowerShell.js"),
      FAKE_PS_MODE: "simulator",
      FAKE_PS_SIMULATOR_STATE: stateFile,
      FAKE_PS_LOG: log,
      FAKE_PS_CONTROL: control,
    },
  );
  const fakeLog = () =>
    fs.existsSync(log)
      ? fs
          .readFileSync(log, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((line) => JSON.parse(line) as { event: string; script?: string; pid: number })
      : [];
  try {
    const up = project.start(UP);
    await until(
      "the v2 call to hang in PowerShell",
      () => fakeLog().some((r) => r.event === "fault" && r.script === "setGroupWritebackV2"),
      120_000,
    );
    const powershell = project.processes().filter((p) => p.command.includes("fakePowerShell.js"));
    expect(powershell).toHaveLength(1);

    const killedAt = await killCli(up);
    const left = await until(
      "every process to exit",
      () => project.processes().length === 0 && "none",
      15_000,
    ).catch(() => project.processes());
    expect(left).toBe("none");

    await sleep(15_000); // past the call timeout
    const calls = fakeLog()
      .filter((r) => r.event === "call")
      .map((r) => r.script);
    expect(calls).toContain("setSchedulerSyncCycleEnabled"); // the pause went through PowerShell
    expect(calls.at(-1)).toBe("setGroupWritebackV2"); // and nothing after the hanging call
    const journal = show(stateFile).journal.filter(
      (e): e is JournalOperation => e.kind === "operation" && e.client === "powershell-fake",
    );
    expect(journal.some((e) => Date.parse(e.wallAt) <= killedAt)).toBe(true);
    expect(journal.filter((e) => Date.parse(e.wallAt) > killedAt)).toEqual([]);
    expect(show(stateFile).state.tenant.scheduler.syncCycleEnabled).toBe(false);
  } finally {
    await project.cleanup();
    fs.rmSync(directory, { recursive: true, force: true });
  }
});
