// One transaction on the state file: lock, read, let due time-driven things happen, change, write, journal.
import * as path from "node:path";
import { currentTimeMs, toIso } from "./clock";
import { appendJournal, type JournalEntry } from "./journal";
import type { SimState } from "./model";
import {
  type LockOptions,
  lockFileFor,
  parseStateText,
  readStateText,
  serializeState,
  withFileLock,
  writeFileAtomic,
} from "./store";
import { advanceTime } from "./syncCycle";

type WithoutTimes<T> = T extends unknown ? Omit<T, "at" | "wallAt"> : never;

export interface Transaction {
  readonly file: string;
  readonly state: SimState;
  /** "Now" on the state's clock, in epoch milliseconds, after the time-driven updates. */
  readonly nowMs: number;
  /** Adds a journal entry stamped with the current simulated and wall time. */
  journal(entry: WithoutTimes<JournalEntry>): void;
  /** Records an event at a given simulated time. */
  event(event: string, server: string | null, details: Record<string, unknown>, atMs?: number): void;
  /** Re-reads the clock (after the transaction moved it) and applies what became due. */
  catchUp(): void;
}

export interface TransactionOptions {
  lock?: LockOptions;
}

export function resolveStateFile(file: string): string {
  return path.resolve(process.cwd(), file);
}

/**
 * Runs fn on the state inside the file lock. The state is written (atomically) only when fn returns and
 * changed it; when fn throws, nothing is written and nothing is journaled.
 */
export async function withState<T>(
  file: string,
  fn: (tx: Transaction) => T,
  options: TransactionOptions = {},
): Promise<T> {
  const stateFile = resolveStateFile(file);
  return withFileLock(
    lockFileFor(stateFile),
    () => {
      const before = readStateText(stateFile);
      const state = parseStateText(stateFile, before);
      const entries: JournalEntry[] = [];
      const event = (
        name: string,
        server: string | null,
        details: Record<string, unknown>,
        atMs?: number,
      ): void => {
        entries.push({
          kind: "event",
          at: toIso(atMs ?? currentTimeMs(state.clock)),
          wallAt: new Date().toISOString(),
          server,
          event: name,
          details,
        });
      };
      const tx: Transaction = {
        file: stateFile,
        state,
        nowMs: 0,
        journal(entry) {
          entries.push({
            ...entry,
            at: toIso(currentTimeMs(state.clock)),
            wallAt: new Date().toISOString(),
          } as JournalEntry);
        },
        event,
        catchUp() {
          (tx as { nowMs: number }).nowMs = currentTimeMs(state.clock);
          advanceTime(state, tx.nowMs, event);
        },
      };
      tx.catchUp();
      const result = fn(tx);
      const after = serializeState(state);
      if (after !== before) writeFileAtomic(stateFile, after);
      appendJournal(stateFile, entries);
      return result;
    },
    options.lock,
  );
}

/** Reads the state as it is now (time-driven updates applied and saved). */
export async function readState(file: string): Promise<SimState> {
  return withState(file, (tx) => tx.state);
}
