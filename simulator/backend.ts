// The simulator as a Backend of the operation contract: each call is one transaction on the state database.
import { setTimeout as delay } from "node:timers/promises";
import type { Backend, WizardStep } from "../contract/backend";
import { commandLine } from "./commandLine";
import type { OperationName } from "../contract/contract";
import { OperationError } from "../contract/errors";
import { advance, runOperation } from "./admin";
import { openStateDatabase, readCore } from "./store";
import { resolveStateFile, withState } from "./transaction";

export interface SimulatorBackendOptions {
  /** The state file; a relative path resolves against process.cwd(). */
  stateFile: string;
  /** Server name inside the state; default the first server. */
  server?: string;
  /** Name recorded in the journal; default "backend". */
  client?: string;
  /** The Pulumi stack (project/stack) to record in the journal with each call, once known. */
  stack?: () => string | undefined;
}

export function createSimulatorBackend(options: SimulatorBackendOptions): Backend {
  const stateFile = resolveStateFile(options.stateFile);
  const client = options.client ?? "backend";
  const pendingHangs = new Set<{ timer: NodeJS.Timeout; reject: (error: Error) => void }>();
  let serverName = options.server;

  const serverLabel = (): string => {
    if (serverName !== undefined) return serverName;
    try {
      const db = openStateDatabase(stateFile);
      try {
        serverName = readCore(stateFile, db).core.servers[0]?.name;
      } finally {
        db.close();
      }
    } catch {
      return "first server";
    }
    return serverName ?? "first server";
  };

  /** A hang holds the caller, never the state lock; close() ends it. */
  const hang = (operation: string, seconds: number, message: string): Promise<never> =>
    new Promise<never>((_resolve, reject) => {
      const entry = {
        timer: setTimeout(() => {
          pendingHangs.delete(entry);
          reject(new OperationError(operation, "InjectedFault", `${message} (hung for ${seconds} s)`));
        }, seconds * 1000),
        reject,
      };
      entry.timer.unref();
      pendingHangs.add(entry);
    });

  const transportError = (operation: string, error: unknown): OperationError =>
    new OperationError(
      operation,
      "Transport",
      `simulator ${options.stateFile}: ${(error as Error).message ?? String(error)}`,
    );

  return {
    get description(): string {
      return `simulator ${options.stateFile} (${serverLabel()})`;
    },

    wizardHint(step: WizardStep): string {
      const server = options.server !== undefined ? ["--server", options.server] : [];
      if ("stagingMode" in step) {
        const command = commandLine(
          ...["npx", "entra-sim", "wizard", options.stateFile, "staging"],
          ...[step.stagingMode ? "--enable" : "--disable", ...server],
        );
        return `On this simulated server, the admin's wizard step is: ${command}`;
      }
      const option = step.displayNameDn ? ["--display-name-dn"] : [];
      const command = commandLine(
        ...["npx", "entra-sim", "wizard", options.stateFile, "group-writeback", "--enable", "--ou"],
        ...[step.writebackOu, ...option, ...server],
      );
      return `On this simulated server, the admin's wizard step is: ${command}`;
    },

    async run(operation: OperationName, args: unknown): Promise<unknown> {
      let outcome;
      const stack = options.stack?.();
      try {
        outcome = await runOperation(stateFile, {
          operation,
          args,
          client,
          ...(stack !== undefined ? { stack } : {}),
          faults: true,
          ...(options.server !== undefined ? { server: options.server } : {}),
        });
      } catch (error) {
        throw transportError(operation, error);
      }
      if (outcome.kind === "error") throw outcome.error;
      if (outcome.kind === "hang") return hang(operation, outcome.seconds, outcome.message);
      // Plain JSON, detached from the transaction's state.
      return JSON.parse(JSON.stringify(outcome.result)) as unknown;
    },

    async sleep(milliseconds: number): Promise<void> {
      if (!(milliseconds > 0)) return;
      let simulated: boolean;
      try {
        simulated = await withState(stateFile, (tx) => {
          if (tx.state.clock.mode !== "simulated") return false;
          advance(tx, milliseconds / 1000);
          return true;
        });
      } catch (error) {
        throw transportError("sleep", error);
      }
      if (!simulated) await delay(milliseconds);
    },

    async close(): Promise<void> {
      for (const pending of pendingHangs) {
        clearTimeout(pending.timer);
        pending.reject(
          new OperationError("close", "Transport", "the simulator backend was closed while a call hung"),
        );
      }
      pendingHangs.clear();
    },
  };
}
