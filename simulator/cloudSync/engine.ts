// The simulated Cloud Sync group provisioning job run against the simulated AD: each cycle provisions the
// in-scope cloud security groups as Universal security groups named and placed by the job's schema, matched by
// msDS-ExternalDirectoryObjectId = Group_<objectId>, with members that have an AD account; hard-deleted groups are
// deleted, unless more deletes than the threshold allows are due (TooManyDeletes quarantine).
// https://learn.microsoft.com/en-us/entra/identity/hybrid/cloud-sync/how-provisioning-to-active-directory-works
import * as crypto from "node:crypto";
import { dnKey, escapeDnValue, parentKey } from "../../domain/dn";
import { toIso } from "../clock";
import { JOURNAL_SAMPLE_SIZE } from "../journal";
import { eachCloudGroup } from "../lazyState";
import type { AdGroup, CloudGroup, SimState } from "../model";
import { groupFlags } from "../graph/filter";
import {
  AAD2AD_JOB_TEMPLATE,
  DEFAULT_DELETE_THRESHOLD,
  LIMITS,
  SCOPE_APP_ROLE_IDS,
} from "../../domain/cloudSync";
import { MATCHING_ATTRIBUTE, newCloudSyncState, SIMULATED_CLOUDS } from "./defaults";
import { compileMapping, compileScope, ExpressionError, type SourceValues } from "./expressions";
import type {
  CloudSyncState,
  CycleReport,
  Execution,
  ServicePrincipal,
  SynchronizationJob,
  SynchronizationSchema,
} from "./model";

export type RecordEvent = (
  event: string,
  server: string | null,
  details: Record<string, unknown>,
  atMs: number,
) => void;

/** The journal's server field for Cloud Sync events. */
export const CLOUD_SYNC_JOURNAL_SERVER = "cloudsync";

/** The state's Cloud Sync section, created (with an agent for the domain) when absent. */
export function ensureCloudSync(state: SimState): CloudSyncState {
  if (!state.cloudSync) state.cloudSync = newCloudSyncState(state.domain.dnsName);
  return state.cloudSync;
}

/** The value Cloud Sync writes to msDS-ExternalDirectoryObjectId. */
export function externalId(objectId: string): string {
  return `Group_${objectId}`;
}

/** The app role id that scopes groups in this tenant's cloud. */
export function scopeAppRoleId(cloudSync: CloudSyncState): string {
  return SCOPE_APP_ROLE_IDS[SIMULATED_CLOUDS[cloudSync.settings.cloud]];
}

// ---- the mappings the engine evaluates ----

/** Target attributes whose mappings the engine evaluates; the others are kept in the schema and not modelled. */
export const EVALUATED_ATTRIBUTES = [
  "cn",
  "parentDistinguishedName",
  "sAMAccountName",
  "description",
  "displayName",
] as const;
type Evaluated = (typeof EVALUATED_ATTRIBUTES)[number];
export type CompiledMappings = Partial<Record<Evaluated, (values: SourceValues) => string | null>> & {
  /** The scoping filter; absent: every group in scope passes. */
  scope?: (values: SourceValues) => boolean;
};

/** The group object mapping of a schema (source Group, target group). */
export function groupObjectMapping(schema: SynchronizationSchema) {
  for (const rule of schema.synchronizationRules)
    for (const mapping of rule.objectMappings)
      if (
        mapping.sourceObjectName.toLowerCase() === "group" &&
        mapping.targetObjectName.toLowerCase() === "group"
      )
        return mapping;
  return undefined;
}

/**
 * Checks a schema a client writes, and compiles the mappings the engine evaluates. Throws ExpressionError with
 * a message for the client: no group mapping, a duplicated target attribute, the matching mapping removed, a
 * mapping form the simulator does not model.
 */
export function compileSchema(schema: SynchronizationSchema): CompiledMappings {
  const mapping = groupObjectMapping(schema);
  if (!mapping) throw new ExpressionError("the schema has no object mapping from Group to group");
  const seen = new Set<string>();
  for (const each of mapping.attributeMappings) {
    const key = each.targetAttributeName.toLowerCase();
    if (seen.has(key))
      throw new ExpressionError(`the target attribute ${each.targetAttributeName} is mapped more than once`);
    seen.add(key);
  }
  if (!seen.has(MATCHING_ATTRIBUTE.toLowerCase()))
    throw new ExpressionError(`the service-managed mapping to ${MATCHING_ATTRIBUTE} must not be removed`);
  const compiled: CompiledMappings = {};
  for (const each of mapping.attributeMappings) {
    const target = EVALUATED_ATTRIBUTES.find(
      (name) => name.toLowerCase() === each.targetAttributeName.toLowerCase(),
    );
    if (!target) continue;
    if (!each.source) throw new ExpressionError(`the mapping to ${target} has no source`);
    try {
      compiled[target] = compileMapping(each.source);
    } catch (error) {
      if (error instanceof ExpressionError)
        throw new ExpressionError(`the mapping to ${target}: ${error.message}`);
      throw error;
    }
  }
  const scope = compileScope(mapping.scope);
  if (scope) compiled.scope = scope;
  if (!compiled.cn) throw new ExpressionError("the schema maps nothing to cn");
  if (!compiled.parentDistinguishedName)
    throw new ExpressionError("the schema maps nothing to parentDistinguishedName");
  return compiled;
}

function sourceValues(group: CloudGroup): SourceValues {
  const flags = groupFlags(group);
  return {
    displayName: group.displayName,
    objectId: group.objectId,
    description: null,
    mailNickname: group.displayName.replace(/[^A-Za-z0-9]/g, "").slice(0, 64) || group.objectId.slice(0, 8),
    securityEnabled: flags.securityEnabled ? "True" : "False",
    mailEnabled: flags.mailEnabled ? "True" : "False",
  };
}

// ---- scope ----

/** Why a group is not provisioned although it is in the job's scope, or null when it is provisioned. */
export function refusalReason(group: CloudGroup): string | null {
  if (group.type === "m365")
    return "Microsoft 365 groups are not provisioned to AD by Cloud Sync (security groups only)";
  if (group.variant === "mailEnabledSecurity") return "mail-enabled security groups aren't supported";
  if (group.variant === "distribution") return "distribution groups aren't supported";
  if ((group.members?.length ?? 0) > LIMITS.groupMembers)
    return `groups with more than ${LIMITS.groupMembers.toLocaleString("en-US")} members aren't supported`;
  return null;
}

function secretValue(sp: ServicePrincipal, key: string): string | undefined {
  return sp.secrets.find((secret) => secret.key.toLowerCase() === key.toLowerCase())?.value;
}

/** "All security groups" (secret SyncAll = true) or the groups assigned to the service principal. */
export function scopeMode(sp: ServicePrincipal): "all" | "selected" {
  return secretValue(sp, "SyncAll")?.toLowerCase() === "true" ? "all" : "selected";
}

/** The delete threshold from SyncNotificationSettings: null when disabled. */
export function deleteThreshold(sp: ServicePrincipal): number | null {
  const raw = secretValue(sp, "SyncNotificationSettings");
  if (raw === undefined) return DEFAULT_DELETE_THRESHOLD;
  let settings: Record<string, unknown>;
  try {
    settings = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return DEFAULT_DELETE_THRESHOLD;
  }
  if (settings.DeleteThresholdEnabled === false || settings.DeleteThresholdEnabled === "false") return null;
  const value = Number(settings.DeleteThresholdValue);
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_DELETE_THRESHOLD;
}

/** The domain of the Domain secret ({"domain":"contoso.com"}), or null. */
export function secretDomain(sp: ServicePrincipal): string | null {
  const raw = secretValue(sp, "Domain");
  if (raw === undefined) return null;
  try {
    const parsed = JSON.parse(raw) as { domain?: unknown };
    return typeof parsed.domain === "string" ? parsed.domain : null;
  } catch {
    return null;
  }
}

// ---- the directory lookups one cycle needs (one scan of AD, made when first needed) ----

interface DirectoryIndex {
  /** Group keys by msDS-ExternalDirectoryObjectId, lower case. */
  byExternalId: Map<string, string>;
  /** User DNs by objectGUID. */
  userByGuid: Map<string, string>;
  /** sAMAccountNames in use (lower case) and their key. */
  samNames: Map<string, string>;
}

function indexDirectory(state: SimState): DirectoryIndex {
  const index: DirectoryIndex = { byExternalId: new Map(), userByGuid: new Map(), samNames: new Map() };
  for (const key of Object.keys(state.domain.objects)) {
    const object = state.domain.objects[key];
    if (!object) continue;
    if (object.objectClass === "group") {
      if (object.externalDirectoryObjectId)
        index.byExternalId.set(object.externalDirectoryObjectId.toLowerCase(), key);
      if (object.samAccountName) index.samNames.set(object.samAccountName.toLowerCase(), key);
    } else if (object.objectClass === "user") {
      index.samNames.set(object.samAccountName.toLowerCase(), key);
      if (object.objectGuid) index.userByGuid.set(object.objectGuid.toLowerCase(), object.dn);
    }
  }
  return index;
}

function randomSamAccountName(): string {
  // GUESSED format: Microsoft says only that an unmapped sAMAccountName is "randomly generated".
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
  let name = "$";
  for (const byte of crypto.randomBytes(12)) name += alphabet[byte % alphabet.length];
  return name;
}

// ---- provisioning one group ----

export interface GroupOutcome {
  action: "add" | "update" | "move" | "none" | "error";
  dn: string;
  message?: string;
}

interface CycleContext {
  state: SimState;
  cloudSync: CloudSyncState;
  job: SynchronizationJob;
  mappings: CompiledMappings;
  index: () => DirectoryIndex;
}

/** The AD group this job already provisioned or that carries the group's msDS-ExternalDirectoryObjectId. */
function matchedGroup(ctx: CycleContext, objectId: string): { key: string; group: AdGroup } | null {
  const wanted = externalId(objectId).toLowerCase();
  const known = ctx.job.provisioned[objectId];
  const candidates = [known ? dnKey(known) : undefined, ctx.index().byExternalId.get(wanted)];
  for (const key of candidates) {
    if (key === undefined) continue;
    const object = ctx.state.domain.objects[key];
    if (object?.objectClass === "group" && object.externalDirectoryObjectId?.toLowerCase() === wanted)
      return { key, group: object };
  }
  return null;
}

/** Creates, updates, renames or moves the group's AD object (not its members). */
function provisionGroup(ctx: CycleContext, group: CloudGroup): GroupOutcome {
  const values = sourceValues(group);
  const domain = ctx.state.domain;
  const cn = ctx.mappings.cn?.(values) ?? "";
  const parent = ctx.mappings.parentDistinguishedName?.(values) ?? "";
  if (cn.trim() === "") return { action: "error", dn: "", message: "the cn mapping gave an empty value" };
  let parentKeyValue: string;
  try {
    parentKeyValue = dnKey(parent);
  } catch {
    return {
      action: "error",
      dn: "",
      message: `parentDistinguishedName ${JSON.stringify(parent)} is not a DN`,
    };
  }
  const dn = `CN=${escapeDnValue(cn)},${parent}`;
  const key = dnKey(dn);
  if (!domain.objects[parentKeyValue])
    return { action: "error", dn, message: `The container ${parent} does not exist in Active Directory.` };
  const displayName = ctx.mappings.displayName ? ctx.mappings.displayName(values) : group.displayName;
  const description = ctx.mappings.description ? ctx.mappings.description(values) : null;
  const mappedSam = ctx.mappings.sAMAccountName?.(values) ?? null;
  const existing = matchedGroup(ctx, group.objectId);
  const samTaken = (name: string, ownKey: string | null): boolean => {
    const holder = ctx.index().samNames.get(name.toLowerCase());
    return holder !== undefined && holder !== ownKey && domain.objects[holder] !== undefined;
  };
  if (mappedSam !== null && samTaken(mappedSam, existing?.key ?? null))
    return {
      action: "error",
      dn,
      message: `The sAMAccountName ${mappedSam} is already in use in the domain.`,
    };
  if (domain.objects[key] && key !== existing?.key) {
    return {
      action: "error",
      dn,
      message: "An attempt was made to add an object to the directory with a name that is already in use.",
    };
  }
  const index = ctx.index();
  if (!existing) {
    const samAccountName = mappedSam ?? randomSamAccountName();
    domain.objects[key] = {
      objectClass: "group",
      dn,
      aces: [],
      displayName: displayName ?? group.displayName,
      groupCategory: "Security",
      groupScope: "Universal",
      adminDescription: null,
      externalDirectoryObjectId: externalId(group.objectId),
      objectGuid: crypto.randomUUID(),
      samAccountName,
      description,
      members: [],
    };
    index.byExternalId.set(externalId(group.objectId).toLowerCase(), key);
    index.samNames.set(samAccountName.toLowerCase(), key);
    ctx.job.provisioned[group.objectId] = dn;
    return { action: "add", dn };
  }
  const before = existing.group;
  const moved = existing.key !== key;
  const next: AdGroup = {
    ...before,
    dn,
    displayName: displayName ?? before.displayName,
    groupCategory: "Security",
    groupScope: "Universal",
    // An absent description stays absent (no value to write); the object's identity (objectGuid) is never touched.
    ...(description !== null || (before.description ?? null) !== null ? { description } : {}),
    ...(mappedSam !== null ? { samAccountName: mappedSam } : {}),
  };
  const changed = moved || JSON.stringify(next) !== JSON.stringify(before);
  if (moved) {
    delete domain.objects[existing.key];
    index.byExternalId.set(externalId(group.objectId).toLowerCase(), key);
    if (next.samAccountName) index.samNames.set(next.samAccountName.toLowerCase(), key);
  }
  if (changed) domain.objects[key] = next;
  ctx.job.provisioned[group.objectId] = dn;
  if (moved) return { action: parentKey(existing.key) === parentKeyValue ? "update" : "move", dn };
  return { action: changed ? "update" : "none", dn };
}

/** The member DNs Cloud Sync writes: users with an AD account, and provisioned groups. */
function memberDns(ctx: CycleContext, memberIds: readonly string[]): string[] {
  const users = new Map(ctx.cloudSync.users.map((user) => [user.objectId, user]));
  const dns: string[] = [];
  for (const id of memberIds) {
    const user = users.get(id);
    if (user) {
      const guid = user.onPremisesObjectIdentifier;
      const dn = guid ? ctx.index().userByGuid.get(guid.toLowerCase()) : undefined;
      if (dn) dns.push(dn);
      continue;
    }
    const matched = ctx.job.provisioned[id] ? matchedGroup(ctx, id) : null;
    if (matched) dns.push(matched.group.dn);
  }
  return dns;
}

function setMembers(ctx: CycleContext, dn: string, members: string[]): boolean {
  const object = ctx.state.domain.objects[dnKey(dn)];
  if (object?.objectClass !== "group") return false;
  const sorted = [...members].sort();
  if (JSON.stringify(object.members ?? []) === JSON.stringify(sorted)) return false;
  ctx.state.domain.objects[dnKey(dn)] = { ...object, members: sorted };
  return true;
}

// ---- one cycle ----

function execution(
  startMs: number,
  endMs: number,
  counts: { entitled: number; exported: number; imported: number },
  error: Execution["error"] = null,
): Execution {
  return {
    activityIdentifier: crypto.randomUUID(),
    countEntitled: counts.entitled,
    countEntitledForProvisioning: counts.entitled,
    countEscrowed: 0,
    countEscrowedRaw: 0,
    countExported: counts.exported,
    countExports: counts.exported,
    countImported: counts.imported,
    countImportedDeltas: counts.imported,
    countImportedReferenceDeltas: 0,
    error,
    state: error ? "Failed" : "Succeeded",
    timeBegan: toIso(startMs),
    timeEnded: toIso(endMs),
  };
}

function quarantine(
  job: SynchronizationJob,
  nowMs: number,
  reason: NonNullable<SynchronizationJob["status"]["quarantine"]>["reason"],
  error: Execution["error"],
): void {
  const previous = job.status.quarantine;
  job.status.code = "Quarantine";
  job.status.quarantine = {
    currentBegan: toIso(nowMs),
    // GUESSED: the simulator does not retry a quarantined job by itself; start or restart does.
    nextAttempt: toIso(nowMs + 12 * 3600 * 1000),
    reason,
    seriesBegan: previous?.seriesBegan ?? toIso(nowMs),
    seriesCount: (previous?.seriesCount ?? 0) + 1,
    error,
  };
  job.status.countSuccessiveCompleteFailures++;
  job.nextRunAt = null;
}

function emptyReport(nowMs: number, trigger: CycleReport["trigger"]): CycleReport {
  return {
    at: toIso(nowMs),
    trigger,
    outcome: "ran",
    added: [],
    updated: [],
    moved: [],
    deleted: [],
    heldDeletes: 0,
    skipped: [],
    errors: [],
    message: null,
  };
}

/** Why the job cannot run against this domain now (no Domain secret, another domain, no active agent), or null. */
export function prerequisiteProblem(
  state: SimState,
  cloudSync: CloudSyncState,
  sp: ServicePrincipal,
): string | null {
  const domain = secretDomain(sp);
  if (domain === null)
    return 'the job has no Domain secret ({"domain":"<AD domain>"}); set it with PUT .../synchronization/secrets';
  if (domain.toLowerCase() !== state.domain.dnsName.toLowerCase())
    return `the Domain secret names ${domain}, but no provisioning agent serves that domain (the simulated AD is ${state.domain.dnsName})`;
  const agent = cloudSync.agents.find(
    (candidate) => candidate.status === "active" && candidate.domain.toLowerCase() === domain.toLowerCase(),
  );
  if (!agent)
    return `no active provisioning agent is registered for ${domain}; install and register the agent`;
  return null;
}

/** The cloud groups in the job's scope: assigned to the service principal, or all security groups (SyncAll). */
export function scopedGroups(
  state: SimState,
  cloudSync: CloudSyncState,
  sp: ServicePrincipal,
  scopeFilter?: (values: SourceValues) => boolean,
): { inScope: CloudGroup[]; skipped: CycleReport["skipped"] } {
  const roleId = scopeAppRoleId(cloudSync);
  const assigned = new Set(
    cloudSync.appRoleAssignments
      .filter((assignment) => assignment.resourceId === sp.objectId && assignment.appRoleId === roleId)
      .map((assignment) => assignment.principalId),
  );
  const all = scopeMode(sp) === "all";
  const inScope: CloudGroup[] = [];
  const skipped: CycleReport["skipped"] = [];
  for (const group of eachCloudGroup(state.tenant)) {
    if (group.deleted !== "none") continue;
    if (!all && !assigned.has(group.objectId)) continue;
    if (scopeFilter && !scopeFilter(sourceValues(group))) continue;
    const reason = refusalReason(group);
    if (reason === null) inScope.push(group);
    // In "all security groups" mode the default scoping clause filters the others out silently.
    else if (!all || group.type === "security")
      skipped.push({ objectId: group.objectId, displayName: group.displayName, reason });
  }
  return { inScope, skipped };
}

/**
 * Runs one cycle of the job now (whatever its schedule; a disabled or paused job does not run and reports
 * not-run). Returns what it did; the job's status and report are updated and an event is journaled.
 */
export function runJobCycle(
  state: SimState,
  sp: ServicePrincipal,
  job: SynchronizationJob,
  nowMs: number,
  trigger: CycleReport["trigger"],
  record: RecordEvent,
): CycleReport {
  const cloudSync = ensureCloudSync(state);
  const report = emptyReport(nowMs, trigger);
  const finish = (): CycleReport => {
    job.lastCycle = report;
    record(
      "cloudsync-cycle",
      CLOUD_SYNC_JOURNAL_SERVER,
      {
        servicePrincipal: sp.displayName,
        job: job.id,
        trigger,
        outcome: report.outcome,
        added: report.added.length,
        updated: report.updated.length,
        moved: report.moved.length,
        deleted: report.deleted.length,
        heldDeletes: report.heldDeletes,
        skipped: report.skipped.length,
        errors: report.errors.length,
        ...(report.message !== null ? { message: report.message } : {}),
        sample: [...report.added, ...report.moved, ...report.deleted].slice(0, JOURNAL_SAMPLE_SIZE),
      },
      nowMs,
    );
    return report;
  };
  if (
    job.templateId !== AAD2AD_JOB_TEMPLATE ||
    job.schedule.state !== "Active" ||
    job.status.code === "Quarantine"
  ) {
    report.outcome = "not-run";
    report.message =
      job.status.code === "Quarantine"
        ? `the job is in quarantine (${job.status.quarantine?.reason ?? "Unknown"}); start or restart it`
        : "the job is not started";
    return finish();
  }
  const problem = prerequisiteProblem(state, cloudSync, sp);
  if (problem !== null) {
    const error = { code: "EncounteredQuarantineException", message: problem, tenantActionable: true };
    job.status.lastExecution = execution(nowMs, nowMs, { entitled: 0, exported: 0, imported: 0 }, error);
    quarantine(job, nowMs, "EncounteredQuarantineException", error);
    report.outcome = "quarantined";
    report.message = problem;
    return finish();
  }
  let mappings: CompiledMappings;
  try {
    mappings = compileSchema(job.schema);
  } catch (error) {
    // A schema the simulator accepted compiles; this is defensive (a state edited by hand).
    report.outcome = "failed";
    report.message = (error as Error).message;
    return finish();
  }
  let directory: DirectoryIndex | null = null;
  const ctx: CycleContext = {
    state,
    cloudSync,
    job,
    mappings,
    index: () => (directory ??= indexDirectory(state)),
  };
  const { inScope, skipped } = scopedGroups(state, cloudSync, sp, mappings.scope);
  report.skipped = skipped;

  // Deletes: groups this job provisioned whose cloud group is hard-deleted (or gone). Soft-deleted groups and
  // groups that left scope are left alone (Microsoft documents only the hard delete for groups).
  const cloud = new Map<string, CloudGroup>();
  for (const group of eachCloudGroup(state.tenant)) cloud.set(group.objectId, group);
  const deletes = Object.keys(job.provisioned).filter((objectId) => {
    const group = cloud.get(objectId);
    return group === undefined || group.deleted === "hard";
  });
  const threshold = deleteThreshold(sp);
  if (threshold !== null && deletes.length >= threshold && !job.forceDeletes) {
    const message = `${deletes.length} deletes exceed the delete threshold of ${threshold}; nothing was exported. Release them with POST .../restart {"criteria":{"resetScope":"ForceDeletes"}} or raise the threshold`;
    const error = { code: "TooManyDeletes", message, tenantActionable: true };
    job.status.lastExecution = execution(
      nowMs,
      nowMs,
      { entitled: inScope.length, exported: 0, imported: inScope.length },
      error,
    );
    quarantine(job, nowMs, "TooManyDeletes", error);
    report.outcome = "quarantined";
    report.heldDeletes = deletes.length;
    report.message = message;
    return finish();
  }

  const provisioned: { group: CloudGroup; dn: string }[] = [];
  for (const group of inScope) {
    const outcome = provisionGroup(ctx, group);
    if (outcome.action === "error") {
      report.errors.push({ objectId: group.objectId, dn: outcome.dn, message: outcome.message ?? "" });
      continue;
    }
    if (outcome.action === "add") report.added.push(outcome.dn);
    else if (outcome.action === "move") report.moved.push(outcome.dn);
    else if (outcome.action === "update") report.updated.push(outcome.dn);
    provisioned.push({ group, dn: outcome.dn });
  }
  for (const { group, dn } of provisioned) {
    if (
      setMembers(ctx, dn, memberDns(ctx, group.members ?? [])) &&
      !report.added.includes(dn) &&
      !report.updated.includes(dn) &&
      !report.moved.includes(dn)
    )
      report.updated.push(dn);
  }
  for (const objectId of deletes) {
    const matched = matchedGroup(ctx, objectId);
    if (matched) {
      delete state.domain.objects[matched.key];
      report.deleted.push(matched.group.dn);
    }
    delete job.provisioned[objectId];
  }
  job.forceDeletes = false;

  const exported = report.added.length + report.updated.length + report.moved.length + report.deleted.length;
  const done = execution(nowMs, nowMs, { entitled: inScope.length, exported, imported: inScope.length });
  job.status.lastExecution = done;
  job.status.lastSuccessfulExecution = done;
  if (exported > 0) job.status.lastSuccessfulExecutionWithExports = done;
  job.status.countSuccessiveCompleteFailures = 0;
  job.status.code = "Active";
  job.status.quarantine = null;
  if (job.status.steadyStateFirstAchievedTime.startsWith("0001"))
    job.status.steadyStateFirstAchievedTime = toIso(nowMs);
  job.status.steadyStateLastAchievedTime = toIso(nowMs);
  job.status.synchronizedEntryCountByType = [
    { key: "group to group", value: Object.keys(job.provisioned).length },
  ];
  job.nextRunAt = toIso(nowMs + cloudSync.settings.intervalSeconds * 1000);
  return finish();
}

/**
 * provisionOnDemand for one group and the given members (at most five): provisions the group now, whatever the
 * job's schedule, and adds those members (it does not remove others). Returns the steps Graph reports.
 */
export function provisionOnDemand(
  state: SimState,
  sp: ServicePrincipal,
  job: SynchronizationJob,
  group: CloudGroup,
  memberIds: readonly string[],
  nowMs: number,
  record: RecordEvent,
): {
  result: "Success" | "Skipped" | "Failure";
  steps: Array<{
    name: string;
    type: string;
    status: string;
    description: string;
    details: Record<string, string>;
  }>;
} {
  const cloudSync = ensureCloudSync(state);
  const steps: Array<{
    name: string;
    type: string;
    status: string;
    description: string;
    details: Record<string, string>;
  }> = [];
  const step = (
    type: string,
    status: string,
    description: string,
    details: Record<string, string> = {},
  ): void => {
    steps.push({ name: `Entra${type}`, type, status, description, details });
  };
  step("Import", "Success", `Retrieved ${group.displayName} from Microsoft Entra ID`, {
    objectId: group.objectId,
  });
  let mappings: CompiledMappings;
  try {
    mappings = compileSchema(job.schema);
  } catch (error) {
    step("Scoping", "Failure", (error as Error).message);
    return { result: "Failure", steps };
  }
  const { inScope, skipped } = scopedGroups(state, cloudSync, sp, mappings.scope);
  const refused = skipped.find((each) => each.objectId === group.objectId);
  if (!inScope.some((each) => each.objectId === group.objectId)) {
    step(
      "Scoping",
      "Skipped",
      refused
        ? refused.reason
        : "the group is not in scope: it is not assigned to the configuration, or the scoping filter excludes it",
      { reason: refused ? "NotSupported" : "NotEffectivelyEntitled" },
    );
    return { result: "Skipped", steps };
  }
  step("Scoping", "Success", "the group is in scope");
  const problem = prerequisiteProblem(state, cloudSync, sp);
  if (problem !== null) {
    step("Export", "Failure", problem);
    return { result: "Failure", steps };
  }
  let directory: DirectoryIndex | null = null;
  const ctx: CycleContext = {
    state,
    cloudSync,
    job,
    mappings,
    index: () => (directory ??= indexDirectory(state)),
  };
  const existed = matchedGroup(ctx, group.objectId);
  step(
    "Matching",
    "Success",
    existed ? `matched ${existed.group.dn} by ${MATCHING_ATTRIBUTE}` : "no matching group in AD",
    existed ? { dn: existed.group.dn } : {},
  );
  const outcome = provisionGroup(ctx, group);
  if (outcome.action === "error") {
    step("Export", "Failure", outcome.message ?? "export failed", { dn: outcome.dn });
    return { result: "Failure", steps };
  }
  const object = state.domain.objects[dnKey(outcome.dn)];
  const wanted = memberDns(ctx, memberIds);
  const current = object?.objectClass === "group" ? (object.members ?? []) : [];
  const membersChanged = setMembers(ctx, outcome.dn, [...new Set([...current, ...wanted])]);
  if (outcome.action === "none" && !membersChanged) {
    step("Export", "Skipped", "nothing to export: the group is up to date", {
      errorCode: "RedundantExport",
      dn: outcome.dn,
    });
  } else {
    step("Export", "Success", `${outcome.action === "add" ? "created" : "updated"} ${outcome.dn}`, {
      dn: outcome.dn,
      action: outcome.action,
    });
  }
  record(
    "cloudsync-on-demand",
    CLOUD_SYNC_JOURNAL_SERVER,
    { job: job.id, objectId: group.objectId, action: outcome.action, dn: outcome.dn, members: wanted.length },
    nowMs,
  );
  return { result: "Success", steps };
}

/** Runs the cycles that became due up to nowMs (a missed slot runs once, like Connect's scheduler). */
export function advanceCloudSync(state: SimState, nowMs: number, record: RecordEvent): void {
  const cloudSync = state.cloudSync;
  if (!cloudSync) return;
  for (const sp of cloudSync.servicePrincipals) {
    for (const job of sp.jobs) {
      if (job.nextRunAt === null || Date.parse(job.nextRunAt) > nowMs) continue;
      const dueMs = Date.parse(job.nextRunAt);
      runJobCycle(state, sp, job, dueMs, "schedule", record);
      if (job.nextRunAt !== null && Date.parse(job.nextRunAt) <= nowMs) {
        // Slots missed while nobody looked are not replayed; the next one is in the future.
        const interval = cloudSync.settings.intervalSeconds * 1000;
        const behind = Math.floor((nowMs - Date.parse(job.nextRunAt)) / interval) + 1;
        job.nextRunAt = toIso(Date.parse(job.nextRunAt) + behind * interval);
      }
    }
  }
}
