// Benchmark of the simulator at tenant scale: init, the wizard's Initial cycle, a converged Delta cycle,
// listWrittenBackGroups, single reads (the scheduler, the feature flags), peak memory and the file size.
// Run with `npm run bench` (100,000 groups) or `npm run bench -- 100000 1000000`; BENCH_READS sets the
// number of single reads (default 1,000). Each size runs in its own process, so peak memory is per size; the
// Initial cycle, the Delta cycle and listWrittenBackGroups each run in a process of their own on the state the
// steps before left, as a provider process or `entra-sim` runs one step: their peak is that step's alone.
// It prints numbers; it asserts only that the cycle wrote back every group.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EntraConnectClient } from "../contract/backend";
import {
  advance,
  callOperation,
  createSimulatorBackend,
  initState,
  withState,
  wizardEnableGroupWriteback,
} from "../simulator";

const READS = Number(process.env.BENCH_READS ?? 1_000);

function line(label: string, value: string, cpu = "", peak = ""): void {
  console.log(`  ${label.padEnd(52)} ${value.padStart(10)} ${cpu.padStart(14)} ${peak.padStart(10)}`);
}

type StepName = "initial" | "delta" | "list";

interface StepResult {
  wallMs: number;
  cpuSeconds: number;
  peakMb: number;
  detail: string;
}

/** One heavy step, in the process that runs this: its wall and CPU time and the process's peak memory. */
async function runStep(step: StepName, stateFile: string, ou: string, groups: number): Promise<StepResult> {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  let detail = "";
  if (step === "initial") {
    await withState(stateFile, (tx) => advance(tx, 60));
  } else if (step === "delta") {
    await callOperation(stateFile, "startSyncCycle", { policyType: "Delta" });
    await withState(stateFile, (tx) => advance(tx, 60));
  } else {
    const client = new EntraConnectClient(createSimulatorBackend({ stateFile, client: "bench" }));
    const listed = await client.call("listWrittenBackGroups", { dn: ou });
    if (listed.groups.length !== groups)
      throw new Error(`expected ${groups} written-back groups, found ${listed.groups.length}`);
  }
  if (step !== "list")
    detail = JSON.stringify(await withState(stateFile, (tx) => tx.state.servers[0]?.lastCycle));
  const used = process.cpuUsage(cpu);
  return {
    wallMs: Number(process.hrtime.bigint() - started) / 1e6,
    cpuSeconds: (used.user + used.system) / 1e6,
    peakMb: process.resourceUsage().maxRSS / 1024,
    detail,
  };
}

/** Runs a step in a Node process of its own and prints its line. */
function stepInOwnProcess(
  label: string,
  step: StepName,
  stateFile: string,
  ou: string,
  groups: number,
): string {
  const run = spawnSync(process.execPath, [__filename, "--step", step, stateFile, ou, String(groups)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (run.status !== 0) throw new Error(`the step "${label}" failed`);
  const result = JSON.parse(run.stdout) as StepResult;
  line(
    label,
    `${(result.wallMs / 1000).toFixed(2)} s`,
    `${result.cpuSeconds.toFixed(2)} s CPU`,
    `${result.peakMb.toFixed(0)} MB`,
  );
  return result.detail;
}

/** Wall time, and this process's CPU time (user + system): on a busy machine the CPU time is the steadier figure. */
async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const result = await fn();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const used = process.cpuUsage(cpu);
  line(label, `${(ms / 1000).toFixed(2)} s`, `${((used.user + used.system) / 1e6).toFixed(2)} s CPU`);
  return result;
}

/** All the files of the state (the database and what sits beside it), in bytes. */
function stateBytes(directory: string): number {
  return fs
    .readdirSync(directory)
    .reduce((sum, name) => sum + fs.statSync(path.join(directory, name)).size, 0);
}

async function benchOneSize(groups: number): Promise<void> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "entra-sim-bench-"));
  const stateFile = path.join(directory, "bench.json");
  console.log(`${groups.toLocaleString("en-US")} Microsoft 365 groups (state in ${directory})`);
  line("", "wall", "CPU", "peak RSS");
  try {
    const summary = await timed("init", () =>
      initState(stateFile, {
        m365: groups,
        m365OptedOut: 0,
        security: 0,
        securityEnabled: 0,
        clock: "simulated",
      }),
    );
    const client = new EntraConnectClient(createSimulatorBackend({ stateFile, client: "bench" }));
    const ou = summary.suggestedWritebackOu;
    await timed("enable v2, create and grant the OU (3 operations)", async () => {
      await client.call("setGroupWritebackV2", { enabled: true });
      await client.call("newOrganizationalUnit", {
        name: "Entra Writeback",
        parentDn: ou.slice(ou.indexOf(",") + 1),
      });
      await client.call("grantWritebackAccess", { dn: ou, accountDn: summary.connectorAccountDn });
    });
    await timed("wizard: enable v1 (starts the Initial cycle)", () =>
      wizardEnableGroupWriteback(stateFile, { ou }),
    );
    stepInOwnProcess("Initial cycle: writes back every group", "initial", stateFile, ou, groups);
    const last = stepInOwnProcess("Delta cycle over the converged tenant", "delta", stateFile, ou, groups);
    stepInOwnProcess("listWrittenBackGroups", "list", stateFile, ou, groups);
    const durations: number[] = [];
    const readsCpu = process.cpuUsage();
    for (let i = 0; i < READS; i++) {
      const started = process.hrtime.bigint();
      await client.call(i % 2 === 0 ? "getScheduler" : "getCompanyFeatures", {});
      durations.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    durations.sort((a, b) => a - b);
    const mean = durations.reduce((sum, ms) => sum + ms, 0) / durations.length;
    const readsUsed = process.cpuUsage(readsCpu);
    line(
      `${READS} single reads (getScheduler, getCompanyFeatures)`,
      `${((mean * READS) / 1000).toFixed(2)} s`,
      `${((readsUsed.user + readsUsed.system) / 1e6).toFixed(2)} s CPU`,
    );
    line("  one read: mean", `${mean.toFixed(1)} ms`);
    line("  one read: 95th percentile", `${durations[Math.floor(durations.length * 0.95)]?.toFixed(1)} ms`);
    line(
      "peak memory of this process (the other steps)",
      `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
    );
    line("state on disk", `${(stateBytes(directory) / 1024 / 1024).toFixed(1)} MB`);
    console.log(`  last cycle: ${last}`);
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === "--step") {
    const [step, stateFile, ou, groups] = process.argv.slice(3) as [StepName, string, string, string];
    process.stdout.write(JSON.stringify(await runStep(step, stateFile, ou, Number(groups))));
    return;
  }
  const sizes = process.argv.slice(2).map(Number);
  if (sizes.length === 1) return benchOneSize(sizes[0] as number);
  // One process per size: peak memory is then the figure of that size alone.
  for (const size of sizes.length > 0 ? sizes : [100_000]) {
    const run = spawnSync(process.execPath, [__filename, String(size)], { stdio: "inherit" });
    if (run.status !== 0) throw new Error(`the run with ${size} groups failed`);
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${(error as Error).message}`);
  process.exitCode = 1;
});
