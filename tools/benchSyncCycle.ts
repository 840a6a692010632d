// Benchmark of the simulator at tenant scale: init, the wizard's Initial cycle, a converged Delta cycle,
// listWrittenBackGroups, single reads (the scheduler, the feature flags), peak memory and the file size.
// Run with `npm run bench` (100,000 groups) or `npm run bench -- 100000 1000000`; BENCH_READS sets the
// number of single reads (default 1,000). Each size runs in its own process, so peak memory is per size.
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

function line(label: string, value: string, cpu = ""): void {
  console.log(`  ${label.padEnd(52)} ${value.padStart(10)} ${cpu.padStart(14)}`);
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
  line("", "wall", "CPU");
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
    await timed("Initial cycle: writes back every group", () =>
      withState(stateFile, (tx) => advance(tx, 60)),
    );
    await timed("Delta cycle over the converged tenant", async () => {
      await callOperation(stateFile, "startSyncCycle", { policyType: "Delta" });
      await withState(stateFile, (tx) => advance(tx, 60));
    });
    const last = await withState(stateFile, (tx) => tx.state.servers[0]?.lastCycle);
    const listed = await timed("listWrittenBackGroups", () =>
      client.call("listWrittenBackGroups", { dn: ou }),
    );
    if (listed.groups.length !== groups)
      throw new Error(`expected ${groups} written-back groups, found ${listed.groups.length}`);
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
    line("peak memory (max RSS)", `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
    line("state on disk", `${(stateBytes(directory) / 1024 / 1024).toFixed(1)} MB`);
    console.log(`  last cycle: ${JSON.stringify(last)}`);
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
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
