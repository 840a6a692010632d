// Benchmark: a tenant with 100,000 Microsoft 365 groups, v2 then v1 enabled, one Initial cycle to completion.
// Run with `npm run bench`; prints wall times and the state-file size.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EntraConnectClient } from "../operations/backend";
import {
  advance,
  createSimulatorBackend,
  initState,
  readState,
  withState,
  wizardEnableGroupWriteback,
} from "../simulator";

const GROUPS = Number(process.env.BENCH_GROUPS ?? 100_000);

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const started = process.hrtime.bigint();
  const result = await fn();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`${label.padEnd(44)} ${(ms / 1000).toFixed(2).padStart(8)} s`);
  return result;
}

async function main(): Promise<void> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "entra-sim-bench-"));
  const stateFile = path.join(directory, "bench.json");
  console.log(
    `entra-sim benchmark: ${GROUPS.toLocaleString("en-US")} Microsoft 365 groups, state in ${stateFile}`,
  );
  try {
    const summary = await timed("init", () =>
      initState(stateFile, {
        m365: GROUPS,
        m365OptedOut: 0,
        security: 0,
        securityEnabled: 0,
        clock: "simulated",
      }),
    );
    const client = new EntraConnectClient(createSimulatorBackend({ stateFile, client: "bench" }));
    const ou = summary.suggestedWritebackOu;
    await timed("enable v2, create and grant the OU", async () => {
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
    await timed("Initial cycle to completion (one transaction)", () =>
      withState(stateFile, (tx) => advance(tx, 60)),
    );
    const state = await timed("read the state afterwards", () => readState(stateFile));
    const server = state.servers[0];
    const bytes = fs.statSync(stateFile).size;
    console.log(
      `state file size                              ${(bytes / 1024 / 1024).toFixed(1).padStart(8)} MB`,
    );
    console.log(`last cycle: ${JSON.stringify(server?.lastCycle)}`);
    const listed = await timed("listWrittenBackGroups", () =>
      client.call("listWrittenBackGroups", { dn: ou }),
    );
    console.log(`written back under the OU: ${listed.groups.length.toLocaleString("en-US")}`);
    if (listed.groups.length !== GROUPS)
      throw new Error(`expected ${GROUPS} written-back groups, found ${listed.groups.length}`);
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${(error as Error).message}`);
  process.exitCode = 1;
});
