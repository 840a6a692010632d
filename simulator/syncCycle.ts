// Sync cycles: the scheduler that starts them, and what a completed cycle exports to AD.
import * as crypto from "node:crypto";
import type { PendingExport, SyncPolicyType } from "../contract/contract";
import { parseTimeSpan, toIso } from "./clock";
import { dnKey, escapeDnValue, isAtOrBelow, parentKey } from "../domain/dn";
import { eachCloudGroup, objectIndex } from "./lazyState";
import { anchoredGroups, type GroupExportRights, groupExportRights } from "./directory";
import { JOURNAL_SAMPLE_SIZE } from "./journal";
import type { AdGroup, CloudGroup, Cycle, ExportError, Server, SimState, Tenant } from "./model";
import {
  cloudAnchor,
  decideWriteback,
  type GroupCategory,
  objectIdFromAnchor,
  writebackCommonName,
  writebackFlags,
} from "./writebackRules";

/** Get-ADSyncScheduler AllowedSyncCycleInterval: the shortest interval Entra ID allows. */
export const ALLOWED_SYNC_CYCLE_INTERVAL_SECONDS = 30 * 60;

export type RecordEvent = (
  event: string,
  server: string | null,
  details: Record<string, unknown>,
  atMs: number,
) => void;

/** CurrentlyEffectiveSyncCycleInterval: the customized interval unless it is below the allowed one. */
export function effectiveIntervalSeconds(tenant: Tenant): number {
  const customized = tenant.scheduler.customizedSyncCycleInterval;
  const seconds = customized === null ? null : parseTimeSpan(customized);
  return Math.max(seconds ?? ALLOWED_SYNC_CYCLE_INTERVAL_SECONDS, ALLOWED_SYNC_CYCLE_INTERVAL_SECONDS);
}

export function startCycle(
  server: Server,
  policyType: SyncPolicyType,
  trigger: Cycle["trigger"],
  atMs: number,
  durationSeconds: number,
  record: RecordEvent,
): void {
  server.currentCycle = {
    policyType,
    startedAt: toIso(atMs),
    endsAt: toIso(atMs + durationSeconds * 1000),
    trigger,
  };
  record("cycle-started", server.name, { policyType, trigger, endsAt: server.currentCycle.endsAt }, atMs);
}

/**
 * When the scheduler comes back (enabled again, or no longer suspended), a start time that passed while it was
 * off means "start now", not "a cycle ran back then".
 */
export function resumeSchedulerAt(server: Server, nowMs: number): void {
  if (Date.parse(server.nextSyncCycleStartTime) < nowMs) server.nextSyncCycleStartTime = toIso(nowMs);
}

function schedulerMayStart(state: SimState, server: Server): boolean {
  return (
    state.tenant.scheduler.syncCycleEnabled && !server.schedulerSuspended && server.currentCycle === null
  );
}

/**
 * Applies everything that became due up to nowMs, in time order: cycles whose end passed complete, and
 * the scheduler starts a cycle when its next start time passed. Slots missed by more than one interval
 * are not replayed (like a server that was switched off), so a long jump costs at most a few cycles.
 */
export function advanceTime(state: SimState, nowMs: number, record: RecordEvent): void {
  let cursor = Number.NEGATIVE_INFINITY;
  for (;;) {
    let due: { server: Server; atMs: number; kind: "complete" | "start" } | null = null;
    for (const server of state.servers) {
      const candidate = server.currentCycle
        ? { server, atMs: Date.parse(server.currentCycle.endsAt), kind: "complete" as const }
        : schedulerMayStart(state, server)
          ? {
              server,
              atMs: Math.max(Date.parse(server.nextSyncCycleStartTime), cursor),
              kind: "start" as const,
            }
          : null;
      if (candidate && candidate.atMs <= nowMs && (due === null || candidate.atMs < due.atMs))
        due = candidate;
    }
    if (due === null) return;
    cursor = due.atMs;
    if (due.kind === "complete") {
      completeCycle(state, due.server, due.atMs, record);
    } else {
      const intervalMs = effectiveIntervalSeconds(state.tenant) * 1000;
      let next = due.atMs + intervalMs;
      if (next <= nowMs - intervalMs) next += Math.floor((nowMs - next) / intervalMs) * intervalMs;
      due.server.nextSyncCycleStartTime = toIso(next);
      const policy: SyncPolicyType = due.server.fullSyncRequired ? "Initial" : "Delta";
      startCycle(due.server, policy, "scheduler", due.atMs, state.settings.syncSeconds, record);
    }
  }
}

/** One group object the AD connector would export. */
export interface GroupChange {
  modification: "add" | "update" | "delete";
  /** The object's DN after the change (before it, for a delete). */
  dn: string;
  key: string;
  /** Key of the container the change happens in (the source container, for a delete). */
  containerKey: string;
  /** For an update that renames: the current key. */
  fromKey?: string;
  cloudObjectId: string | null;
  displayName: string | null;
  category?: GroupCategory;
}

/** A written-back group and its key (dnKey of its DN, which costs a DN parse to recompute). */
interface JoinedGroup {
  key: string;
  /** What the cycle compares and deletes by; not the whole object: 100,000 of them are held for the cycle. */
  group: Pick<AdGroup, "dn" | "displayName" | "groupCategory">;
}

/** Written-back groups already in AD, by cloud objectId (the join on the cloud anchor). */
function joinedGroups(state: SimState): Map<string, JoinedGroup> {
  const joined = new Map<string, JoinedGroup>();
  for (const [key, group] of anchoredGroups(state.domain)) {
    const objectId = objectIdFromAnchor(group.adminDescription);
    // Only what the cycle uses: holding the parsed objects (with their ACEs and anchors) cost a Delta cycle over
    // 100,000 groups about 80 MB of its 313 MB peak.
    const { dn, displayName, groupCategory } = group;
    if (objectId !== null) joined.set(objectId, { key, group: { dn, displayName, groupCategory } });
  }
  return joined;
}

/** The exports this server's next cycle computes: tenant + wizard configuration versus AD (https://learn.microsoft.com/en-us/entra/identity/hybrid/connect/how-to-connect-group-writeback-v2). */
export function computeGroupChanges(state: SimState, server: Server): GroupChange[] {
  return [...groupChanges(state, server)];
}

/**
 * The same exports one at a time, in the same order, as the cloud groups stream from the state: a cycle applies
 * each as it comes instead of holding 100,000 of them (completeCycle).
 */
function* groupChanges(state: SimState, server: Server): Generator<GroupChange> {
  const joined = joinedGroups(state);
  const deleteJoined = (objectId: string, { key, group }: JoinedGroup): GroupChange => ({
    modification: "delete",
    dn: group.dn,
    key,
    containerKey: parentKey(key) ?? "",
    cloudObjectId: objectId,
    displayName: group.displayName,
  });
  const flags = writebackFlags(state.tenant, server);
  const containerDn = server.groupWriteback.containerDn;
  if (!flags.v1 || containerDn === null) {
    // Disabling v1 in the wizard deletes what it wrote back; a server that never had it touches nothing.
    const cleanup = server.groupWriteback.cleanupContainerDn;
    if (cleanup === null) return;
    const cleanupKey = dnKey(cleanup);
    for (const [objectId, joinedGroup] of joined)
      if (isAtOrBelow(joinedGroup.key, cleanupKey)) yield deleteJoined(objectId, joinedGroup);
    return;
  }
  const containerKey = dnKey(containerDn);
  for (const group of eachCloudGroup(state.tenant)) {
    const existing = joined.get(group.objectId);
    joined.delete(group.objectId);
    const decision = decideWriteback(group, flags);
    if (decision.action === "keep") continue;
    if (decision.action === "delete") {
      if (existing) yield deleteJoined(group.objectId, existing);
      continue;
    }
    const commonName = escapeDnValue(writebackCommonName(group, server.groupWriteback.displayNameDn));
    const dn = `CN=${commonName},${containerDn}`;
    const key = `cn=${commonName.toLowerCase()},${containerKey}`;
    const wanted = {
      dn,
      key,
      containerKey,
      cloudObjectId: group.objectId,
      displayName: group.displayName,
      category: decision.category,
    };
    if (!existing) {
      yield { modification: "add", ...wanted };
      continue;
    }
    const existingKey = existing.key;
    if (existingKey !== key && parentKey(existingKey) !== containerKey) {
      // Another container: Connect deletes the old object and provisions a new one.
      yield deleteJoined(group.objectId, existing);
      yield { modification: "add", ...wanted };
    } else if (
      existingKey !== key ||
      existing.group.displayName !== group.displayName ||
      existing.group.groupCategory !== decision.category
    ) {
      yield {
        modification: "update",
        ...wanted,
        ...(existingKey !== key ? { fromKey: existingKey } : {}),
      };
    }
  }
  // Joined objects whose cloud group no longer exists at all.
  for (const [objectId, group] of joined) yield deleteJoined(objectId, group);
}

function toPendingExport(change: GroupChange): PendingExport {
  return {
    dn: change.dn,
    modification: change.modification,
    objectType: "group",
    cloudObjectId: change.cloudObjectId,
    displayName: change.displayName,
  };
}

const PERMISSION_ISSUE = "Insufficient access rights to perform the operation.";

interface ExportFailure {
  change: GroupChange;
  errorType: ExportError["errorType"];
  message: string;
}

/** What a cycle exported: how many of each, the journal's samples, and what failed. */
interface ExportOutcome {
  applied: Record<GroupChange["modification"], number>;
  /** The first adds and updates applied (`<modification> <dn>`), and the first deletes (the DN). */
  exportedSample: string[];
  deletedSample: string[];
  /** Deletes first, then the others, each in the order the cycle computed them. */
  failed: ExportFailure[];
}

/** Objects a cycle has written are handed to the database in batches of this many (see ObjectIndex.flush). */
const EXPORT_BATCH = 25_000;

/**
 * Applies the changes to AD as the connector account, as they come; what it may not do becomes an export error.
 * Deletes go first, so that a group that moves or is renamed frees its name before the add: a delete is applied
 * when it comes, and so is an add or a rename whose name is free then (no delete can matter to it); one whose name
 * is taken waits until every delete is applied. The outcome is the one of applying every delete, then the rest.
 */
function exportChanges(state: SimState, server: Server, changes: Iterable<GroupChange>): ExportOutcome {
  const domain = state.domain;
  const index = objectIndex(domain.objects);
  const rightsByContainer = new Map<string, GroupExportRights>();
  const rightsIn = (containerKey: string): GroupExportRights => {
    let rights = rightsByContainer.get(containerKey);
    if (!rights) {
      const container = domain.objects[containerKey];
      rights = container
        ? groupExportRights(domain, container.dn, server.adConnector.accountDn)
        : { write: false, delete: false };
      rightsByContainer.set(containerKey, rights);
    }
    return rights;
  };
  const outcome: ExportOutcome = {
    applied: { add: 0, update: 0, delete: 0 },
    exportedSample: [],
    deletedSample: [],
    failed: [],
  };
  const failures: { isDelete: boolean; order: number; failure: ExportFailure }[] = [];
  let sinceFlush = 0;
  const apply = (change: GroupChange, order: number): void => {
    const fail = (errorType: ExportError["errorType"], message: string): void => {
      failures.push({
        isDelete: change.modification === "delete",
        order,
        failure: { change, errorType, message },
      });
    };
    const sourceKey = change.fromKey ?? change.key;
    const containerKey = change.containerKey;
    const container = domain.objects[containerKey];
    if (!container) {
      fail("no-parent", `The container ${parentDnText(change.dn)} does not exist in Active Directory.`);
      return;
    }
    const rights = rightsIn(containerKey);
    if (!(change.modification === "delete" ? rights.delete : rights.write)) {
      fail("permission-issue", PERMISSION_ISSUE);
      return;
    }
    if (change.modification === "delete") {
      delete domain.objects[sourceKey];
      if (outcome.deletedSample.length < JOURNAL_SAMPLE_SIZE) outcome.deletedSample.push(change.dn);
    } else {
      const source = domain.objects[sourceKey];
      if (takesName(change)) {
        if (domain.objects[change.key]) {
          fail(
            "object-already-exists",
            "An attempt was made to add an object to the directory with a name that is already in use.",
          );
          return;
        }
        delete domain.objects[sourceKey];
      }
      const previous = change.modification === "add" ? undefined : source;
      domain.objects[change.key] = {
        objectClass: "group",
        dn: change.dn,
        aces: previous?.aces ?? [],
        displayName: change.displayName ?? "",
        groupCategory: change.category ?? "Distribution",
        groupScope: "Universal",
        adminDescription: cloudAnchor(change.cloudObjectId ?? ""),
        // objectGUID: AD gives every new object one; an update or a rename keeps it.
        objectGuid:
          (previous?.objectClass === "group" ? previous.objectGuid : undefined) ?? crypto.randomUUID(),
        // Connect never writes msDS-ExternalDirectoryObjectID: a value set by hand (or by step 1 of the
        // migration to Cloud Sync) stays when Connect renames or updates the group.
        ...(previous?.objectClass === "group" && previous.externalDirectoryObjectId != null
          ? { externalDirectoryObjectId: previous.externalDirectoryObjectId }
          : {}),
      };
      if (outcome.exportedSample.length < JOURNAL_SAMPLE_SIZE)
        outcome.exportedSample.push(`${change.modification} ${change.dn}`);
    }
    outcome.applied[change.modification]++;
    if (index && ++sinceFlush >= EXPORT_BATCH) {
      index.flush();
      sinceFlush = 0;
    }
  };
  const waiting: { change: GroupChange; order: number }[] = [];
  let order = 0;
  for (const change of changes) {
    order++;
    if (change.modification !== "delete" && takesName(change) && domain.objects[change.key])
      waiting.push({ change, order });
    else apply(change, order);
  }
  for (const { change, order: at } of waiting) apply(change, at);
  outcome.failed = failures
    .sort((a, b) => Number(b.isDelete) - Number(a.isDelete) || a.order - b.order)
    .map(({ failure }) => failure);
  return outcome;
}

/** An add, or an update that renames or moves the object: it needs its new name to be free. */
function takesName(change: GroupChange): boolean {
  return change.modification === "add" || (change.fromKey !== undefined && change.fromKey !== change.key);
}

function parentDnText(dn: string): string {
  const comma = /(?<!\\),/.exec(dn);
  return comma ? dn.slice(comma.index + 1) : dn;
}

function sample<T, R>(items: readonly T[], map: (item: T) => R): R[] {
  return items.slice(0, JOURNAL_SAMPLE_SIZE).map(map);
}

/** Completes the server's running cycle at atMs: computes the group exports and applies or stages them. */
export function completeCycle(state: SimState, server: Server, atMs: number, record: RecordEvent): void {
  const cycle = server.currentCycle;
  if (!cycle) return;
  const at = toIso(atMs);
  let applied: ExportOutcome["applied"] = { add: 0, update: 0, delete: 0 };
  if (server.stagingModeEnabled) {
    server.pendingExports = computeGroupChanges(state, server).map(toPendingExport);
  } else {
    // The changes stream from the computation into AD, one at a time (100,000 of them held at once took ~100 MB).
    const outcome = exportChanges(state, server, groupChanges(state, server));
    applied = outcome.applied;
    server.pendingExports = outcome.failed.map((failure) => toPendingExport(failure.change));
    const previous = new Map(
      server.exportErrors.map((error) => [`${error.modification}|${dnKey(error.dn)}`, error]),
    );
    server.exportErrors = outcome.failed.map(({ change, errorType, message }) => ({
      dn: change.dn,
      modification: change.modification,
      cloudObjectId: change.cloudObjectId,
      errorType,
      message,
      firstOccurredAt: previous.get(`${change.modification}|${change.key}`)?.firstOccurredAt ?? at,
    }));
    if (!server.groupWriteback.optionalFeatureGroupWriteBack && server.pendingExports.length === 0) {
      server.groupWriteback.cleanupContainerDn = null;
    }
    const exported = applied.add + applied.update;
    if (exported > 0) {
      record("groups-exported", server.name, { count: exported, sample: outcome.exportedSample }, atMs);
    }
    if (applied.delete > 0) {
      record("groups-deleted", server.name, { count: applied.delete, sample: outcome.deletedSample }, atMs);
    }
    if (server.exportErrors.length > 0) {
      record(
        "export-errors",
        server.name,
        {
          count: server.exportErrors.length,
          sample: sample(
            server.exportErrors,
            (e) => `${e.modification} ${e.dn}: ${e.errorType}: ${e.message}`,
          ),
        },
        atMs,
      );
    }
  }
  const policyType: SyncPolicyType = server.fullSyncRequired ? "Initial" : cycle.policyType;
  server.lastCycle = {
    policyType,
    startedAt: cycle.startedAt,
    completedAt: at,
    added: applied.add,
    updated: applied.update,
    deleted: applied.delete,
    pendingExports: server.pendingExports.length,
    exportErrors: server.stagingModeEnabled ? 0 : server.exportErrors.length,
  };
  server.fullSyncRequired = false;
  server.currentCycle = null;
  record("cycle-completed", server.name, { ...server.lastCycle, staging: server.stagingModeEnabled }, atMs);
}

/** The cloud groups this server does not write back, with the reason (for `entra-sim show`). */
export function groupsNotWrittenBack(
  state: SimState,
  server: Server,
): { group: CloudGroup; reason: string; action: "keep" | "delete" }[] {
  const flags = writebackFlags(state.tenant, server);
  const result: { group: CloudGroup; reason: string; action: "keep" | "delete" }[] = [];
  for (const group of state.tenant.groups) {
    const decision = decideWriteback(group, flags);
    if (decision.action !== "write") result.push({ group, reason: decision.reason, action: decision.action });
  }
  return result;
}
