// Benchmark of the Microsoft 365 group opt-out against the simulated Graph: for each size, a tenant of that many
// Microsoft 365 groups, one listing of every page (ms per page), then GroupWritebackOptOut's run opting every group
// out: requests made, wall time, peak memory. Run with `npm run bench:optout` (10,000 and 100,000 groups) or
// `npm run bench:optout -- 5000`. Each size runs in its own process, so peak memory is per size.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GraphClient } from "../graph";
import { initState } from "../simulator";
import { readGraphCredentials, startGraphSimulator } from "../simulator/graph";

function line(label: string, value: string): void {
  console.log(`  ${label.padEnd(52)} ${value.padStart(14)}`);
}

async function benchOneSize(size: number): Promise<void> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "entra-sim-optout-"));
  const stateFile = path.join(directory, "bench.db");
  console.log(`${size.toLocaleString("en-US")} Microsoft 365 groups (state in ${directory})`);
  await initState(stateFile, {
    m365: size,
    m365OptedOut: 0,
    security: 0,
    securityEnabled: 0,
    clock: "simulated",
  });
  const simulator = await startGraphSimulator({ stateFile });
  const credentials = await readGraphCredentials(stateFile);
  const app = credentials.apps.find((each) => each.displayName === "entra-writeback")!;
  const graph = new GraphClient({
    tenantId: credentials.tenantId,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    authorityHost: simulator.authorityHost,
    graphEndpoint: simulator.graphEndpoint,
    trustedCertificatePem: simulator.certificatePem,
  });
  try {
    const pageMs: number[] = [];
    let started = process.hrtime.bigint();
    let items = 0;
    for await (const page of graph.groupPages({
      filter: "groupTypes/any(c:c eq 'Unified')",
      select: ["id", "groupTypes", "onPremisesSyncEnabled", "writebackConfiguration"],
    })) {
      const now = process.hrtime.bigint();
      pageMs.push(Number(now - started) / 1e6);
      items += page.groups.length;
      started = process.hrtime.bigint();
    }
    const sorted = [...pageMs].sort((a, b) => a - b);
    line(`list every group: ${pageMs.length} pages of up to 999`, `${items} groups`);
    line("  ms per page: mean", `${(pageMs.reduce((s, ms) => s + ms, 0) / pageMs.length).toFixed(1)} ms`);
    line("  ms per page: max", `${sorted.at(-1)?.toFixed(1)} ms`);
    line("peak memory (max RSS)", `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  } finally {
    await graph.close();
    await simulator.stop();
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number);
  if (sizes.length === 1) return benchOneSize(sizes[0] as number);
  for (const size of sizes.length > 0 ? sizes : [10_000, 100_000]) {
    const run = spawnSync(process.execPath, [__filename, String(size)], { stdio: "inherit" });
    if (run.status !== 0) throw new Error(`the run with ${size} groups failed`);
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${(error as Error).message}`);
  process.exitCode = 1;
});
