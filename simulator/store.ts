// The state on disk: one SQLite database per simulated environment (node:sqlite, WAL mode). The small part
// of the state (clock, settings, tenant flags and scheduler, servers, faults) is one row; cloud groups, AD
// objects and the journal are tables, so an operation reads and writes only the rows it needs.
// SQLite's own locking replaces the lock file: each transaction is BEGIN IMMEDIATE ... COMMIT.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { z } from "zod";
import {
  type AdObject,
  adObjectSchema,
  type CloudGroup,
  cloudGroupSchema,
  domainSchema,
  type SimState,
  STATE_SCHEMA_VERSION,
  stateSchema,
  tenantSchema,
} from "./model";
import { objectIdFromAnchor } from "./writebackRules";

export class StateFileError extends Error {
  override readonly name = "StateFileError";
}

/** Stamped in the database (PRAGMA application_id) so a foreign SQLite file is recognised as one. */
const APPLICATION_ID = 0x456e5369; // "EnSi"
/** The layout of the tables (PRAGMA user_version); the state's own format is STATE_SCHEMA_VERSION. */
const STORAGE_VERSION = 1;
const SQLITE_HEADER = "SQLite format 3\0";
/** How long a transaction waits for another process's write transaction before giving up. */
export const BUSY_TIMEOUT_MS = 30_000;

/**
 * Cloud Sync's state (simulator/cloudSync/model.ts), one row, read only by what uses it; next_run_ms (the earliest
 * scheduled job cycle) lets every transaction see whether a cycle is due without parsing the row. Databases made
 * before it get the table on their first transaction (IF NOT EXISTS), so STORAGE_VERSION stays.
 */
export const CLOUD_SYNC_TABLE =
  "CREATE TABLE IF NOT EXISTS cloud_sync (id INTEGER PRIMARY KEY CHECK (id = 1), next_run_ms INTEGER, json TEXT NOT NULL)";

const TABLES = `
CREATE TABLE core (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
CREATE TABLE cloud_groups (seq INTEGER PRIMARY KEY, object_id TEXT NOT NULL UNIQUE, json TEXT NOT NULL);
CREATE TABLE ad_objects (
  dn_key TEXT PRIMARY KEY,
  parent_key TEXT,
  object_class TEXT NOT NULL,
  anchor TEXT,
  json TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX ad_objects_by_parent ON ad_objects (parent_key);
CREATE TABLE journal (seq INTEGER PRIMARY KEY AUTOINCREMENT, json TEXT NOT NULL);
${CLOUD_SYNC_TABLE};
`;

/** The state without its two large collections: what the `core` row holds. */
export const coreSchema = stateSchema.omit({ cloudSync: true }).extend({
  tenant: tenantSchema.omit({ groups: true }),
  domain: domainSchema.omit({ objects: true }),
});
export type CoreState = z.infer<typeof coreSchema>;

/** The database path of a state argument; a relative path resolves against process.cwd(). */
export function resolveStateFile(file: string): string {
  return path.resolve(process.cwd(), file);
}

const recreate = (file: string): string => `recreate it with: entra-sim init --force ${file}`;

/** What the file is, from its first bytes: refuses a JSON state of an earlier version and other files. */
function checkHeader(file: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      throw new StateFileError(`${file} does not exist; create it with: entra-sim init ${file}`);
    throw new StateFileError(`${file} cannot be opened: ${(error as Error).message}`);
  }
  const header = Buffer.alloc(SQLITE_HEADER.length);
  let read: number;
  try {
    read = fs.readSync(fd, header, 0, header.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  const text = header.subarray(0, read).toString("latin1");
  if (text === SQLITE_HEADER) return;
  if (text.trimStart().startsWith("{")) {
    throw new StateFileError(
      `${file} is a JSON state file of an earlier entra-sim, which now keeps its state in SQLite; ${recreate(file)}`,
    );
  }
  throw new StateFileError(
    `${file} is not an entra-sim state database (damaged or another file); ${recreate(file)}`,
  );
}

function describeSqliteError(file: string, error: unknown): StateFileError {
  const message = (error as Error).message ?? String(error);
  if (/database is locked|busy/i.test(message)) {
    return new StateFileError(
      `${file} stayed locked by another process for ${BUSY_TIMEOUT_MS / 1000} s; try again, or stop the process that holds it`,
    );
  }
  return new StateFileError(`${file} is damaged (SQLite: ${message}); ${recreate(file)}`);
}

/** Runs fn and turns SQLite's errors into one clear line about the file. */
export function sqliteGuard<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof StateFileError) throw error;
    if ((error as { code?: unknown }).code === "ERR_SQLITE_ERROR") throw describeSqliteError(file, error);
    throw error;
  }
}

function configure(db: DatabaseSync): void {
  // A page cache of up to 32 MB: the default 2 MB makes a 100,000-group cycle re-read B-tree pages constantly.
  // synchronous = OFF: no fsync. Each operation opens and closes its connection, and the close checkpoints
  // the WAL; with fsync that costs ~14 ms of waiting per operation, without it ~1 ms. A process that dies
  // loses nothing committed; a power loss or an OS crash may lose or damage the state (a lab's, a test's).
  db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}; PRAGMA synchronous = OFF; PRAGMA cache_size = -32768;`);
}

/** Opens an existing state database for one transaction; the caller closes it. Never creates a file. */
export function openStateDatabase(file: string): DatabaseSync {
  checkHeader(file);
  return sqliteGuard(file, () => {
    const db = new DatabaseSync(file);
    try {
      configure(db);
      const applicationId = (db.prepare("PRAGMA application_id").get() as { application_id: number })
        .application_id;
      if (applicationId !== APPLICATION_ID) {
        throw new StateFileError(
          `${file} is an SQLite database but not an entra-sim state; ${recreate(file)}`,
        );
      }
      const version = (db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version;
      if (version !== STORAGE_VERSION) {
        throw new StateFileError(
          `${file} has storage version ${version}, this simulator reads ${STORAGE_VERSION}; ${recreate(file)}`,
        );
      }
      return db;
    } catch (error) {
      db.close();
      throw error;
    }
  });
}

/** True when the file is an entra-sim database this simulator can open (init --force replaces it in place). */
export function isStateDatabase(file: string): boolean {
  try {
    openStateDatabase(file).close();
    return true;
  } catch {
    return false;
  }
}

// ---- rows ----

export function readCore(file: string, db: DatabaseSync): { core: CoreState; text: string } {
  const row = db.prepare("SELECT json FROM core WHERE id = 1").get() as { json: string } | undefined;
  if (!row) throw new StateFileError(`${file} holds no simulator state; ${recreate(file)}`);
  let raw: unknown;
  try {
    raw = JSON.parse(row.json);
  } catch (error) {
    throw new StateFileError(`${file} is damaged (${(error as Error).message}); ${recreate(file)}`);
  }
  const version = (raw as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== STATE_SCHEMA_VERSION) {
    throw new StateFileError(
      `${file} has schemaVersion ${JSON.stringify(version)}, this simulator reads ${STATE_SCHEMA_VERSION}; ${recreate(file)}`,
    );
  }
  const parsed = coreSchema.safeParse(raw);
  if (!parsed.success) throw invalid(file, parsed.error);
  return { core: parsed.data, text: row.json };
}

function invalid(file: string, error: z.ZodError, prefix: (string | number)[] = []): StateFileError {
  const problems = error.issues
    .slice(0, 3)
    .map((issue) => `${[...prefix, ...issue.path].join(".") || "(root)"}: ${issue.message}`)
    .join("; ");
  return new StateFileError(`${file} is not a valid simulator state: ${problems}`);
}

export function writeCore(db: DatabaseSync, text: string): void {
  db.prepare(
    "INSERT INTO core (id, json) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET json = excluded.json",
  ).run(text);
}

export function parseGroupRow(file: string, json: string): CloudGroup {
  const parsed = cloudGroupSchema.safeParse(JSON.parse(json));
  if (!parsed.success) throw invalid(file, parsed.error, ["tenant", "groups"]);
  return parsed.data;
}

export function parseObjectRow(file: string, json: string): AdObject {
  const parsed = adObjectSchema.safeParse(JSON.parse(json));
  if (!parsed.success) throw invalid(file, parsed.error, ["domain", "objects"]);
  return parsed.data;
}

/**
 * The parent of a key, by cutting at the first comma that separates RDNs. Keys are dnKey() output (canonical,
 * lower case), so this equals parentKey() from domain/dn without parsing the DN again on every write.
 */
export function parentOfKey(key: string): string | null {
  for (let comma = key.indexOf(","); comma >= 0; comma = key.indexOf(",", comma + 1)) {
    let backslashes = 0;
    for (let i = comma - 1; i >= 0 && key[i] === "\\"; i--) backslashes++;
    if (backslashes % 2 === 0) return key.slice(comma + 1);
  }
  return null;
}

/** Prepared statements for the row tables, made once per transaction. */
export interface RowStatements {
  /** The groups in the tenant's order (seq ascending). */
  allGroups(): Iterable<{ seq: number; object_id: string; json: string }>;
  updateGroup(seq: number, json: string): void;
  /** One group by objectId (the UNIQUE index on object_id). */
  groupById(objectId: string): { seq: number; json: string } | undefined;
  /** The groups after a seq, in the tenant's order (a keyset read on the primary key): streamed. */
  groupsAfter(seq: number): Iterable<{ seq: number; object_id: string; json: string }>;
  appendGroup(objectId: string, json: string): void;
  deleteGroup(seq: number): void;
  deleteAllGroups(): void;
  object(key: string): string | undefined;
  allObjects(): Iterable<{ dn_key: string; json: string }>;
  childKeys(key: string): string[];
  anchoredGroups(): Iterable<{ dn_key: string; json: string }>;
  upsertObject(key: string, object: AdObject, json: string): void;
  deleteObject(key: string): void;
}

/** Each connection's statements, prepared once (a connection held across transactions reuses them). */
const statementsOf = new WeakMap<DatabaseSync, RowStatements>();

export function rowStatements(db: DatabaseSync): RowStatements {
  let statements = statementsOf.get(db);
  if (!statements) {
    statements = prepareRowStatements(db);
    statementsOf.set(db, statements);
  }
  return statements;
}

function prepareRowStatements(db: DatabaseSync): RowStatements {
  const cache = new Map<string, ReturnType<DatabaseSync["prepare"]>>();
  const statement = (sql: string) => {
    let prepared = cache.get(sql);
    if (!prepared) {
      prepared = db.prepare(sql);
      cache.set(sql, prepared);
    }
    return prepared;
  };
  return {
    allGroups: () =>
      statement("SELECT seq, object_id, json FROM cloud_groups ORDER BY seq").iterate() as Iterable<{
        seq: number;
        object_id: string;
        json: string;
      }>,
    updateGroup: (seq, json) => {
      statement("UPDATE cloud_groups SET json = ? WHERE seq = ?").run(json, seq);
    },
    groupById: (objectId) =>
      statement("SELECT seq, json FROM cloud_groups WHERE object_id = ?").get(objectId) as
        { seq: number; json: string } | undefined,
    groupsAfter: (seq) =>
      statement("SELECT seq, object_id, json FROM cloud_groups WHERE seq > ? ORDER BY seq").iterate(
        seq,
      ) as Iterable<{ seq: number; object_id: string; json: string }>,
    appendGroup: (objectId, json) => {
      statement("INSERT INTO cloud_groups (object_id, json) VALUES (?, ?)").run(objectId, json);
    },
    deleteGroup: (seq) => {
      statement("DELETE FROM cloud_groups WHERE seq = ?").run(seq);
    },
    deleteAllGroups: () => {
      statement("DELETE FROM cloud_groups").run();
    },
    object: (key) =>
      (statement("SELECT json FROM ad_objects WHERE dn_key = ?").get(key) as { json: string } | undefined)
        ?.json,
    allObjects: () =>
      statement("SELECT dn_key, json FROM ad_objects").iterate() as Iterable<{
        dn_key: string;
        json: string;
      }>,
    childKeys: (key) =>
      (statement("SELECT dn_key FROM ad_objects WHERE parent_key = ?").all(key) as { dn_key: string }[]).map(
        (row) => row.dn_key,
      ),
    anchoredGroups: () =>
      statement("SELECT dn_key, json FROM ad_objects WHERE anchor IS NOT NULL").iterate() as Iterable<{
        dn_key: string;
        json: string;
      }>,
    upsertObject: (key, object, json) => {
      const anchor = object.objectClass === "group" ? objectIdFromAnchor(object.adminDescription) : null;
      statement(
        "INSERT INTO ad_objects (dn_key, parent_key, object_class, anchor, json) VALUES (?, ?, ?, ?, ?) " +
          "ON CONFLICT (dn_key) DO UPDATE SET parent_key = excluded.parent_key, object_class = excluded.object_class, " +
          "anchor = excluded.anchor, json = excluded.json",
      ).run(key, parentOfKey(key), object.objectClass, anchor, json);
    },
    deleteObject: (key) => {
      statement("DELETE FROM ad_objects WHERE dn_key = ?").run(key);
    },
  };
}

/** The core row's text of a state: everything but the groups and the AD objects. */
export function coreText(state: SimState): string {
  // Never reads the two collections (on a transaction's state, reading them loads them).
  const without = (object: object, skipped: string): Record<string, unknown> =>
    Object.fromEntries(
      Object.keys(object)
        .filter((key) => key !== skipped)
        .map((key) => [key, (object as Record<string, unknown>)[key]]),
    );
  return JSON.stringify({
    ...without(state, "cloudSync"),
    tenant: without(state.tenant, "groups"),
    domain: without(state.domain, "objects"),
  });
}

/** The cloud_sync row: Cloud Sync's state and its earliest scheduled cycle (null when none is scheduled). */
export function readCloudSyncRow(db: DatabaseSync): { json: string; nextRunMs: number | null } | undefined {
  const row = db.prepare("SELECT json, next_run_ms FROM cloud_sync WHERE id = 1").get() as
    { json: string; next_run_ms: number | null } | undefined;
  return row ? { json: row.json, nextRunMs: row.next_run_ms } : undefined;
}

export function writeCloudSyncRow(db: DatabaseSync, json: string, nextRunMs: number | null): void {
  db.prepare(
    "INSERT INTO cloud_sync (id, next_run_ms, json) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET next_run_ms = excluded.next_run_ms, json = excluded.json",
  ).run(nextRunMs, json);
}

function writeWholeState(db: DatabaseSync, state: SimState): void {
  const rows = rowStatements(db);
  db.exec(CLOUD_SYNC_TABLE);
  db.exec(
    "DELETE FROM core; DELETE FROM cloud_groups; DELETE FROM ad_objects; DELETE FROM journal; DELETE FROM cloud_sync;",
  );
  writeCore(db, coreText(state));
  if (state.cloudSync) writeCloudSyncRow(db, JSON.stringify(state.cloudSync), null);
  for (const group of state.tenant.groups) rows.appendGroup(group.objectId, JSON.stringify(group));
  for (const [key, object] of Object.entries(state.domain.objects))
    rows.upsertObject(key, object, JSON.stringify(object));
}

/** Replaces the whole state of a healthy database in one transaction; false when the file is damaged. */
function replaceInPlace(file: string, state: SimState): boolean {
  const db = openStateDatabase(file);
  try {
    db.exec("BEGIN IMMEDIATE");
    try {
      writeWholeState(db, state);
      db.exec("COMMIT");
      return true;
    } catch (error) {
      if (db.isTransaction) db.exec("ROLLBACK");
      if (describeSqliteError(file, error).message.includes(" is damaged ")) return false;
      throw describeSqliteError(file, error);
    }
  } finally {
    db.close();
  }
}

/**
 * Writes a new state (and an empty journal). A new file appears complete or not at all (built beside it,
 * then renamed); an existing entra-sim database is replaced in one transaction, so processes that have it
 * open see the old state or the new one. Anything else at the path (a JSON state of an earlier version, a
 * damaged file) is replaced only with `force`.
 */
export function createStateDatabase(file: string, state: SimState, force: boolean): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (fs.existsSync(file)) {
    if (!force) throw new StateFileError(`${file} already exists; pass --force to overwrite it`);
    if (isStateDatabase(file) && replaceInPlace(file, state)) return;
  }
  const temp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${crypto.randomUUID()}.tmp`,
  );
  try {
    const db = new DatabaseSync(temp);
    try {
      configure(db);
      db.exec(`PRAGMA application_id = ${APPLICATION_ID}; PRAGMA user_version = ${STORAGE_VERSION};`);
      db.exec("PRAGMA journal_mode = WAL");
      db.exec("BEGIN");
      db.exec(TABLES);
      writeWholeState(db, state);
      db.exec("COMMIT");
    } finally {
      db.close();
    }
    if (!force && fs.existsSync(file))
      throw new StateFileError(`${file} already exists; pass --force to overwrite it`);
    // A damaged file's leftovers must not be applied to the new database.
    for (const suffix of ["-wal", "-shm"]) fs.rmSync(`${file}${suffix}`, { force: true });
    fs.renameSync(temp, file);
  } finally {
    for (const leftover of [temp, `${temp}-wal`, `${temp}-shm`]) fs.rmSync(leftover, { force: true });
  }
}
