// One transaction on the state database: BEGIN IMMEDIATE (SQLite's write lock, shared by every process),
// read the core row, let due time-driven things happen, change, write the changed rows, journal, COMMIT.
import { currentTimeMs, toIso } from "./clock";
import { appendJournal, type JournalEntry } from "./journal";
import { loadState } from "./lazyState";
import type { SimState } from "./model";
import { openStateDatabase, resolveStateFile, sqliteGuard } from "./store";
import { advanceTime } from "./syncCycle";
import { advanceCloudSync } from "./cloudSync/engine";

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
  /** A plain copy of the whole state (loads every group and AD object: for show, not for operations). */
  materialize(): SimState;
}

export { resolveStateFile };

/**
 * Runs fn on the state inside one SQL transaction. What fn changed is written (only the rows that changed)
 * when it returns; when it throws, the transaction rolls back: nothing is written and nothing is journaled.
 * tx.state reads lazily: the tenant's groups and the AD objects load only when fn touches them.
 */
export async function withState<T>(file: string, fn: (tx: Transaction) => T): Promise<T> {
  const stateFile = resolveStateFile(file);
  const db = openStateDatabase(stateFile);
  try {
    return sqliteGuard(stateFile, () => {
      db.exec("BEGIN IMMEDIATE");
      try {
        const loaded = loadState(stateFile, db);
        const state = loaded.state;
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
            const cloudSyncDue = loaded.cloudSyncDueMs();
            if (cloudSyncDue !== null && cloudSyncDue <= tx.nowMs) advanceCloudSync(state, tx.nowMs, event);
          },
          materialize: () => loaded.materialize(),
        };
        tx.catchUp();
        const result = fn(tx);
        loaded.commit();
        appendJournal(db, entries);
        db.exec("COMMIT");
        return result;
      } catch (error) {
        if (db.isTransaction) db.exec("ROLLBACK");
        throw error;
      }
    });
  } finally {
    db.close();
  }
}

/** Reads the whole state as it is now (time-driven updates applied and saved), as a plain object. */
export async function readState(file: string): Promise<SimState> {
  return withState(file, (tx) => tx.materialize());
}
