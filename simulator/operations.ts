// The contract's operations applied to the simulated server, each as faithful as we know to the cmdlet it stands for.
import {
  type CloudGroupWriteback,
  type GroupDirectoryObjectId,
  type GroupSampleEntry,
  type GroupSet,
  type OperationName,
  type OperationResult,
  type OrganizationalUnit,
  operationNames,
  operations,
  type SchedulerStateResult,
  type SyncWindow,
} from "../contract/contract";
import type { z } from "zod";
import { OperationError } from "../contract/errors";
import { formatTimeSpan } from "./clock";
import { compareVersions } from "../domain/version";
import { dnKey, escapeDnValue, firstRdn, isAtOrBelow } from "../domain/dn";
import {
  accessRulesFor,
  addWritebackAce,
  anchoredGroups,
  childKeys,
  findObject,
  putObject,
  removeWritebackAces,
  subtreeKeys,
} from "./directory";
import type { CloudGroup, Server, SimState } from "./model";
import {
  ALLOWED_SYNC_CYCLE_INTERVAL_SECONDS,
  effectiveIntervalSeconds,
  resumeSchedulerAt,
  startCycle,
} from "./syncCycle";
import { eachCloudGroup } from "./lazyState";
import type { Transaction } from "./transaction";
import { objectIdFromAnchor } from "./writebackRules";
import { addSyncRule, removeSyncRule, setSyncRuleDisabled, sortedRules } from "./syncRules";

export const SYNC_ALREADY_RUNNING =
  "System.InvalidOperationException: Sync is already running. Cannot start a new run till this one completes.";
export const SCHEDULER_ALREADY_SUSPENDED =
  "System.InvalidOperationException: Scheduler is already suspended via global parameters.";
export const GROUP_WRITEBACK_V2_PARAMETER_MISSING =
  "A parameter cannot be found that matches parameter name 'GroupWritebackV2'.";
export const NAME_ALREADY_IN_USE =
  "An attempt was made to add an object to the directory with a name that is already in use.";
/** Set-ADSyncAADCompanyFeature -GroupWritebackV2 appeared in this build (Entra Connect version history: https://learn.microsoft.com/en-us/entra/identity/hybrid/connect/reference-connect-version-history-archive). */
export const GROUP_WRITEBACK_V2_MIN_VERSION = "1.6.2.4";

export function isOperationName(name: unknown): name is OperationName {
  return typeof name === "string" && (operationNames as string[]).includes(name);
}

export { compareVersions };

export function findServer(state: SimState, name?: string): Server {
  if (name === undefined) return state.servers[0] as Server;
  const server = state.servers.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
  if (!server) {
    throw new OperationError(
      "server",
      "NotFound",
      `no server named "${name}" in the state file; servers: ${state.servers.map((s) => s.name).join(", ")}`,
    );
  }
  return server;
}

export function schedulerView(state: SimState, server: Server): SchedulerStateResult {
  const scheduler = state.tenant.scheduler;
  return {
    allowedSyncCycleInterval: formatTimeSpan(ALLOWED_SYNC_CYCLE_INTERVAL_SECONDS),
    currentlyEffectiveSyncCycleInterval: formatTimeSpan(effectiveIntervalSeconds(state.tenant)),
    customizedSyncCycleInterval: scheduler.customizedSyncCycleInterval,
    nextSyncCyclePolicyType: server.fullSyncRequired ? "Initial" : "Delta",
    nextSyncCycleStartTimeInUtc: server.nextSyncCycleStartTime,
    purgeRunHistoryInterval: scheduler.purgeRunHistoryInterval,
    syncCycleEnabled: scheduler.syncCycleEnabled,
    maintenanceEnabled: scheduler.maintenanceEnabled,
    stagingModeEnabled: server.stagingModeEnabled,
    schedulerSuspended: server.schedulerSuspended,
    syncCycleInProgress: server.currentCycle !== null,
  };
}

function notFound(operation: string, state: SimState, dn: string): OperationError {
  return new OperationError(
    operation,
    "NotFound",
    `Cannot find an object with identity: '${dn}' under: '${state.domain.rootDn}'.`,
  );
}

function organizationalUnitView(state: SimState, dn: string): OrganizationalUnit {
  const key = dnKey(dn);
  const object = state.domain.objects[key];
  if (!object || object.objectClass !== "organizationalUnit") return { exists: false, dn };
  return {
    exists: true,
    dn: object.dn,
    name: firstRdn(object.dn).value,
    protectedFromAccidentalDeletion: object.protectedFromAccidentalDeletion,
    childCount: childKeys(state.domain, key).length,
  };
}

function requireAccount(operation: string, state: SimState, accountDn: string): void {
  if (!findObject(state.domain, accountDn)) {
    throw new OperationError(
      operation,
      "NotFound",
      `No mapping between account names and security IDs was done: the account '${accountDn}' does not exist in ${state.domain.dnsName}.`,
    );
  }
}

/** The refusal both backends give (openSyncWindow.ps1 writes the same sentence). */
export function windowHeldMessage(serverName: string, held: SyncWindow): string {
  return (
    `${held.owner} has the sync scheduler on ${serverName} paused for ${held.change} ` +
    `(its window opened ${held.openedAtUtc} and lapses ${held.expiresAtUtc})`
  );
}

const isoTime = (ms: number): string => new Date(ms).toISOString();

type Handlers = {
  [N in OperationName]: (tx: Transaction, server: Server, args: ParsedArgs<N>) => OperationResult<N>;
};
type ParsedArgs<N extends OperationName> = z.output<(typeof operations)[N]["args"]>;

const handlers: Handlers = {
  getServerInfo: (_tx, server) => ({
    computerName: server.name,
    connectVersion: server.connectVersion,
    stagingModeEnabled: server.stagingModeEnabled,
  }),

  getScheduler: (tx, server) => schedulerView(tx.state, server),

  // The pause-window marker: on a real server a registry value (Open-EntraWritebackSyncWindow, powershell/module/EntraWriteback).
  getSyncWindow: (tx, server) => ({ window: server.syncWindow, serverTimeUtc: isoTime(tx.nowMs) }),

  openSyncWindow: (tx, server, { owner, change, initialCycle, held: heldAcrossSteps, leaseSeconds }) => {
    const held = server.syncWindow;
    if (held && held.owner !== owner && Date.parse(held.expiresAtUtc) > tx.nowMs) {
      throw new OperationError("openSyncWindow", "Refused", windowHeldMessage(server.name, held));
    }
    server.syncWindow = {
      owner,
      change,
      initialCycle,
      held: heldAcrossSteps ?? false,
      openedAtUtc: isoTime(tx.nowMs),
      expiresAtUtc: isoTime(tx.nowMs + leaseSeconds * 1000),
    };
    return { window: server.syncWindow, replaced: held };
  },

  closeSyncWindow: (_tx, server, { owner }) => {
    if (server.syncWindow?.owner !== owner) return { closed: false };
    server.syncWindow = null;
    return { closed: true };
  },

  getServerState: (tx, server) => ({
    server: handlers.getServerInfo(tx, server, {}),
    scheduler: handlers.getScheduler(tx, server, {}),
    features: handlers.getCompanyFeatures(tx, server, {}),
  }),

  // Allowed during a cycle; a running cycle finishes regardless.
  setSchedulerSyncCycleEnabled: (tx, server, { enabled }) => {
    if (enabled && !tx.state.tenant.scheduler.syncCycleEnabled) {
      for (const each of tx.state.servers) resumeSchedulerAt(each, tx.nowMs);
    }
    tx.state.tenant.scheduler.syncCycleEnabled = enabled;
    tx.catchUp();
    return schedulerView(tx.state, server);
  },

  // Allowed while SyncCycleEnabled is false: the documented procedures do exactly that.
  startSyncCycle: (tx, server, { policyType }) => {
    if (server.currentCycle) throw new OperationError("startSyncCycle", "SyncBusy", SYNC_ALREADY_RUNNING);
    if (server.schedulerSuspended) {
      throw new OperationError("startSyncCycle", "SchedulerSuspended", SCHEDULER_ALREADY_SUSPENDED);
    }
    startCycle(server, policyType, "manual", tx.nowMs, tx.state.settings.syncSeconds, tx.event);
    return { result: "Success" };
  },

  getCompanyFeatures: (tx) => ({ ...tx.state.tenant.features }),

  setGroupWritebackV2: (tx, server, { enabled }) => {
    const tenant = tx.state.tenant;
    if (compareVersions(server.connectVersion, GROUP_WRITEBACK_V2_MIN_VERSION) < 0) {
      throw new OperationError("setGroupWritebackV2", "CmdletError", GROUP_WRITEBACK_V2_PARAMETER_MISSING);
    }
    if (server.currentCycle) {
      throw new OperationError(
        "setGroupWritebackV2",
        "SyncBusy",
        "A synchronization cycle is in progress; wait until it completes before changing company features.",
      );
    }
    if (enabled && !tenant.features.groupWritebackV2) {
      if (tenant.v2EverDisabled) {
        throw new OperationError(
          "setGroupWritebackV2",
          "FeatureRefused",
          "The tenant no longer allows enabling Group Writeback V2: it was disabled on this tenant and cannot be re-enabled. Use Microsoft Entra Cloud Sync group provisioning instead.",
        );
      }
      if (tenant.era === "current") {
        throw new OperationError(
          "setGroupWritebackV2",
          "FeatureRefused",
          "The tenant no longer allows enabling Group Writeback V2: the feature was retired on 30 June 2024. Use Microsoft Entra Cloud Sync group provisioning instead.",
        );
      }
    }
    // Turning it off is irreversible (https://learn.microsoft.com/en-us/entra/identity/hybrid/cloud-sync/migrate-group-writeback).
    if (!enabled && tenant.features.groupWritebackV2) tenant.v2EverDisabled = true;
    tenant.features.groupWritebackV2 = enabled;
    return { ...tenant.features };
  },

  getGroupWritebackV1Config: (tx, server) => ({
    unifiedGroupWriteback: tx.state.tenant.features.unifiedGroupWriteback,
    optionalFeatureGroupWriteBack: server.groupWriteback.optionalFeatureGroupWriteBack,
    containerDn: server.groupWriteback.containerDn,
    displayNameDn: server.groupWriteback.displayNameDn,
  }),

  getSyncScope: (_tx, server) => ({
    connectorName: server.adConnector.name,
    connectorAccountDn: server.adConnector.accountDn,
    includedContainers: [...server.adConnector.includedContainers],
    excludedContainers: [...server.adConnector.excludedContainers],
  }),

  getOrganizationalUnit: (tx, _server, { dn }) => organizationalUnitView(tx.state, dn),

  newOrganizationalUnit: (tx, _server, { name, parentDn }) => {
    const parent = findObject(tx.state.domain, parentDn);
    if (!parent) {
      throw new OperationError(
        "newOrganizationalUnit",
        "NotFound",
        `Directory object not found: the parent '${parentDn}' does not exist.`,
      );
    }
    const dn = `OU=${escapeDnValue(name)},${parent.dn}`;
    if (findObject(tx.state.domain, dn))
      throw new OperationError("newOrganizationalUnit", "CmdletError", NAME_ALREADY_IN_USE);
    putObject(tx.state.domain, {
      objectClass: "organizationalUnit",
      dn,
      aces: [],
      protectedFromAccidentalDeletion: true,
    });
    return organizationalUnitView(tx.state, dn);
  },

  removeOrganizationalUnit: (tx, _server, { dn, recursive }) => {
    const domain = tx.state.domain;
    const key = dnKey(dn);
    const object = domain.objects[key];
    if (!object || object.objectClass !== "organizationalUnit")
      throw notFound("removeOrganizationalUnit", tx.state, dn);
    const children = childKeys(domain, key).length;
    if (children > 0 && !recursive) {
      throw new OperationError(
        "removeOrganizationalUnit",
        "Refused",
        `The OU '${object.dn}' is not empty: it holds ${children} direct child object(s). Move or delete them first, or remove it recursively.`,
      );
    }
    object.protectedFromAccidentalDeletion = false;
    for (const doomed of subtreeKeys(domain, key)) delete domain.objects[doomed];
    return { removed: true };
  },

  getAccessRules: (tx, _server, { dn, accountDn }) => {
    if (!findObject(tx.state.domain, dn)) throw notFound("getAccessRules", tx.state, dn);
    requireAccount("getAccessRules", tx.state, accountDn);
    return { rules: accessRulesFor(tx.state.domain, dn, accountDn) };
  },

  grantWritebackAccess: (tx, _server, { dn, accountDn }) => {
    const object = findObject(tx.state.domain, dn);
    if (!object) throw notFound("grantWritebackAccess", tx.state, dn);
    requireAccount("grantWritebackAccess", tx.state, accountDn);
    addWritebackAce(object, accountDn);
    return { rules: accessRulesFor(tx.state.domain, dn, accountDn) };
  },

  revokeWritebackAccess: (tx, _server, { dn, accountDn }) => {
    const object = findObject(tx.state.domain, dn);
    if (!object) throw notFound("revokeWritebackAccess", tx.state, dn);
    requireAccount("revokeWritebackAccess", tx.state, accountDn);
    return { removed: removeWritebackAces(object, accountDn) };
  },

  setForestWritebackPermissions: (tx, _server, { accountDn }) => {
    const domain = tx.state.domain;
    requireAccount("setForestWritebackPermissions", tx.state, accountDn);
    const root = findObject(domain, domain.rootDn);
    if (!root) throw notFound("setForestWritebackPermissions", tx.state, domain.rootDn);
    addWritebackAce(root, accountDn);
    return { domainDns: [root.dn] };
  },

  listWrittenBackGroups: (tx, _server, { dn }) => {
    if (!findObject(tx.state.domain, dn)) throw notFound("listWrittenBackGroups", tx.state, dn);
    return { groups: writtenBackGroupsBelow(tx.state, dn) };
  },

  listPendingExports: (_tx, server, { dn }) => {
    const key = dnKey(dn);
    return {
      exports: server.pendingExports
        .filter((pending) => isAtOrBelow(dnKey(pending.dn), key))
        .map((p) => ({ ...p })),
    };
  },

  getCloudGroupWriteback: (tx, _server, { dn, sampleSize }) =>
    cloudGroupWritebackView(tx.state, dn, sampleSize),

  getSyncRules: (_tx, server) => ({ rules: structuredClone(sortedRules(server)) }),

  // Rules change only between cycles, as the documented procedures do it (scheduler paused, no cycle running).
  newSyncRule: (_tx, server, args) => {
    refuseRuleChangeDuringCycle("newSyncRule", server);
    return structuredClone(addSyncRule(server, args));
  },

  removeSyncRule: (_tx, server, { identifier }) => {
    refuseRuleChangeDuringCycle("removeSyncRule", server);
    return removeSyncRule(server, identifier);
  },

  setSyncRuleDisabled: (_tx, server, { identifier, disabled }) => {
    refuseRuleChangeDuringCycle("setSyncRuleDisabled", server);
    return setSyncRuleDisabled(server, identifier, disabled);
  },

  listGroupDirectoryObjectIds: (tx, _server, { dn }) => {
    if (!findObject(tx.state.domain, dn)) throw notFound("listGroupDirectoryObjectIds", tx.state, dn);
    return { groups: securityGroupDirectoryObjectIds(tx.state, dn).map(({ view }) => view) };
  },

  // Get-ADGroup, then Set-ADGroup -Replace on each group that lacks the value: all checked before the first write.
  copyGroupDirectoryObjectIds: (tx, _server, { dn }) => {
    const domain = tx.state.domain;
    if (!findObject(domain, dn)) throw notFound("copyGroupDirectoryObjectIds", tx.state, dn);
    const groups = securityGroupDirectoryObjectIds(tx.state, dn);
    const conflicts = groups
      .map(({ view }) => view)
      .filter((view) => view.externalDirectoryObjectId !== null && !directoryObjectIdMatches(view));
    if (conflicts.length > 0) {
      throw new OperationError(
        "copyGroupDirectoryObjectIds",
        "Refused",
        directoryObjectIdConflictMessage(conflicts),
      );
    }
    const copied: string[] = [];
    for (const { key, view } of groups) {
      if (view.externalDirectoryObjectId !== null) continue;
      const object = domain.objects[key];
      if (object?.objectClass !== "group") continue;
      object.externalDirectoryObjectId = view.adminDescription;
      copied.push(view.dn);
    }
    return {
      copied: copied.length,
      alreadySet: groups.length - copied.length,
      sample: copied.slice(0, DIRECTORY_OBJECT_ID_SAMPLE_SIZE),
    };
  },
};

/** How many copied DNs copyGroupDirectoryObjectIds names (the module's function names as many). */
const DIRECTORY_OBJECT_ID_SAMPLE_SIZE = 10;

/** msDS-ExternalDirectoryObjectID is compared as AD compares it: case-insensitively (a Unicode string attribute with no case rule is case-insensitive). */
function directoryObjectIdMatches(view: GroupDirectoryObjectId): boolean {
  return view.externalDirectoryObjectId?.toLowerCase() === view.adminDescription.toLowerCase();
}

/** The refusal both backends give (Copy-EntraWritebackGroupDirectoryObjectId writes the same sentence). */
export function directoryObjectIdConflictMessage(
  conflicts: readonly Pick<GroupDirectoryObjectId, "dn" | "adminDescription" | "externalDirectoryObjectId">[],
): string {
  const named = conflicts
    .slice(0, DIRECTORY_OBJECT_ID_SAMPLE_SIZE)
    .map(
      (group) =>
        `${group.dn} (adminDescription ${group.adminDescription}, msDS-ExternalDirectoryObjectID ${group.externalDirectoryObjectId ?? ""})`,
    )
    .join("; ");
  const more =
    conflicts.length > DIRECTORY_OBJECT_ID_SAMPLE_SIZE
      ? ` and ${conflicts.length - DIRECTORY_OBJECT_ID_SAMPLE_SIZE} more`
      : "";
  return (
    `${conflicts.length} written-back group(s) already carry another msDS-ExternalDirectoryObjectID than their adminDescription: ` +
    `${named}${more}. Nothing was changed. Cloud Sync matches groups by this value: check which cloud group each AD group ` +
    "belongs to, correct or clear the value (Set-ADGroup -Clear msDS-ExternalDirectoryObjectID), then run again."
  );
}

/**
 * Written-back security groups without mail under dn (Get-ADGroup -SearchBase, GroupCategory Security, mail not set),
 * by DN, with their keys. The simulated AD keeps no mail attribute: a written-back Microsoft 365 group carries one
 * (Connect writes its mail and proxy addresses), so the cloud group's type stands for it.
 */
function securityGroupDirectoryObjectIds(
  state: SimState,
  dn: string,
): { key: string; view: GroupDirectoryObjectId }[] {
  const below = dnKey(dn);
  const mailEnabled = new Set<string>();
  for (const group of eachCloudGroup(state.tenant))
    if (group.type === "m365") mailEnabled.add(group.objectId);
  const found: { key: string; view: GroupDirectoryObjectId }[] = [];
  for (const [key, group] of anchoredGroups(state.domain)) {
    if (group.groupCategory !== "Security" || !isAtOrBelow(key, below)) continue;
    const cloudObjectId = objectIdFromAnchor(group.adminDescription);
    if (cloudObjectId === null || group.adminDescription === null || mailEnabled.has(cloudObjectId)) continue;
    found.push({
      key,
      view: {
        dn: group.dn,
        adminDescription: group.adminDescription,
        cloudObjectId,
        displayName: group.displayName,
        externalDirectoryObjectId: group.externalDirectoryObjectId ?? null,
      },
    });
  }
  return found.sort((a, b) => a.view.dn.localeCompare(b.view.dn));
}

function refuseRuleChangeDuringCycle(operation: OperationName, server: Server): void {
  if (server.currentCycle) {
    throw new OperationError(
      operation,
      "SyncBusy",
      `A synchronization cycle is in progress on ${server.name}; wait until it completes before changing sync rules.`,
    );
  }
}

type WrittenBackGroupView = OperationResult<"listWrittenBackGroups">["groups"][number];

/** Groups under the DN that carry a Group_<objectId> adminDescription, sorted by DN (Get-ADGroup -SearchBase). */
function writtenBackGroupsBelow(state: SimState, dn: string): WrittenBackGroupView[] {
  const key = dnKey(dn);
  const groups: WrittenBackGroupView[] = [];
  for (const [candidateKey, object] of anchoredGroups(state.domain)) {
    if (!isAtOrBelow(candidateKey, key)) continue;
    const cloudObjectId = objectIdFromAnchor(object.adminDescription);
    if (cloudObjectId === null || object.adminDescription === null) continue;
    groups.push({
      dn: object.dn,
      adminDescription: object.adminDescription,
      cloudObjectId,
      displayName: object.displayName,
      groupScope: "Universal",
      groupCategory: object.groupCategory,
    });
  }
  return groups.sort((a, b) => a.dn.localeCompare(b.dn));
}

function groupSetOf(entries: GroupSampleEntry[], sampleSize: number): GroupSet {
  // Ordinal order by display name, then object id ([string]::CompareOrdinal in the script).
  const ordinal = (left: string, right: string) => (left < right ? -1 : left > right ? 1 : 0);
  const sorted = [...entries].sort(
    (a, b) => ordinal(a.displayName, b.displayName) || ordinal(a.cloudObjectId, b.cloudObjectId),
  );
  return { count: sorted.length, sample: sorted.slice(0, sampleSize) };
}

/** getCloudGroupWriteback: the tenant's groups by writeback setting, crossed with the written-back groups under dn. */
function cloudGroupWritebackView(
  state: SimState,
  dn: string | null,
  sampleSize: number,
): CloudGroupWriteback {
  const live = [...eachCloudGroup(state.tenant)].filter(
    (group) => group.deleted === "none" && group.onPremisesSyncEnabled !== true,
  );
  const m365 = live.filter((group) => group.type === "m365");
  const security = live.filter((group) => group.type === "security");
  const optedOut = m365.filter((group) => group.writebackEnabled === false);
  const inAd = dn !== null && findObject(state.domain, dn) ? writtenBackGroupsBelow(state, dn) : null;
  const dnOf = new Map((inAd ?? []).map((group) => [group.cloudObjectId, group.dn]));
  const entry = (group: CloudGroup): GroupSampleEntry => ({
    cloudObjectId: group.objectId,
    displayName: group.displayName,
    dn: dnOf.get(group.objectId) ?? null,
  });
  return {
    microsoft365Groups: m365.length,
    optedOutMicrosoft365Groups: groupSetOf(optedOut.map(entry), sampleSize),
    securityGroups: security.length,
    writebackEnabledSecurityGroups: security.filter((group) => group.writebackEnabled === true).length,
    inOu:
      inAd === null
        ? null
        : {
            writtenBack: inAd.length,
            optedOutMicrosoft365: groupSetOf(
              optedOut.filter((group) => dnOf.has(group.objectId)).map(entry),
              sampleSize,
            ),
            security: groupSetOf(security.filter((group) => dnOf.has(group.objectId)).map(entry), sampleSize),
          },
  };
}

/** Validates the arguments against the contract and applies the operation. Throws OperationError. */
export function applyOperation(
  tx: Transaction,
  server: Server,
  operation: OperationName,
  rawArgs: unknown,
): unknown {
  const parsed = operations[operation].args.safeParse(rawArgs ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
      .join("; ");
    throw new OperationError(operation, "CmdletError", `invalid arguments for ${operation}: ${problems}`);
  }
  const handler = handlers[operation] as (tx: Transaction, server: Server, args: unknown) => unknown;
  try {
    return handler(tx, server, parsed.data);
  } catch (error) {
    if (error instanceof OperationError) throw error;
    // A DN that parses under the contract's loose check but not as RFC 4514, and similar.
    throw new OperationError(operation, "CmdletError", (error as Error).message);
  }
}

export type RunOutcome =
  | { kind: "ok"; result: unknown }
  | { kind: "error"; error: OperationError }
  | { kind: "hang"; seconds: number; message: string };

export interface RunRequest {
  operation: string;
  args: unknown;
  /** Server name; default the first server. */
  server?: string;
  /** Who is calling, for the journal: backend, cli, or a custom name. */
  client: string;
  /** The Pulumi stack (project/stack) whose deployment makes the call, when the caller knows it. */
  stack?: string;
  /** Whether injected faults fire for this call (the backend: yes; the CLI: no). */
  faults: boolean;
}

/** Runs one operation inside the given transaction and journals it (faults included). */
export function runInTransaction(tx: Transaction, request: RunRequest): RunOutcome {
  const serverName = request.server ?? tx.state.servers[0]?.name ?? "";
  const journalOutcome = (outcome: RunOutcome): RunOutcome => {
    const error = outcome.kind === "error" ? outcome.error : null;
    tx.journal({
      kind: "operation",
      server: serverName,
      client: request.client,
      ...(request.stack !== undefined ? { stack: request.stack } : {}),
      operation: request.operation,
      args: request.args ?? {},
      outcome: outcome.kind === "ok" ? "ok" : "error",
      ...(error ? { code: error.code, message: error.message } : {}),
      ...(outcome.kind === "hang" ? { code: "InjectedFault", message: outcome.message } : {}),
    });
    return outcome;
  };
  try {
    const operation = request.operation;
    if (!isOperationName(operation)) {
      throw new OperationError(
        String(operation),
        "CmdletError",
        `unknown operation "${String(operation)}"; known: ${operationNames.join(", ")}`,
      );
    }
    const server = findServer(tx.state, request.server);
    if (request.faults) {
      const fault = takeFault(tx, operation, server.name);
      if (fault) {
        if (fault.kind === "hang")
          return journalOutcome({
            kind: "hang",
            seconds: tx.state.settings.hangSeconds,
            message: fault.message,
          });
        return journalOutcome({
          kind: "error",
          error: new OperationError(operation, "InjectedFault", fault.message),
        });
      }
    }
    return journalOutcome({ kind: "ok", result: applyOperation(tx, server, operation, request.args) });
  } catch (error) {
    if (error instanceof OperationError) return journalOutcome({ kind: "error", error });
    throw error;
  }
}

function takeFault(
  tx: Transaction,
  operation: OperationName,
  serverName: string,
): { kind: "error" | "hang"; message: string } | null {
  const index = tx.state.faults.findIndex((fault) => fault.operation === operation);
  const fault = tx.state.faults[index];
  if (!fault) return null;
  if (fault.skip !== undefined) {
    if (fault.skip > 1) fault.skip--;
    else delete fault.skip;
    return null;
  }
  fault.remaining--;
  if (fault.remaining <= 0) tx.state.faults.splice(index, 1);
  const message = fault.message ?? `injected fault: ${operation} failed (entra-sim fault)`;
  tx.event("fault-fired", serverName, {
    operation,
    kind: fault.kind,
    message,
    remaining: Math.max(fault.remaining, 0),
  });
  return { kind: fault.kind, message };
}
