// What tests and the entra-sim CLI do to Cloud Sync's simulated world out of band: seed users and security groups
// with members, run a job cycle now, manage the provisioning agent, change settings, read a summary. Each
// function is one journaled transaction (runCloudSyncAction) or a step inside one (the tx-taking helpers).
import * as crypto from "node:crypto";
import { z } from "zod";
import { OperationError } from "../../contract/errors";
import { dnKey, escapeDnValue } from "../../domain/dn";
import type { CloudGroup, SimState } from "../model";
import { type Transaction, withState } from "../transaction";
import {
  assignGroup,
  ConfigurationError,
  createJob,
  instantiateTemplate,
  pauseJob,
  replaceSchema,
  replaceSecrets,
  restartJob,
  startJob,
} from "./configuration";
import {
  AAD2AD_JOB_TEMPLATE,
  CLOUD_SYNC_APPLICATION_TEMPLATE,
  MINIMUM_AGENT_BUILD,
} from "../../domain/cloudSync";
import {
  CLOUD_SYNC_JOURNAL_SERVER,
  deleteThreshold,
  ensureCloudSync,
  groupObjectMapping,
  runJobCycle,
  scopeAppRoleId,
  scopeMode,
  secretDomain,
} from "./engine";
import type { CloudSyncState, CloudUser, CycleReport, ServicePrincipal, SynchronizationJob } from "./model";

/** Runs fn in one transaction, journaled as operation `action` (server "cloudsync"); OperationErrors are journaled and rethrown. */
export async function runCloudSyncAction<T>(
  file: string,
  action: string,
  args: unknown,
  client: string,
  fn: (tx: Transaction, cloudSync: CloudSyncState) => T,
): Promise<T> {
  const outcome = await withState(file, (tx) => {
    const entry = {
      kind: "operation" as const,
      server: CLOUD_SYNC_JOURNAL_SERVER,
      client,
      operation: action,
      args,
    };
    try {
      const value = fn(tx, ensureCloudSync(tx.state));
      tx.journal({ ...entry, outcome: "ok" });
      return { ok: true as const, value };
    } catch (error) {
      if (!(error instanceof OperationError)) throw error;
      tx.journal({ ...entry, outcome: "error", code: error.code, message: error.message });
      return { ok: false as const, error };
    }
  });
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

function refused(message: string): OperationError {
  return new OperationError("cloudsync", "Refused", message);
}

// ---- users and groups ----

export const cloudUserInputSchema = z.strictObject({
  displayName: z.string().trim().min(1).max(256).optional(),
  /** Give the user an AD account (Connect-synced: onPremisesObjectIdentifier = its objectGUID). */
  onPremises: z.boolean().default(false),
});

/** The OU the simulator puts the AD accounts of seeded users in (exists in every new state). */
export function seededUsersOu(rootDn: string): string {
  return `OU=Users,OU=Corp,${rootDn}`;
}

/** A tenant user; with onPremises, an AD user too (under OU=Users,OU=Corp) whose objectGUID the cloud user carries. */
export function addCloudUser(tx: Transaction, input: z.input<typeof cloudUserInputSchema> = {}): CloudUser {
  const { displayName, onPremises } = cloudUserInputSchema.parse(input);
  const cloudSync = ensureCloudSync(tx.state);
  const objectId = crypto.randomUUID();
  const name = displayName ?? `User ${objectId.slice(0, 8)}`;
  const alias = name.replace(/[^A-Za-z0-9]/g, "").slice(0, 12) || "user";
  let onPremisesObjectIdentifier: string | null = null;
  if (onPremises) {
    const ou = seededUsersOu(tx.state.domain.rootDn);
    if (!tx.state.domain.objects[dnKey(ou)])
      throw refused(`the OU ${ou} for users' AD accounts does not exist`);
    onPremisesObjectIdentifier = crypto.randomUUID();
    const samAccountName = `${alias.slice(0, 11)}${objectId.slice(0, 8)}`;
    const dn = `CN=${escapeDnValue(`${name} ${objectId.slice(0, 8)}`)},${ou}`;
    tx.state.domain.objects[dnKey(dn)] = {
      objectClass: "user",
      dn,
      aces: [],
      samAccountName,
      objectGuid: onPremisesObjectIdentifier,
    };
  }
  const user: CloudUser = {
    objectId,
    displayName: name,
    userPrincipalName: `${alias.toLowerCase()}.${objectId.slice(0, 8)}@${tx.state.tenant.name}`,
    onPremisesObjectIdentifier,
  };
  cloudSync.users.push(user);
  return user;
}

export const seedInputSchema = z.strictObject({
  /** How many cloud security groups. */
  groups: z.number().int().nonnegative(),
  /** Members of each group. */
  membersPerGroup: z.number().int().nonnegative().default(3),
  /** Of those, how many have an AD account (the rest are cloud-only and are not written as members). */
  onPremisesMembersPerGroup: z.number().int().nonnegative().default(2),
  namePrefix: z.string().trim().min(1).default("CS"),
  /** mailEnabledSecurity or distribution makes groups Cloud Sync refuses. */
  variant: z.enum(["security", "mailEnabledSecurity", "distribution"]).default("security"),
  /** Assign the groups to this configuration (service principal display name or id). */
  assignTo: z.string().min(1).optional(),
});
export type SeedInput = z.input<typeof seedInputSchema>;

export interface SeededGroup {
  objectId: string;
  displayName: string;
  members: string[];
  onPremisesMembers: string[];
}

/** N cloud security groups with members (some with an AD account), optionally assigned to a configuration. */
export function seedCloudSyncGroups(tx: Transaction, input: SeedInput): SeededGroup[] {
  const options = seedInputSchema.parse(input);
  if (options.onPremisesMembersPerGroup > options.membersPerGroup)
    throw refused("onPremisesMembersPerGroup cannot exceed membersPerGroup");
  const cloudSync = ensureCloudSync(tx.state);
  const sp = options.assignTo !== undefined ? findServicePrincipalByName(cloudSync, options.assignTo) : null;
  const seeded: SeededGroup[] = [];
  const start = tx.state.tenant.groups.length;
  for (let i = 0; i < options.groups; i++) {
    const members: string[] = [];
    const onPremisesMembers: string[] = [];
    for (let m = 0; m < options.membersPerGroup; m++) {
      const onPremises = m < options.onPremisesMembersPerGroup;
      const user = addCloudUser(tx, {
        displayName: `${options.namePrefix} Member ${start + i}-${m}`,
        onPremises,
      });
      members.push(user.objectId);
      if (onPremises) onPremisesMembers.push(user.objectId);
    }
    const group: CloudGroup = {
      objectId: crypto.randomUUID(),
      displayName: `${options.namePrefix} Group ${String(start + i).padStart(5, "0")}`,
      type: "security",
      writebackEnabled: null,
      deleted: "none",
      ...(options.variant !== "security" ? { variant: options.variant } : {}),
      members,
    };
    tx.state.tenant.groups.push(group);
    if (sp) assignGroup(cloudSync, sp, group.objectId, scopeAppRoleId(cloudSync), tx.nowMs);
    seeded.push({ objectId: group.objectId, displayName: group.displayName, members, onPremisesMembers });
  }
  return seeded;
}

/** Replaces a cloud group's direct members (users or groups of the tenant). */
export function setCloudGroupMembers(
  tx: Transaction,
  objectId: string,
  memberIds: readonly string[],
): CloudGroup {
  const group = tx.state.tenant.groups.find((candidate) => candidate.objectId === objectId.toLowerCase());
  if (!group) throw new OperationError("cloudsync", "NotFound", `no cloud group with objectId ${objectId}`);
  const cloudSync = ensureCloudSync(tx.state);
  const users = new Set(cloudSync.users.map((user) => user.objectId));
  const groups = new Set(tx.state.tenant.groups.map((each) => each.objectId));
  const members = memberIds.map((id) => id.toLowerCase());
  const unknown = members.filter((id) => !users.has(id) && !groups.has(id));
  if (unknown.length > 0) throw refused(`no user or group with objectId ${unknown.join(", ")}`);
  group.members = [...new Set(members)];
  return group;
}

// ---- configurations ----

function findServicePrincipalByName(cloudSync: CloudSyncState, nameOrId: string): ServicePrincipal {
  const key = nameOrId.toLowerCase();
  const sp = cloudSync.servicePrincipals.find(
    (candidate) => candidate.objectId === key || candidate.displayName.toLowerCase() === key,
  );
  if (!sp)
    throw new OperationError(
      "cloudsync",
      "NotFound",
      `no Cloud Sync configuration (service principal) named ${nameOrId}`,
    );
  return sp;
}

/** A mapping source: a constant, a source attribute, or an expression (docs/simulator.md, "The default schema"). */
export type MappingInput = { constant: string } | { attribute: string } | { expression: string };

function mappingSource(input: MappingInput): {
  expression: string;
  name: string;
  parameters: unknown[];
  type: string;
} {
  if ("constant" in input)
    return {
      expression: JSON.stringify(input.constant),
      name: input.constant,
      parameters: [],
      type: "Constant",
    };
  if ("attribute" in input)
    return { expression: `[${input.attribute}]`, name: input.attribute, parameters: [], type: "Attribute" };
  const name = /^\s*([A-Za-z]+)/.exec(input.expression)?.[1] ?? "";
  return { expression: input.expression, name, parameters: [], type: "Function" };
}

function translate<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ConfigurationError)
      throw new OperationError(
        "cloudsync",
        error.kind === "not-found" ? "NotFound" : "Refused",
        error.message,
      );
    throw error;
  }
}

/** The group provisioning job of a configuration. */
function groupJob(sp: ServicePrincipal): SynchronizationJob {
  const job = sp.jobs.find((candidate) => candidate.templateId === AAD2AD_JOB_TEMPLATE);
  if (!job)
    throw new OperationError("cloudsync", "NotFound", `${sp.displayName} has no ${AAD2AD_JOB_TEMPLATE} job`);
  return job;
}

/** Sets (or with null removes) the mapping to one target attribute of a configuration's job, as a schema PUT would. */
export function setCloudSyncMapping(
  tx: Transaction,
  servicePrincipal: string,
  targetAttributeName: string,
  source: MappingInput | null,
): void {
  const cloudSync = ensureCloudSync(tx.state);
  const job = groupJob(findServicePrincipalByName(cloudSync, servicePrincipal));
  const schema = structuredClone(job.schema);
  const mapping = groupObjectMapping(schema);
  if (!mapping) throw refused("the job's schema has no Group to group mapping");
  const others = mapping.attributeMappings.filter(
    (each) => each.targetAttributeName.toLowerCase() !== targetAttributeName.toLowerCase(),
  );
  mapping.attributeMappings =
    source === null
      ? others
      : [
          ...others,
          {
            defaultValue: null,
            exportMissingReferences: false,
            flowBehavior: "FlowWhenChanged",
            flowType: "Always",
            matchingPriority: 0,
            targetAttributeName,
            source: mappingSource(source),
          },
        ];
  translate(() => replaceSchema(cloudSync, job, schema, tx.nowMs));
}

export interface ConfigurationInput {
  /** The service principal's name; the portal uses the AD domain. Default: the simulated domain. */
  displayName?: string;
  templateId?: string;
  /** The Domain secret; default the simulated domain. null: no Domain secret. */
  domain?: string | null;
  /** The delete threshold (SyncNotificationSettings); null disables it; absent: no secret (default 500). */
  deleteThreshold?: number | null;
  /** "All security groups" (secret SyncAll = true). */
  syncAll?: boolean;
  parentDistinguishedName?: MappingInput;
  cn?: MappingInput;
  sAMAccountName?: MappingInput;
  /** Groups to put in scope (objectIds). */
  assign?: readonly string[];
  /** Start the job (its first cycle is then due at once). */
  start?: boolean;
}

/** What a provider does through Graph, in one step for tests: SP, job, secrets, mappings, scope, start. */
export function createCloudSyncConfiguration(
  tx: Transaction,
  input: ConfigurationInput = {},
): { servicePrincipalId: string; jobId: string; ruleId: string } {
  const cloudSync = ensureCloudSync(tx.state);
  const displayName = input.displayName ?? tx.state.domain.dnsName;
  const sp = translate(() =>
    instantiateTemplate(
      cloudSync,
      input.templateId ?? CLOUD_SYNC_APPLICATION_TEMPLATE,
      displayName,
      tx.nowMs,
    ),
  );
  sp.visibleAtWallMs = 0;
  const tenantId = tx.state.graph?.tenantId ?? "00000000-0000-0000-0000-000000000000";
  const job = translate(() =>
    createJob(cloudSync, sp, AAD2AD_JOB_TEMPLATE, tenantId, tx.state.domain.rootDn),
  );
  delete job.visibleAtWallMs;
  const domain = input.domain === undefined ? tx.state.domain.dnsName : input.domain;
  const secrets = [
    ...(domain !== null ? [{ key: "Domain", value: JSON.stringify({ domain }) }] : []),
    ...(input.deleteThreshold !== undefined
      ? [
          {
            key: "SyncNotificationSettings",
            value: JSON.stringify({
              Enabled: false,
              DeleteThresholdEnabled: input.deleteThreshold !== null,
              ...(input.deleteThreshold !== null ? { DeleteThresholdValue: input.deleteThreshold } : {}),
            }),
          },
        ]
      : []),
    ...(input.syncAll ? [{ key: "SyncAll", value: "true" }] : []),
  ];
  translate(() => replaceSecrets(cloudSync, sp, secrets, tx.nowMs));
  for (const [target, source] of [
    ["parentDistinguishedName", input.parentDistinguishedName],
    ["cn", input.cn],
    ["sAMAccountName", input.sAMAccountName],
  ] as const)
    if (source !== undefined) setCloudSyncMapping(tx, sp.objectId, target, source);
  for (const groupId of input.assign ?? [])
    translate(() => assignGroup(cloudSync, sp, groupId, scopeAppRoleId(cloudSync), tx.nowMs));
  if (input.start) startJob(cloudSync, job, tx.nowMs);
  return {
    servicePrincipalId: sp.objectId,
    jobId: job.id,
    ruleId: job.schema.synchronizationRules[0]?.id ?? "",
  };
}

/** start, pause or restart (with a resetScope such as ForceDeletes) a configuration's job, as the Graph calls do. */
export function controlCloudSyncJob(
  tx: Transaction,
  servicePrincipal: string,
  action: "start" | "pause" | "restart",
  resetScope = "",
): SynchronizationJob {
  const cloudSync = ensureCloudSync(tx.state);
  const job = groupJob(findServicePrincipalByName(cloudSync, servicePrincipal));
  if (action === "start") startJob(cloudSync, job, tx.nowMs);
  else if (action === "pause") pauseJob(job);
  else translate(() => restartJob(cloudSync, job, resetScope, tx.nowMs));
  return job;
}

/** Puts groups in (or out of) a configuration's scope, as appRoleAssignedTo POST and DELETE do. */
export function setCloudSyncScope(
  tx: Transaction,
  servicePrincipal: string,
  change: { add?: readonly string[]; remove?: readonly string[] },
): void {
  const cloudSync = ensureCloudSync(tx.state);
  const sp = findServicePrincipalByName(cloudSync, servicePrincipal);
  for (const groupId of change.add ?? [])
    translate(() => assignGroup(cloudSync, sp, groupId, scopeAppRoleId(cloudSync), tx.nowMs));
  const removed = new Set((change.remove ?? []).map((id) => id.toLowerCase()));
  cloudSync.appRoleAssignments = cloudSync.appRoleAssignments.filter(
    (each) => !(each.resourceId === sp.objectId && removed.has(each.principalId)),
  );
}

/**
 * Changes the delete threshold in SyncNotificationSettings (null disables it), keeping every other secret and
 * setting: what an admin does in the portal, and the drift "the delete threshold raised".
 */
export function setCloudSyncDeleteThreshold(
  tx: Transaction,
  servicePrincipal: string,
  threshold: number | null,
): void {
  if (threshold !== null && !(Number.isInteger(threshold) && threshold > 0))
    throw refused(`the delete threshold must be a positive integer, got ${threshold}`);
  const cloudSync = ensureCloudSync(tx.state);
  const sp = findServicePrincipalByName(cloudSync, servicePrincipal);
  const current = sp.secrets.find((secret) => secret.key.toLowerCase() === "syncnotificationsettings");
  let settings: Record<string, unknown> = {};
  try {
    settings = current ? (JSON.parse(current.value) as Record<string, unknown>) : {};
  } catch {
    settings = {};
  }
  settings.DeleteThresholdEnabled = threshold !== null;
  if (threshold !== null) settings.DeleteThresholdValue = threshold;
  const others = sp.secrets.filter((secret) => secret !== current);
  translate(() =>
    replaceSecrets(
      cloudSync,
      sp,
      [...others, { key: "SyncNotificationSettings", value: JSON.stringify(settings) }],
      tx.nowMs,
    ),
  );
}

/**
 * Runs a cycle now of every group provisioning job (or those of one configuration), started or not: a job that
 * is not started (or is quarantined) reports not-run and changes nothing. Journaled as cloudsync.cycle.
 */
export function runCloudSyncCycle(
  file: string,
  options: { servicePrincipal?: string; client?: string } = {},
): Promise<Array<CycleReport & { servicePrincipal: string; jobId: string }>> {
  return runCloudSyncAction(
    file,
    "cloudsync.cycle",
    { servicePrincipal: options.servicePrincipal ?? null },
    options.client ?? "cli",
    (tx, cloudSync) => {
      const principals =
        options.servicePrincipal !== undefined
          ? [findServicePrincipalByName(cloudSync, options.servicePrincipal)]
          : cloudSync.servicePrincipals;
      const reports: Array<CycleReport & { servicePrincipal: string; jobId: string }> = [];
      for (const sp of principals)
        for (const job of sp.jobs) {
          if (job.templateId !== AAD2AD_JOB_TEMPLATE) continue;
          const report = runJobCycle(tx.state, sp, job, tx.nowMs, "manual", tx.event);
          reports.push({ ...report, servicePrincipal: sp.displayName, jobId: job.id });
        }
      if (reports.length === 0)
        throw refused("there is no Cloud Sync group provisioning job in the simulated tenant");
      return reports;
    },
  );
}

// ---- agents and settings ----

export const agentInputSchema = z.strictObject({
  status: z.enum(["active", "inactive"]).optional(),
  version: z
    .string()
    .regex(/^\d+\.\d+\.\d+\.\d+$/, "an agent build such as 1.1.2334.0")
    .optional(),
  remove: z.boolean().default(false),
});

/** Registers, changes or removes the provisioning agent of the simulated domain (a manual install in reality). */
export function setProvisioningAgent(
  tx: Transaction,
  input: z.input<typeof agentInputSchema>,
): CloudSyncState["agents"] {
  const { status, version, remove } = agentInputSchema.parse(input);
  const cloudSync = ensureCloudSync(tx.state);
  const domain = tx.state.domain.dnsName;
  const mine = (agent: CloudSyncState["agents"][number]): boolean =>
    agent.domain.toLowerCase() === domain.toLowerCase();
  if (remove) {
    cloudSync.agents = cloudSync.agents.filter((agent) => !mine(agent));
    return cloudSync.agents;
  }
  let agent = cloudSync.agents.find(mine);
  if (!agent) {
    agent = {
      id: crypto.randomUUID(),
      machineName: `AGENT01.${domain}`,
      externalIp: "203.0.113.10",
      status: "active",
      version: MINIMUM_AGENT_BUILD,
      domain,
    };
    cloudSync.agents.push(agent);
  }
  if (status !== undefined) agent.status = status;
  if (version !== undefined) agent.version = version;
  return cloudSync.agents;
}

export const cloudSyncSettingsInputSchema = z.strictObject({
  startDelaySeconds: z.number().nonnegative().optional(),
  replicationDelaySeconds: z.number().nonnegative().max(600).optional(),
  intervalSeconds: z.number().int().positive().optional(),
  cloud: z
    .enum(["Public", "AzureChinaCloud", "AzureUSGovernment", "AzureUSNatCloud", "AzureUSSecCloud"])
    .optional(),
});

export function setCloudSyncSettings(
  tx: Transaction,
  input: z.input<typeof cloudSyncSettingsInputSchema>,
): CloudSyncState["settings"] {
  const parsed = cloudSyncSettingsInputSchema.parse(input);
  const cloudSync = ensureCloudSync(tx.state);
  cloudSync.settings = { ...cloudSync.settings, ...parsed };
  return cloudSync.settings;
}

// ---- reading ----

export interface CloudSyncJobSummary {
  servicePrincipal: string;
  servicePrincipalId: string;
  jobId: string;
  scheduleState: string;
  statusCode: string;
  quarantineReason: string | null;
  domain: string | null;
  scope: "all" | "selected";
  assignedGroups: number;
  deleteThreshold: number | null;
  provisionedGroups: number;
  nextRunAt: string | null;
  mappings: Record<string, string>;
  lastCycle: CycleReport | null;
}

/** Each configuration's group provisioning job, in plain terms (entra-sim cloudsync show). */
export function summarizeCloudSync(state: SimState): {
  agents: CloudSyncState["agents"];
  users: number;
  jobs: CloudSyncJobSummary[];
} {
  const cloudSync = state.cloudSync;
  if (!cloudSync) return { agents: [], users: 0, jobs: [] };
  const jobs: CloudSyncJobSummary[] = [];
  for (const sp of cloudSync.servicePrincipals)
    for (const job of sp.jobs) {
      const mapping = groupObjectMapping(job.schema);
      const mappings: Record<string, string> = {};
      for (const each of mapping?.attributeMappings ?? [])
        mappings[each.targetAttributeName] =
          each.source?.type === "Constant"
            ? `"${each.source.name ?? ""}"`
            : (each.source?.expression ?? each.source?.name ?? "");
      jobs.push({
        servicePrincipal: sp.displayName,
        servicePrincipalId: sp.objectId,
        jobId: job.id,
        scheduleState: job.schedule.state,
        statusCode: job.status.code,
        quarantineReason: job.status.quarantine?.reason ?? null,
        domain: secretDomain(sp),
        scope: scopeMode(sp),
        assignedGroups: cloudSync.appRoleAssignments.filter((each) => each.resourceId === sp.objectId).length,
        deleteThreshold: deleteThreshold(sp),
        provisionedGroups: Object.keys(job.provisioned).length,
        nextRunAt: job.nextRunAt,
        mappings,
        lastCycle: job.lastCycle,
      });
    }
  return { agents: cloudSync.agents, users: cloudSync.users.length, jobs };
}

/** The summary, read in its own transaction. */
export function readCloudSync(file: string): Promise<ReturnType<typeof summarizeCloudSync>> {
  return withState(file, (tx) => summarizeCloudSync(tx.state));
}
