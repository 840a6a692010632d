// The changes a Cloud Sync configuration goes through, shared by the simulated Graph (simulator/graph/
// synchronization.ts) and the in-process helpers (admin.ts): instantiate, create the job, secrets, schema,
// start/pause/restart, scope assignments. Each validates before it changes anything and throws ConfigurationError
// with a message for the client; the Graph layer turns it into its status and code.
import * as crypto from "node:crypto";
import { toIso } from "../clock";
import { AAD2AD_JOB_TEMPLATE } from "../../domain/cloudSync";
import { newGroupProvisioningJob } from "./defaults";
import { compileSchema, scopeAppRoleId } from "./engine";
import { ExpressionError } from "./expressions";
import {
  type AppRoleAssignment,
  type CloudSyncState,
  type ServicePrincipal,
  type SynchronizationJob,
  synchronizationSchemaSchema,
} from "./model";

export class ConfigurationError extends Error {
  override readonly name = "ConfigurationError";
  constructor(
    readonly kind: "bad-request" | "not-found" | "conflict",
    message: string,
  ) {
    super(message);
  }
}

/** A new service principal (and its application) from an application template, named displayName. */
export function instantiateTemplate(
  cloudSync: CloudSyncState,
  templateId: string,
  displayName: string,
  nowMs: number,
): ServicePrincipal {
  const template = cloudSync.applicationTemplates.find(
    (candidate) => candidate.id === templateId.toLowerCase(),
  );
  if (!template) throw new ConfigurationError("not-found", templateId);
  const sp: ServicePrincipal = {
    objectId: crypto.randomUUID(),
    appId: crypto.randomUUID(),
    applicationObjectId: crypto.randomUUID(),
    displayName,
    applicationTemplateId: template.id,
    createdAt: toIso(nowMs),
    visibleAtWallMs: Date.now() + cloudSync.settings.replicationDelaySeconds * 1000,
    secrets: [],
    jobs: [],
    onDemandCallsWallMs: [],
  };
  cloudSync.servicePrincipals.push(sp);
  return sp;
}

/** The job templates the service principal offers (those of its application template). */
export function offeredTemplates(cloudSync: CloudSyncState, sp: ServicePrincipal): string[] {
  return (
    cloudSync.applicationTemplates.find((candidate) => candidate.id === sp.applicationTemplateId)
      ?.synchronizationTemplates ?? []
  );
}

/** A new job from one of the SP's templates; only AAD2ADGroupProvisioning is modelled, once per SP. */
export function createJob(
  cloudSync: CloudSyncState,
  sp: ServicePrincipal,
  requestedTemplateId: string,
  tenantId: string,
  rootDn: string,
): SynchronizationJob {
  const offered = offeredTemplates(cloudSync, sp);
  const templateId = offered.find(
    (candidate) => candidate.toLowerCase() === requestedTemplateId.toLowerCase(),
  );
  if (templateId === undefined) {
    throw new ConfigurationError(
      "bad-request",
      `The templateId '${requestedTemplateId}' does not match any template of this service principal (${offered.join(", ")}).`,
    );
  }
  if (templateId !== AAD2AD_JOB_TEMPLATE) {
    throw new ConfigurationError(
      "bad-request",
      `entra-sim models only the ${AAD2AD_JOB_TEMPLATE} job; '${templateId}' is a real template the simulator does not run.`,
    );
  }
  if (sp.jobs.some((job) => job.templateId === templateId)) {
    throw new ConfigurationError(
      "conflict",
      `The service principal already has a ${templateId} job: there can be only one configuration per AD domain.`,
    );
  }
  const job = newGroupProvisioningJob(tenantId, rootDn);
  if (cloudSync.settings.replicationDelaySeconds > 0)
    job.visibleAtWallMs = Date.now() + cloudSync.settings.replicationDelaySeconds * 1000;
  sp.jobs.push(job);
  return job;
}

/** When a job's next cycle runs after start or a change: settings.startDelaySeconds from now. */
function soon(cloudSync: CloudSyncState, nowMs: number): string {
  return toIso(nowMs + cloudSync.settings.startDelaySeconds * 1000);
}

/** A change to a job that runs takes effect soon: its next cycle is brought forward (never postponed). */
function dueSoon(cloudSync: CloudSyncState, job: SynchronizationJob, nowMs: number): void {
  if (job.schedule.state !== "Active" || job.status.code === "Quarantine") return;
  const at = soon(cloudSync, nowMs);
  if (job.nextRunAt === null || Date.parse(job.nextRunAt) > Date.parse(at)) job.nextRunAt = at;
}

/** PUT secrets: the whole set is replaced. A Domain value must be JSON {"domain":"..."}. */
export function replaceSecrets(
  cloudSync: CloudSyncState,
  sp: ServicePrincipal,
  secrets: ReadonlyArray<{ key: string; value: string }>,
  nowMs: number,
): void {
  const domain = secrets.find((secret) => secret.key.toLowerCase() === "domain");
  if (domain) {
    let ok: boolean;
    try {
      ok = typeof (JSON.parse(domain.value) as { domain?: unknown }).domain === "string";
    } catch {
      ok = false;
    }
    if (!ok)
      throw new ConfigurationError(
        "bad-request",
        'The Domain secret must be JSON such as {"domain":"contoso.com"}.',
      );
  }
  sp.secrets = secrets.map((secret) => ({ key: secret.key, value: secret.value }));
  for (const job of sp.jobs) dueSoon(cloudSync, job, nowMs);
}

/** PUT schema: validated and compiled before it replaces the job's schema; an active job's cycle is due. */
export function replaceSchema(
  cloudSync: CloudSyncState,
  job: SynchronizationJob,
  body: unknown,
  nowMs: number,
): void {
  const parsed = synchronizationSchemaSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigurationError(
      "bad-request",
      `The schema is not valid: ${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}.`,
    );
  }
  try {
    compileSchema(parsed.data);
  } catch (error) {
    if (error instanceof ExpressionError)
      throw new ConfigurationError("bad-request", `The schema was refused: ${error.message}.`);
    throw error;
  }
  job.schema = parsed.data;
  // "Saving the schema triggers a synchronization."
  dueSoon(cloudSync, job, nowMs);
}

/** Start: active, quarantine cleared ("If the job is in quarantine, the quarantine status is cleared"), a cycle soon. */
export function startJob(cloudSync: CloudSyncState, job: SynchronizationJob, nowMs: number): void {
  job.schedule.state = "Active";
  job.status.code = "Active";
  job.status.quarantine = null;
  job.nextRunAt = soon(cloudSync, nowMs);
}

/** Pause: no cycle until start; a quarantined job keeps its quarantine. */
export function pauseJob(job: SynchronizationJob): void {
  job.schedule.state = "Paused";
  if (job.status.code !== "Quarantine") job.status.code = "Paused";
  job.nextRunAt = null;
}

export const RESET_SCOPES = [
  "None",
  "ConnectorDataStore",
  "Escrows",
  "Watermark",
  "QuarantineState",
  "Full",
  "ForceDeletes",
] as const;

/**
 * Restart with criteria.resetScope (comma-separated). Empty (the portal's "Restart provisioning"), QuarantineState,
 * Full or ForceDeletes clear a quarantine; ForceDeletes lets the next cycle apply the held deletes, once.
 */
export function restartJob(
  cloudSync: CloudSyncState,
  job: SynchronizationJob,
  resetScope: string,
  nowMs: number,
): void {
  const known = resetScope
    .split(",")
    .map((each) => each.trim())
    .filter((each) => each !== "")
    .map((scope) => {
      const match = RESET_SCOPES.find((candidate) => candidate.toLowerCase() === scope.toLowerCase());
      if (!match) {
        throw new ConfigurationError(
          "bad-request",
          `Invalid resetScope value '${scope}': expected a comma-separated set of ${RESET_SCOPES.join(", ")}.`,
        );
      }
      return match;
    });
  const clearsQuarantine =
    known.length === 0 ||
    known.includes("QuarantineState") ||
    known.includes("Full") ||
    known.includes("ForceDeletes");
  if (known.includes("ForceDeletes")) job.forceDeletes = true;
  if (clearsQuarantine && job.status.code === "Quarantine") {
    job.status.quarantine = null;
    job.status.code = job.schedule.state === "Active" ? "Active" : "Paused";
  }
  dueSoon(cloudSync, job, nowMs);
}

/** Assigns a group to the SP with the scope app role ("Selected security groups"). */
export function assignGroup(
  cloudSync: CloudSyncState,
  sp: ServicePrincipal,
  groupId: string,
  appRoleId: string,
  nowMs: number,
): AppRoleAssignment {
  if (appRoleId.toLowerCase() !== scopeAppRoleId(cloudSync))
    throw new ConfigurationError(
      "bad-request",
      `Permission being assigned was not found on application '${sp.appId}'.`,
    );
  const principalId = groupId.toLowerCase();
  if (
    cloudSync.appRoleAssignments.some(
      (assignment) => assignment.resourceId === sp.objectId && assignment.principalId === principalId,
    )
  )
    throw new ConfigurationError("bad-request", "Permission being assigned already exists on the object.");
  const assignment: AppRoleAssignment = {
    id: crypto.randomBytes(32).toString("base64url").slice(0, 43),
    appRoleId: appRoleId.toLowerCase(),
    principalId,
    principalType: "Group",
    resourceId: sp.objectId,
    createdDateTime: toIso(nowMs),
  };
  cloudSync.appRoleAssignments.push(assignment);
  return assignment;
}
