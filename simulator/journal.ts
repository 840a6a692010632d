// The journal: an append-only JSON-lines file beside the state file, one line per operation or event,
// in the order the transactions committed. It is written under the state lock, so lines never interleave.
import * as fs from "node:fs";
import { z } from "zod";

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

export function journalFileFor(stateFile: string): string {
  return `${stateFile.replace(/\.json$/i, "")}.journal.jsonl`;
}

export function appendJournal(stateFile: string, entries: readonly JournalEntry[]): void {
  if (entries.length === 0) return;
  const text = entries.map((entry) => JSON.stringify(entry)).join("\n") + "\n";
  fs.appendFileSync(journalFileFor(stateFile), text, "utf8");
}

export function resetJournal(stateFile: string): void {
  fs.writeFileSync(journalFileFor(stateFile), "", "utf8");
}

/** Reads the journal in order. A torn last line (a crash in the middle of an append) is ignored. */
export function readJournal(stateFile: string): JournalEntry[] {
  let text: string;
  try {
    text = fs.readFileSync(journalFileFor(stateFile), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  const entries: JournalEntry[] = [];
  lines.forEach((line, index) => {
    try {
      entries.push(journalEntrySchema.parse(JSON.parse(line)));
    } catch (error) {
      if (index === lines.length - 1) return;
      throw new Error(`journal ${journalFileFor(stateFile)} line ${index + 1} is damaged: ${String(error)}`, {
        cause: error,
      });
    }
  });
  return entries;
}
