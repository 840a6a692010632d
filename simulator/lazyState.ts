// The state of one transaction, read from the database as the operation touches it. The core row is
// always read; the cloud groups load (all of them, in order) the first time tenant.groups is read; an AD
// object loads when its key is looked up, and all of them only when code enumerates domain.objects.
// At commit, only rows whose JSON changed are written.
import type { DatabaseSync } from "node:sqlite";
import { isAtOrBelow } from "../domain/dn";
import type { AdGroup, AdObject, CloudGroup, Domain, SimState, Tenant } from "./model";
import { type CloudSyncState, cloudSyncSchema } from "./cloudSync/model";
import {
  CLOUD_SYNC_TABLE,
  coreText,
  parseGroupRow,
  parentOfKey,
  parseObjectRow,
  readCloudSyncRow,
  readCore,
  type RowStatements,
  rowStatements,
  StateFileError,
  writeCloudSyncRow,
  writeCore,
} from "./store";
import { objectIdFromAnchor } from "./writebackRules";

/** Queries on domain.objects that use the database's indexes instead of loading every object. */
export interface ObjectIndex {
  /** Keys of the objects directly below the key. */
  childKeys(key: string): string[];
  /** Keys of the object and everything below it. */
  subtreeKeys(key: string): string[];
  /**
   * Every group that carries a cloud anchor (Group_<objectId>): what Entra Connect wrote back, by key.
   * Streamed and read-only: to change one, look it up by key (domain.objects[key]) and change that.
   */
  anchoredGroups(): Iterable<[string, AdGroup]>;
  /**
   * Writes what the transaction changed in domain.objects so far into the open SQL transaction and forgets it
   * (a later look-up reads the row again), so that a change of 100,000 objects holds a batch in memory, not all of
   * them. Nothing is committed: a rollback still undoes it. Does nothing once every object is loaded.
   */
  flush(): void;
}

const indexes = new WeakMap<object, ObjectIndex>();
const groupStreams = new WeakMap<object, () => Iterable<CloudGroup>>();
const groupIndexes = new WeakMap<object, GroupIndex>();

/** Reads of tenant.groups that use the database's keys instead of loading every group. */
export interface GroupIndex {
  /** One group by objectId (lower case); the object returned may be changed (the change is committed). */
  byId(objectId: string): CloudGroup | undefined;
  /** Where a group sits in the tenant's order (its row's seq); undefined when it does not exist. */
  seqOf(objectId: string): number | undefined;
  /** The groups after a position in the tenant's order, streamed, for reading only. */
  after(seq: number): Iterable<{ seq: number; group: CloudGroup }>;
}

/** The tenant's order for a plain in-memory state: position + 1. */
function arrayIndex(tenant: Tenant): GroupIndex {
  return {
    byId: (objectId) => tenant.groups.find((group) => group.objectId === objectId),
    seqOf(objectId) {
      const index = tenant.groups.findIndex((group) => group.objectId === objectId);
      return index >= 0 ? index + 1 : undefined;
    },
    *after(seq) {
      for (let index = Math.max(0, seq); index < tenant.groups.length; index++)
        yield { seq: index + 1, group: tenant.groups[index] as CloudGroup };
    },
  };
}

/**
 * Keyed reads of the tenant's groups: on a transaction's state whose groups are not loaded, one row by its key
 * or the rows after a position (a keyset read), instead of loading all of them.
 */
export function cloudGroupIndex(tenant: Tenant): GroupIndex {
  return groupIndexes.get(tenant) ?? arrayIndex(tenant);
}

/**
 * The tenant's cloud groups in order, for reading only. On a transaction's state whose groups are not
 * loaded, they stream from the database one row at a time instead of loading all of them.
 */
export function eachCloudGroup(tenant: Tenant): Iterable<CloudGroup> {
  return groupStreams.get(tenant)?.() ?? tenant.groups;
}

/** The index of a transaction's domain.objects; undefined for a plain in-memory state. */
export function objectIndex(objects: Domain["objects"]): ObjectIndex | undefined {
  return indexes.get(objects);
}

export interface LoadedState {
  readonly state: SimState;
  /** Writes what changed (the core row, changed groups and objects) into the open transaction. */
  commit(): void;
  /** A plain copy of the whole state (every group and object loaded). */
  materialize(): SimState;
  /** When the earliest scheduled Cloud Sync cycle is due (epoch ms), without loading Cloud Sync's state. */
  cloudSyncDueMs(): number | null;
}

/** The earliest nextRunAt of Cloud Sync's jobs, or null. */
export function earliestCloudSyncRun(cloudSync: CloudSyncState | undefined): number | null {
  let earliest: number | null = null;
  for (const sp of cloudSync?.servicePrincipals ?? [])
    for (const job of sp.jobs) {
      if (job.nextRunAt === null) continue;
      const at = Date.parse(job.nextRunAt);
      if (earliest === null || at < earliest) earliest = at;
    }
  return earliest;
}

/** Cloud Sync's row, parsed the first time state.cloudSync is read; written back when it changed. */
function lazyCloudSync(file: string, db: DatabaseSync) {
  db.exec(CLOUD_SYNC_TABLE);
  const row = readCloudSyncRow(db);
  let loaded = false;
  let value: CloudSyncState | undefined;
  const load = (): CloudSyncState | undefined => {
    if (!loaded) {
      loaded = true;
      if (row) {
        const parsed = cloudSyncSchema.safeParse(JSON.parse(row.json));
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new StateFileError(
            `${file} is not a valid simulator state: cloudSync.${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}`,
          );
        }
        value = parsed.data;
      }
    }
    return value;
  };
  return {
    load,
    set(next: CloudSyncState | undefined): void {
      loaded = true;
      value = next;
    },
    dueMs: (): number | null => (loaded ? earliestCloudSyncRun(value) : (row?.nextRunMs ?? null)),
    commit(): void {
      if (!loaded || value === undefined) return;
      const json = JSON.stringify(value);
      if (row && row.json === json) return;
      writeCloudSyncRow(db, json, earliestCloudSyncRun(value));
    },
  };
}

/**
 * Whether a row still holds the value: the same text, or the same value with its keys in another order
 * (a row written from an object literal reads back in the schema's key order).
 */
function sameJson(stored: string, current: string, parse: (text: string) => unknown): boolean {
  return stored === current || JSON.stringify(parse(stored)) === current;
}

function lazyGroups(file: string, rows: RowStatements) {
  let groups: CloudGroup[] | null = null;
  /** Each loaded group's row: its seq (the tenant's order) and JSON. */
  const snapshot = new Map<string, { seq: number; json: string }>();
  /** Groups read one by one (byId) before or without the whole list: the list reuses these objects. */
  const singles = new Map<string, { seq: number; json: string; group: CloudGroup }>();
  const load = (): CloudGroup[] => {
    if (groups === null) {
      groups = [];
      for (const row of rows.allGroups()) {
        snapshot.set(row.object_id, { seq: row.seq, json: row.json });
        groups.push(singles.get(row.object_id)?.group ?? parseGroupRow(file, row.json));
      }
      singles.clear();
    }
    return groups;
  };
  const index: GroupIndex = {
    byId(objectId) {
      if (groups !== null) return groups.find((group) => group.objectId === objectId);
      const known = singles.get(objectId);
      if (known) return known.group;
      const row = rows.groupById(objectId);
      if (!row) return undefined;
      const group = parseGroupRow(file, row.json);
      singles.set(objectId, { ...row, group });
      return group;
    },
    seqOf(objectId) {
      if (groups !== null) return snapshot.get(objectId)?.seq;
      return singles.get(objectId)?.seq ?? rows.groupById(objectId)?.seq;
    },
    *after(seq) {
      if (groups !== null) {
        // Loaded (this transaction changed the list): its order, new groups last.
        for (const group of groups) {
          const at = snapshot.get(group.objectId)?.seq ?? Number.MAX_SAFE_INTEGER;
          if (at > seq) yield { seq: at, group };
        }
        return;
      }
      for (const row of rows.groupsAfter(seq))
        yield { seq: row.seq, group: singles.get(row.object_id)?.group ?? parseGroupRow(file, row.json) };
    },
  };
  function* streamRows(): Iterable<CloudGroup> {
    for (const row of rows.allGroups())
      yield singles.get(row.object_id)?.group ?? parseGroupRow(file, row.json);
  }
  /** True when the array keeps the loaded groups in their order and only appends new ones. */
  const appendOnly = (current: CloudGroup[]): boolean => {
    let lastSeq = Number.NEGATIVE_INFINITY;
    let seenNew = false;
    for (const group of current) {
      const before = snapshot.get(group.objectId);
      if (!before) {
        seenNew = true;
        continue;
      }
      if (seenNew || before.seq <= lastSeq) return false;
      lastSeq = before.seq;
    }
    return true;
  };
  return {
    load,
    index,
    stream: (): Iterable<CloudGroup> => groups ?? streamRows(),
    replace(value: CloudGroup[]): void {
      load();
      groups = value;
    },
    commit(): void {
      if (groups === null) {
        for (const single of singles.values()) {
          const json = JSON.stringify(single.group);
          if (!sameJson(single.json, json, (text) => parseGroupRow(file, text)))
            rows.updateGroup(single.seq, json);
        }
        return;
      }
      if (!appendOnly(groups)) {
        // Reordered (rare): write the list again.
        rows.deleteAllGroups();
        for (const group of groups) rows.appendGroup(group.objectId, JSON.stringify(group));
        return;
      }
      const kept = new Set(groups.map((group) => group.objectId));
      for (const [objectId, before] of snapshot) if (!kept.has(objectId)) rows.deleteGroup(before.seq);
      for (const group of groups) {
        const json = JSON.stringify(group);
        const before = snapshot.get(group.objectId);
        if (!before) rows.appendGroup(group.objectId, json);
        else if (!sameJson(before.json, json, (text) => parseGroupRow(file, text)))
          rows.updateGroup(before.seq, json);
      }
    },
  };
}

function lazyObjects(file: string, rows: RowStatements) {
  /** The objects this transaction has seen or set; the proxy's target. */
  const cache: Record<string, AdObject> = {};
  /** The JSON of every object as read from the database. */
  const snapshot = new Map<string, string>();
  const absent = new Set<string>();
  const deleted = new Set<string>();
  let loadedAll = false;

  const remember = (key: string, json: string): void => {
    if (key in cache || deleted.has(key)) return;
    snapshot.set(key, json);
    cache[key] = parseObjectRow(file, json);
  };
  const lookup = (key: string): AdObject | undefined => {
    if (key in cache) return cache[key];
    if (loadedAll || deleted.has(key) || absent.has(key)) return undefined;
    const json = rows.object(key);
    if (json === undefined) {
      absent.add(key);
      return undefined;
    }
    remember(key, json);
    return cache[key];
  };
  const loadAll = (): void => {
    if (loadedAll) return;
    for (const row of rows.allObjects()) remember(row.dn_key, row.json);
    loadedAll = true;
  };

  const objects = new Proxy(cache, {
    get: (_target, key) => (typeof key === "string" ? lookup(key) : undefined),
    has: (_target, key) => typeof key === "string" && lookup(key) !== undefined,
    set: (_target, key, value: AdObject) => {
      if (typeof key !== "string") return false;
      cache[key] = value;
      deleted.delete(key);
      absent.delete(key);
      return true;
    },
    deleteProperty: (_target, key) => {
      if (typeof key !== "string") return false;
      delete cache[key];
      deleted.add(key);
      return true;
    },
    ownKeys: () => {
      loadAll();
      return Reflect.ownKeys(cache);
    },
    getOwnPropertyDescriptor: (_target, key) => {
      if (typeof key === "string") lookup(key);
      return Reflect.getOwnPropertyDescriptor(cache, key);
    },
  });

  /** Keys in the cache that the predicate accepts (what this transaction added or changed). */
  const cachedKeys = (accept: (key: string) => boolean): string[] => Object.keys(cache).filter(accept);

  /** Writes the deleted, new and changed objects: the rows as they now are. */
  const write = (): void => {
    for (const key of deleted) if (!absent.has(key)) rows.deleteObject(key);
    // In key order: 100,000 new rows inserted in the table's own order cost about half the CPU of the same rows
    // in the order the cycle made them (each insert lands next to the previous one in the B-tree).
    for (const key of Object.keys(cache).sort()) {
      const object = cache[key]!;
      const json = JSON.stringify(object);
      const before = snapshot.get(key);
      if (before === undefined || !sameJson(before, json, (text) => parseObjectRow(file, text)))
        rows.upsertObject(key, object, json);
    }
  };
  const index: ObjectIndex = {
    flush() {
      if (loadedAll) return;
      write();
      for (const key of Object.keys(cache)) delete cache[key];
      snapshot.clear();
      deleted.clear();
      absent.clear();
    },
    childKeys(key) {
      if (loadedAll) return cachedKeys((candidate) => parentOfKey(candidate) === key);
      const keys = new Set(rows.childKeys(key).filter((candidate) => !deleted.has(candidate)));
      for (const candidate of cachedKeys((c) => isAtOrBelow(c, key) && c !== key && parentOfKey(c) === key))
        keys.add(candidate);
      return [...keys];
    },
    subtreeKeys(key) {
      const result: string[] = [];
      const walk = (at: string): void => {
        result.push(at);
        for (const child of index.childKeys(at)) walk(child);
      };
      if (lookup(key) !== undefined) walk(key);
      return result;
    },
    *anchoredGroups() {
      if (!loadedAll) {
        for (const row of rows.anchoredGroups()) {
          if (row.dn_key in cache || deleted.has(row.dn_key)) continue; // this transaction's version follows
          const object = parseObjectRow(file, row.json);
          if (object.objectClass === "group") yield [row.dn_key, object];
        }
      }
      for (const [key, object] of Object.entries(cache)) {
        if (object.objectClass === "group" && objectIdFromAnchor(object.adminDescription) !== null)
          yield [key, object];
      }
    },
  };
  indexes.set(objects, index);

  return { objects, loadAll, commit: write };
}

/** Reads the core row and sets up the lazy collections; the database must be inside a transaction. */
export function loadState(file: string, db: DatabaseSync): LoadedState {
  const rows = rowStatements(db);
  const { core } = readCore(file, db);
  const text = coreText(core as SimState);
  const groups = lazyGroups(file, rows);
  const objects = lazyObjects(file, rows);
  const tenant = core.tenant as SimState["tenant"];
  Object.defineProperty(tenant, "groups", {
    enumerable: true,
    configurable: true,
    get: groups.load,
    set: groups.replace,
  });
  groupStreams.set(tenant, groups.stream);
  groupIndexes.set(tenant, groups.index);
  const domain = { ...core.domain, objects: objects.objects } as Domain;
  const state = { ...core, tenant, domain } as SimState;
  const cloudSync = lazyCloudSync(file, db);
  Object.defineProperty(state, "cloudSync", {
    enumerable: true,
    configurable: true,
    get: cloudSync.load,
    set: cloudSync.set,
  });
  return {
    state,
    commit() {
      const after = coreText(state);
      if (after !== text) writeCore(db, after);
      groups.commit();
      objects.commit();
      cloudSync.commit();
    },
    cloudSyncDueMs: cloudSync.dueMs,
    materialize() {
      objects.loadAll();
      const plain = { ...state, domain: { ...state.domain, objects: { ...objects.objects } } };
      return structuredClone(plain);
    },
  };
}
