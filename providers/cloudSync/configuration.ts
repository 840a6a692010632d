// CloudSyncConfiguration: the Cloud Sync configuration of one AD domain, i.e. a service principal with an
// AAD2ADGroupProvisioning job, created or adopted, and its Domain and SyncNotificationSettings secrets
// (docs/cloud-sync.md).
import {
  AAD2AD_JOB_TEMPLATE,
  ALL_SECURITY_GROUPS_LIMITS,
  LIMITS,
  MINIMUM_AGENT_BUILD,
  MINIMUM_CONNECT_BUILD,
} from "../../domain/cloudSync";
import { GraphRequestError } from "../../graph/errors";
import {
  isNotFound,
  type SynchronizationApi,
  type SynchronizationJob,
  waitForReplication,
} from "../../graph/synchronization";
import type { ProviderImplementation } from "../common/defineResource";
import { diffByKeys } from "../common/diff";
import { progressFor } from "../common/progress";
import { CloudSyncRefusal, withSync } from "./graph";
import {
  cloudSyncConfiguration,
  type CloudSyncConfigurationInputs,
  type CloudSyncConfigurationOutputs,
} from "./schema";
import { checkScopeGroups } from "./scopeChecks";
import { mergeSecrets, readManagedSecrets, readSyncAll } from "./secrets";

const KIND = "CloudSyncConfiguration";
const progress = progressFor(KIND);

/** Test hook: how long waits for directory replication sleep (the unit tests wait no real time). */
export const replicationTiming: { delayMs: number; sleep?: (ms: number) => Promise<void> } = {
  delayMs: 2000,
};

export function isGroupProvisioningJob(job: SynchronizationJob): boolean {
  return job.templateId === AAD2AD_JOB_TEMPLATE || job.id.startsWith(`${AAD2AD_JOB_TEMPLATE}.`);
}

interface Located {
  servicePrincipalId: string;
  applicationId: string | null;
  jobId: string;
  adopted: boolean;
}

async function jobsOrNone(sync: SynchronizationApi, spId: string): Promise<SynchronizationJob[]> {
  try {
    return await sync.jobs(spId);
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}

async function templatesOrNone(sync: SynchronizationApi, spId: string): Promise<string[]> {
  try {
    return await sync.templates(spId);
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}

/**
 * The domain's configuration: a service principal named after the domain with an AAD2ADGroupProvisioning job is
 * adopted; one offering the job template gets the job; otherwise the application template is instantiated and the
 * new service principal verified to offer the job template (its id for this direction is not documented).
 */
async function locateOrCreate(
  sync: SynchronizationApi,
  inputs: CloudSyncConfigurationInputs,
): Promise<Located> {
  const wait = {
    attempts: inputs.replicationAttempts,
    delayMs: replicationTiming.delayMs,
    ...(replicationTiming.sleep ? { sleep: replicationTiming.sleep } : {}),
    onWait: progress,
  };
  const named = await sync.servicePrincipalsNamed(inputs.domain);
  for (const sp of named) {
    const job = (await jobsOrNone(sync, sp.id)).find(isGroupProvisioningJob);
    if (job) {
      progress(
        `adopting the Cloud Sync configuration of ${inputs.domain}: service principal ${sp.id}, job ${job.id}`,
      );
      return { servicePrincipalId: sp.id, applicationId: null, jobId: job.id, adopted: true };
    }
  }
  let servicePrincipalId: string | undefined;
  let applicationId: string | null = null;
  for (const sp of named) {
    if ((await templatesOrNone(sync, sp.id)).includes(AAD2AD_JOB_TEMPLATE)) {
      servicePrincipalId = sp.id;
      progress(
        `the service principal ${sp.id} ("${inputs.domain}") offers ${AAD2AD_JOB_TEMPLATE} but has no such job`,
      );
      break;
    }
  }
  if (servicePrincipalId === undefined) {
    progress(`instantiating the application template ${inputs.applicationTemplateId} as "${inputs.domain}"`);
    const made = await sync.instantiate(inputs.applicationTemplateId, inputs.domain);
    servicePrincipalId = made.servicePrincipalId;
    applicationId = made.applicationId;
    const spId = servicePrincipalId;
    const templates = await waitForReplication(
      `the service principal ${spId}`,
      () => sync.templates(spId),
      wait,
    );
    if (!templates.includes(AAD2AD_JOB_TEMPLATE)) {
      throw new Error(
        `the application template ${inputs.applicationTemplateId} made the service principal ${spId} (application ` +
          `${applicationId}), whose synchronization templates are ${templates.join(", ") || "none"}, without ` +
          `${AAD2AD_JOB_TEMPLATE}: it is not a template for provisioning groups to AD. Set ` +
          "entra-writeback:cloudSync.applicationTemplateId to the right application template, delete that application " +
          "(Microsoft Entra admin center, App registrations), then run again.",
      );
    }
  }
  const spId = servicePrincipalId;
  progress(`creating the ${AAD2AD_JOB_TEMPLATE} job on the service principal ${spId}`);
  const job = await waitForReplication(
    `the service principal ${spId}`,
    () => sync.createJob(spId, AAD2AD_JOB_TEMPLATE),
    wait,
  );
  await waitForReplication(`the job ${job.id}`, () => sync.job(spId, job.id), wait);
  return { servicePrincipalId: spId, applicationId, jobId: job.id, adopted: false };
}

/** Prerequisites the stack checks where it can, and states where it cannot. */
async function prerequisites(sync: SynchronizationApi, domain: string): Promise<string[]> {
  const notes: string[] = [];
  try {
    const agents = await sync.provisioningAgents();
    const active = agents.filter((agent) => (agent.status ?? "").toLowerCase() === "active");
    notes.push(
      active.length > 0
        ? `${active.length} active provisioning agent(s) registered (${active.map((agent) => agent.machineName ?? agent.id).join(", ")}); Graph does not report their build: it must be ${MINIMUM_AGENT_BUILD} or later`
        : `no active provisioning agent is registered: install the Microsoft Entra provisioning agent (build ${MINIMUM_AGENT_BUILD} or later) on a server joined to ${domain} and register it`,
    );
  } catch (error) {
    const status = error instanceof GraphRequestError ? error.status : undefined;
    notes.push(
      (status === 401 || status === 403
        ? "the provisioning agent APIs are delegated-only: app-only credentials cannot read them, so the stack cannot check the agent. "
        : `the provisioning agents could not be read (${error instanceof GraphRequestError ? `${error.status} ${error.code}` : String(error)}). `) +
        `Check in the Microsoft Entra admin center (Entra Connect, Cloud Sync, Agents) that an agent of build ${MINIMUM_AGENT_BUILD} or later is active for ${domain}, reaching its domain controllers on TCP 389 and 3268.`,
    );
  }
  notes.push(
    `members that are users synced by Connect Sync are written only with Connect Sync ${MINIMUM_CONNECT_BUILD} or later (it syncs objectGUID to onPremisesObjectIdentifier); cloud-only users are skipped`,
    "licensing: Microsoft Entra ID P1 for the tenant's first two configurations; configurations 3 to 20 need Microsoft Entra ID Governance",
  );
  return notes;
}

async function ensure(
  raw: unknown,
  olds?: CloudSyncConfigurationOutputs,
): Promise<CloudSyncConfigurationOutputs> {
  const inputs = cloudSyncConfiguration.parse(raw);
  return withSync(KIND, `cannot configure Cloud Sync for ${inputs.domain}`, async (sync) => {
    let located: Located | undefined;
    if (olds?.servicePrincipalId && olds.jobId) {
      try {
        await sync.job(olds.servicePrincipalId, olds.jobId);
        located = {
          servicePrincipalId: olds.servicePrincipalId,
          applicationId: olds.applicationId,
          jobId: olds.jobId,
          adopted: olds.adopted,
        };
      } catch (error) {
        if (!isNotFound(error)) throw error;
        progress(
          `the job ${olds.jobId} is gone: looking for or creating the configuration of ${inputs.domain} again`,
        );
      }
    }
    // Entering "all security groups": the tenant size Microsoft supports for it, before anything changes.
    if (inputs.syncAll === true && olds?.syncAll !== true) await checkTenantForAllGroups(sync);
    if (!located) {
      // The documented limits, before the first change (CloudSyncScope checks them again before assigning).
      if (inputs.scopePreflight) await checkScopeGroups(sync, inputs.scopePreflight.groupIds, progress);
      located = await locateOrCreate(sync, inputs);
    }
    const { servicePrincipalId } = located;
    const current = await sync.secrets(servicePrincipalId);
    // Adopting a configuration that provisions all security groups with a stack that selects groups would take every
    // unselected group out of its scope at once (what Cloud Sync then does with their AD groups is not documented):
    // refused until the stack declares the mode the configuration has, or a person switches it first.
    if (!olds && located.adopted && inputs.syncAll === false && readSyncAll(current)) {
      throw new CloudSyncRefusal(
        `the Cloud Sync configuration ${servicePrincipalId} of ${inputs.domain} provisions all security groups ` +
          "(its secret SyncAll is true), and this stack selects groups (entra-writeback:cloudSync.groupIds): adopting " +
          "it would take every group it does not select out of Cloud Sync's scope. Nothing was changed. Declare " +
          "entra-writeback:cloudSync.allSecurityGroups with the filters the configuration uses, or switch the " +
          "configuration to selected groups in the Microsoft Entra admin center first, then run pulumi up again.",
      );
    }
    if (
      inputs.syncAll === undefined &&
      current.some((pair) => pair.key.toLowerCase() === "syncall" && pair.value?.toLowerCase() === "true")
    )
      progress(
        `the configuration's secret SyncAll is true, which may mean "all security groups" (UNVERIFIED for Cloud Sync): ` +
          "the groups this stack selects may not be the whole scope; the stack leaves SyncAll as it is (it does not manage it)",
      );
    const merged = mergeSecrets(current, inputs);
    if (inputs.syncAll === true && !readSyncAll(current)) progress(allSecurityGroupsNote());
    if (merged.changes.length > 0) {
      progress(
        `writing the secrets of ${servicePrincipalId} (${merged.changes.join("; ")}); the others are kept as they are`,
      );
      await sync.putSecrets(servicePrincipalId, merged.pairs);
    }
    const notes = olds?.prerequisites?.length ? olds.prerequisites : await prerequisites(sync, inputs.domain);
    if (!olds) for (const note of notes) progress(`prerequisite: ${note}`);
    return { ...inputs, ...located, prerequisites: notes };
  });
}

/** "All security groups" only in tenants with fewer than 40,000 groups (Microsoft): refused, naming the count. */
async function checkTenantForAllGroups(sync: SynchronizationApi): Promise<void> {
  const groups = await sync.groupCount();
  const limits = ALL_SECURITY_GROUPS_LIMITS;
  if (groups < limits.tenantGroups) return;
  const n = (value: number) => value.toLocaleString("en-US");
  throw new CloudSyncRefusal(
    `the tenant has ${n(groups)} groups: Microsoft supports "all security groups" only in tenants with fewer than ` +
      `${n(limits.tenantGroups)} groups (and ${n(limits.tenantUsers)} users, ${n(limits.tenantMemberships)} ` +
      "memberships); nothing was changed. Select the groups instead: remove entra-writeback:cloudSync.allSecurityGroups " +
      `and list them in entra-writeback:cloudSync.groupIds (at most ${n(LIMITS.selectedGroups)}), then run again.`,
  );
}

/** Said when the scope becomes "all security groups": Microsoft's limits of that mode, which the stack cannot count. */
function allSecurityGroupsNote(): string {
  const n = (value: number) => value.toLocaleString("en-US");
  const limits = ALL_SECURITY_GROUPS_LIMITS;
  return (
    `scope: all security groups the filters select (SyncAll). Microsoft supports this mode up to ${n(limits.groups)} ` +
    `groups and ${n(limits.members)} members, in tenants with fewer than ${n(limits.tenantUsers)} users, ` +
    `${n(limits.tenantGroups)} groups and ${n(limits.tenantMemberships)} memberships; the service evaluates the ` +
    "filters, so the stack cannot count what they select: check synchronizedCounts after the first cycle"
  );
}

/**
 * What a destroy leaves of the configuration (said in the destroy's output): destroy deletes at most the job, so the
 * service principal, its secrets, the scope's assignments and every group provisioned in AD stay.
 */
export function destroyLeaves(
  olds: Pick<CloudSyncConfigurationOutputs, "domain" | "servicePrincipalId">,
  jobDeleted: boolean,
): string {
  return (
    `Destroy leaves: the service principal ${olds.servicePrincipalId} ("${olds.domain}") with its secrets, ` +
    "the app role assignments of the selected groups (if any), " +
    (jobDeleted
      ? "and every group the job provisioned in AD, with its members as last written (nothing updates or deletes " +
        "them any more); the job's mappings and scoping filter went with the job."
      : "the job with its mappings and scoping filter, and every group it provisioned in AD; the job keeps its " +
        "state, so a running job goes on provisioning (to stop it, set entra-writeback:cloudSync.jobState to paused " +
        "and run pulumi up before destroy).")
  );
}

export const cloudSyncConfigurationProvider: ProviderImplementation = {
  async check(_olds, news) {
    return cloudSyncConfiguration.check(news);
  },

  async diff(_id, olds, news) {
    return diffByKeys(olds, news, {
      replaceKeys: [],
      ignoreKeys: ["scopePreflight", "replicationAttempts", "applicationTemplateId"],
    });
  },

  async create(raw) {
    const outs = await ensure(raw);
    return { id: `${outs.servicePrincipalId}/${outs.jobId}`, outs };
  },

  async read(id, props) {
    const olds = props as CloudSyncConfigurationOutputs;
    return withSync(KIND, `cannot read the Cloud Sync configuration of ${olds.domain}`, async (sync) => {
      try {
        await sync.job(olds.servicePrincipalId, olds.jobId);
      } catch (error) {
        if (isNotFound(error)) return { id: "", props: {} };
        throw error;
      }
      const pairs = await sync.secrets(olds.servicePrincipalId);
      const live = readManagedSecrets(pairs);
      // Live values under the input keys: a secret changed by hand shows as a change to repair.
      return {
        id,
        props: {
          ...olds,
          domain:
            live.domain !== null && live.domain.toLowerCase() === olds.domain.toLowerCase()
              ? olds.domain
              : (live.domain ?? "(not set)"),
          deleteThreshold: live.deleteThreshold,
          deleteThresholdEnabled: live.deleteThresholdEnabled,
          notifications: live.notifications,
          // Declared scope mode: the live SyncAll under its key (all security groups switched off by hand shows).
          ...(olds.syncAll === undefined ? {} : { syncAll: readSyncAll(pairs) }),
        },
      };
    });
  },

  async update(_id, olds, news) {
    return { outs: await ensure(news, olds as CloudSyncConfigurationOutputs) };
  },

  async delete(_id, props) {
    const olds = props as CloudSyncConfigurationOutputs;
    if (olds.onDelete !== "deleteJob") {
      progress(
        `leaving the Cloud Sync configuration of ${olds.domain} (service principal ${olds.servicePrincipalId}, job ` +
          `${olds.jobId}) in place (onDelete: retain). To delete its job on destroy, declare onDelete: deleteJob ` +
          "(entra-writeback:cloudSync.deleteJobOnDestroy), run pulumi up, then destroy. " +
          destroyLeaves(olds, false),
      );
      return;
    }
    await withSync(KIND, `cannot delete the Cloud Sync job ${olds.jobId}`, async (sync) => {
      try {
        await sync.deleteJob(olds.servicePrincipalId, olds.jobId);
        progress(
          `deleted the job ${olds.jobId} (onDelete: deleteJob): provisioning to ${olds.domain} stopped; the groups it made stay in AD. ` +
            destroyLeaves(olds, true),
        );
      } catch (error) {
        if (!isNotFound(error)) throw error;
        progress(`the job ${olds.jobId} was already gone. ${destroyLeaves(olds, true)}`);
      }
    });
  },
};
