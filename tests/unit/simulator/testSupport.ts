// Shared helpers for the simulator tests: temporary state files, a client on the simulator, the built CLI.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EntraConnectClient } from "../../../contract/backend";
import {
  createSimulatorBackend,
  initState,
  type InitOptions,
  type InitSummary,
  readJournal,
  readState,
  type SimState,
  withFileLock,
} from "../../../simulator";
import { entraSim } from "../../support/entraSimInProcess";

export const PROJECT_ROOT = path.resolve(__dirname, "../../..");
export const ENTRA_SIM = path.join(PROJECT_ROOT, "bin", "entra-sim");
export const FIXED_NOW = "2025-01-06T08:00:00.000Z";

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "entra-sim-test-"));
}

export interface Sim {
  file: string;
  dir: string;
  summary: InitSummary;
  client: EntraConnectClient;
  /** The writeback OU init suggests (not created yet). */
  ou: string;
  /** Its parent, which exists. */
  ouParent: string;
  account: string;
  state(): Promise<SimState>;
  journal(): ReturnType<typeof readJournal>;
  cleanup(): Promise<void>;
}

/** A fresh state on a simulated clock, and a validated client on it. */
export async function newSim(options: InitOptions = {}): Promise<Sim> {
  const dir = tempDir();
  const file = path.join(dir, "lab.json");
  const summary = await initState(file, { clock: "simulated", now: FIXED_NOW, ...options });
  const client = new EntraConnectClient(createSimulatorBackend({ stateFile: file, client: "test" }));
  const ou = summary.suggestedWritebackOu;
  return {
    file,
    dir,
    summary,
    client,
    ou,
    ouParent: ou.slice(ou.indexOf(",") + 1),
    account: summary.connectorAccountDn,
    state: () => readState(file),
    journal: () => readJournal(file),
    async cleanup() {
      await client.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Creates the suggested OU and grants the connector account the writeback ACE on it. */
export async function prepareOu(sim: Sim): Promise<void> {
  await sim.client.call("newOrganizationalUnit", { name: "Entra Writeback", parentDn: sim.ouParent });
  await sim.client.call("grantWritebackAccess", { dn: sim.ou, accountDn: sim.account });
}

/** Lets simulated time pass until no cycle runs on the server (polling like a provider would). */
export async function waitForIdle(sim: Sim): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const scheduler = await sim.client.call("getScheduler", {});
    if (!scheduler.syncCycleInProgress) return;
    await sim.client.sleep(15_000);
  }
  throw new Error("the sync cycle did not complete");
}

function newestMtime(directory: string): number {
  return Math.max(
    ...fs
      .readdirSync(directory)
      .filter((name) => name.endsWith(".ts"))
      .map((name) => fs.statSync(path.join(directory, name)).mtimeMs),
  );
}

/**
 * The CLI tests run bin/entra-sim, and the drift tests dist/tools, which need dist/. Builds it when it is missing or
 * older than the sources (one build at a time across jest workers). tsc still emits when files of other modules fail to type-check.
 */
export async function ensureBuilt(): Promise<void> {
  const built = path.join(PROJECT_ROOT, "dist", "simulator", "cli.js");
  const isFresh = (): boolean =>
    fs.existsSync(built) &&
    fs.statSync(built).mtimeMs >=
      Math.max(
        ...["simulator", "contract", "domain", "backends", "graph", "tools", "tools/drift"].map((folder) =>
          newestMtime(path.join(PROJECT_ROOT, folder)),
        ),
      );
  if (isFresh()) return;
  fs.mkdirSync(path.join(PROJECT_ROOT, "dist"), { recursive: true });
  await withFileLock(
    path.join(PROJECT_ROOT, "dist", ".entra-sim-build.lock"),
    () => {
      if (isFresh()) return;
      const tsc = path.join(PROJECT_ROOT, "node_modules", "typescript", "bin", "tsc");
      const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
        cwd: PROJECT_ROOT,
        encoding: "utf8",
      });
      if (!isFresh())
        throw new Error(`npm run build did not produce ${built}: ${result.stdout}${result.stderr}`);
    },
    { timeoutMs: 180_000 },
  );
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** bin/entra-sim in its own process (what an admin's shell runs). */
export function cli(args: string[], cwd?: string): CliResult {
  const result = spawnSync(process.execPath, [ENTRA_SIM, ...args], {
    encoding: "utf8",
    cwd: cwd ?? PROJECT_ROOT,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The same command through the CLI's entry function, main(argv, io), in this process (the built dist/, as the
 * bin loads it): what most CLI tests use; `cli` keeps the process around it tested. */
export function cliInProcess(args: string[]): CliResult {
  const { status, stdout, stderr } = entraSim(args);
  return { code: status, stdout, stderr };
}
