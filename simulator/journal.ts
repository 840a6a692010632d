// The journal: an append-only table of the state database, one row per operation or event, in the order
// the transactions committed (written inside each operation's transaction).
import type { DatabaseSync } from "node:sqlite";
import { z } from "zod";
import { openStateDatabase, resolveStateFile, sqliteGuard, StateFileError } from "./store";

export const journalEntrySchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("operation"),
    /** Simulated (or real) server time. */
    at: z.string(),
    /** Wall-clock time of the call. */
    wallAt: z.string(),
    server: z.string(),
    /** backend, cli, or a name the backend's creator chose. */
    client: z.string(),
    /** The Pulumi stack (project/stack) whose deployment made the call; absent for the CLI and older entries. */
    stack: z.string().optional(),
    operation: z.string(),
    args: z.unknown(),
    outcome: z.enum(["ok", "error"]),
    code: z.string().optional(),
    message: z.string().optional(),
  }),
  z.strictObject({
    kind: z.literal("event"),
    at: z.string(),
    wallAt: z.string(),
    server: z.string().nullable(),
    event: z.string(),
    details: z.record(z.string(), z.unknown()),
  }),
]);
export type JournalEntry = z.infer<typeof journalEntrySchema>;
export type OperationEntry = Extract<JournalEntry, { kind: "operation" }>;
export type EventEntry = Extract<JournalEntry, { kind: "event" }>;

/** Events list at most this many sample DNs, so a 100,000-group cycle stays one short line. */
export const JOURNAL_SAMPLE_SIZE = 10;

export function appendJournal(db: DatabaseSync, entries: readonly JournalEntry[]): void {
  if (entries.length === 0) return;
  const insert = db.prepare("INSERT INTO journal (json) VALUES (?)");
  for (const entry of entries) insert.run(JSON.stringify(entry));
}

/** Reads the journal in commit order (a read of its own: it does not take the write lock). */
export function readJournal(stateFile: string): JournalEntry[] {
  const file = resolveStateFile(stateFile);
  const db = openStateDatabase(file);
  try {
    return sqliteGuard(file, () =>
      (db.prepare("SELECT seq, json FROM journal ORDER BY seq").all() as { seq: number; json: string }[]).map(
        (row) => {
          const parsed = journalEntrySchema.safeParse(JSON.parse(row.json));
          if (!parsed.success)
            throw new StateFileError(`${file}: journal entry ${row.seq} is damaged: ${parsed.error.message}`);
          return parsed.data;
        },
      ),
    );
  } finally {
    db.close();
  }
}
