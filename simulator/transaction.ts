// One transaction on the state database: BEGIN IMMEDIATE (SQLite's write lock, shared by every process),
// read the core row, let due time-driven things happen, change, write the changed rows, journal, COMMIT.
import * as fs from "node:fs";
import type { DatabaseSync } from "node:sqlite";
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
 * A state file's connection held open across transactions, for a process that serves one file for its life (the
 * simulated Graph): no open, no PRAGMAs and no close (a WAL checkpoint) per transaction, and its prepared
 * statements reused. Each transaction still takes SQLite's write lock and reads what other processes committed.
 * A file replaced under it (init --force onto another file, a new inode) is opened again.
 */
export class StateConnection {
  readonly file: string;
  #db: DatabaseSync | undefined;
  #inode = -1;
  #closed = false;

  constructor(file: string) {
    this.file = resolveStateFile(file);
  }

  /** The open connection; opened (again) when there is none or the file is no longer the one it opened. */
  database(): DatabaseSync {
    let inode: number;
    try {
      inode = fs.statSync(this.file).ino;
    } catch {
      inode = -1; // gone: openStateDatabase says so
    }
    if (this.#closed) throw new Error(`the connection to ${this.file} is closed`);
    if (this.#db && inode === this.#inode) return this.#db;
    this.#db?.close();
    this.#db = undefined;
    this.#db = openStateDatabase(this.file);
    this.#inode = inode;
    return this.#db;
  }

  /** Closes it for good (a request after this fails instead of opening the file again). */
  close(): void {
    this.#closed = true;
    this.#db?.close();
    this.#db = undefined;
  }
}

/**
 * Runs fn on the state inside one SQL transaction. What fn changed is written (only the rows that changed)
 * when it returns; when it throws, the transaction rolls back: nothing is written and nothing is journaled.
 * tx.state reads lazily: the tenant's groups and the AD objects load only when fn touches them.
 */
export async function withState<T>(file: string | StateConnection, fn: (tx: Transaction) => T): Promise<T> {
  const held = typeof file === "string" ? undefined : file;
  const stateFile = held ? held.file : resolveStateFile(file as string);
  const db = held ? held.database() : openStateDatabase(stateFile);
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
    if (!held) db.close();
  }
}

/** Reads the whole state as it is now (time-driven updates applied and saved), as a plain object. */
export async function readState(file: string): Promise<SimState> {
  return withState(file, (tx) => tx.materialize());
}
