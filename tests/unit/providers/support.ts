// Providers called directly (as the engine's provider process would) against a fresh simulated server.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { closeClients } from "../../../providers/common/connection";
import { PROVIDER_VERSION } from "../../../providers/common/version";
import { callOperation, type InitOptions, initState, readJournal, readState } from "../../../simulator";
import { clearClaimsForTests } from "../../../providers/common/claims";

export interface Lab {
  stateFile: string;
  target: { kind: "simulator"; stateFile: string };
  ou: string;
  account: string;
  /** Operations the providers ran (journal client "pulumi"), as "name(args)". */
  operations(): string[];
  /** The writes among them since the first `before` (every operation but get* and list*). */
  writesSince(before?: number): string[];
  features(): Promise<Record<string, boolean>>;
  syncCycleEnabled(): Promise<boolean>;
  call(operation: Parameters<typeof callOperation>[1], args?: unknown): Promise<unknown>;
  cleanup(): Promise<void>;
}

export async function newLab(options: InitOptions = {}): Promise<Lab> {
  clearClaimsForTests(); // a new lab stands for a new deployment (a new provider process)
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "entra-writeback-unit-"));
  const stateFile = path.join(directory, "lab.json");
  const summary = await initState(stateFile, {
    clock: "simulated",
    now: "2025-01-06T08:00:00.000Z",
    ...options,
  });
  const operations = (): string[] =>
    readJournal(stateFile).flatMap((entry) =>
      entry.kind === "operation" && entry.client === "pulumi"
        ? [`${entry.operation}(${JSON.stringify(entry.args)})`]
        : [],
    );
  return {
    stateFile,
    target: { kind: "simulator", stateFile },
    ou: summary.suggestedWritebackOu,
    account: summary.connectorAccountDn,
    operations,
    writesSince: (before = 0) =>
      operations()
        .slice(before)
        .filter((operation) => !/^(get|list)/.test(operation)),
    features: async () => (await readState(stateFile)).tenant.features,
    syncCycleEnabled: async () => (await readState(stateFile)).tenant.scheduler.syncCycleEnabled,
    call: (operation, args = {}) => callOperation(stateFile, operation, args),
    async cleanup() {
      await closeClients();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

export const versioned = <T extends object>(inputs: T) => ({ ...inputs, providerVersion: PROVIDER_VERSION });

/** Swallows the provider's progress lines (console.log) and returns them. */
export function captureProgress(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const spy = jest.spyOn(console, "log").mockImplementation((line: unknown) => {
    lines.push(String(line));
  });
  return { lines, restore: () => spy.mockRestore() };
}

export async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error("expected a rejection");
}
