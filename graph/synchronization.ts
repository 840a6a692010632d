// The Microsoft Graph synchronization API, as Cloud Sync's "Group Provision to Active Directory" uses it
// (docs/cloud-sync.md): the service principal made from an application template, its synchronization templates,
// jobs, schema, secrets, on-demand provisioning, and the app role assignments that are its group scope. Typed calls
// over GraphClient.request (same authentication, retries and errors as every Graph call), each response checked
// with zod. Objects the project writes back whole (the schema, the secrets) are read as loose objects, so every
// property the project does not know survives the round trip.
import { z } from "zod";
import type { GraphClient, GraphVersion } from "./client";
import { GraphRequestError } from "./errors";
import { collectionPage, countText } from "./schemas";

/** Cloud Sync's docs use beta throughout (the v1.0 pages exist too). */
const SYNC_VERSION: GraphVersion = "beta";

/** The job template of Cloud Sync group provisioning to Active Directory. */
export const AAD2AD_GROUP_PROVISIONING = "AAD2ADGroupProvisioning";

export const synchronizationQuarantine = z.looseObject({
  reason: z.string().nullable().optional(),
  currentBegan: z.string().nullable().optional(),
  seriesBegan: z.string().nullable().optional(),
  seriesCount: z.number().nullable().optional(),
  nextAttempt: z.string().nullable().optional(),
  error: z.unknown().optional(),
});
export type SynchronizationQuarantine = z.infer<typeof synchronizationQuarantine>;

export const synchronizationJob = z.looseObject({
  id: z.string().min(1),
  templateId: z.string().nullable().optional(),
  schedule: z
    .looseObject({
      interval: z.string().nullable().optional(),
      /** Active | Disabled | Paused */
      state: z.string().nullable().optional(),
    })
    .nullable()
    .optional(),
  status: z
    .looseObject({
      /** NotConfigured | NotRun | Active | Paused | Quarantine */
      code: z.string(),
      quarantine: synchronizationQuarantine.nullable().optional(),
      countSuccessiveCompleteFailures: z.number().nullable().optional(),
      escrowsPruned: z.boolean().nullable().optional(),
      lastExecution: z.looseObject({}).nullable().optional(),
      lastSuccessfulExecution: z.looseObject({}).nullable().optional(),
      synchronizedEntryCountByType: z
        .array(z.looseObject({ key: z.string(), value: z.number() }))
        .nullable()
        .optional(),
      steadyStateFirstAchievedTime: z.string().nullable().optional(),
    })
    .nullable()
    .optional(),
});
export type SynchronizationJob = z.infer<typeof synchronizationJob>;

export const synchronizationTemplate = z.looseObject({ id: z.string() });

export const attributeMappingSource = z.looseObject({
  expression: z.string().nullable().optional(),
  name: z.string().nullable().optional(),
  type: z.string(),
  parameters: z.array(z.unknown()).nullable().optional(),
});
export type AttributeMappingSource = z.infer<typeof attributeMappingSource>;

export const attributeMapping = z.looseObject({
  targetAttributeName: z.string(),
  source: attributeMappingSource.nullable().optional(),
});
export type AttributeMapping = z.infer<typeof attributeMapping>;

export const objectMapping = z.looseObject({
  name: z.string().nullable().optional(),
  enabled: z.boolean().optional(),
  sourceObjectName: z.string().nullable().optional(),
  targetObjectName: z.string().nullable().optional(),
  attributeMappings: z.array(attributeMapping),
});
export type ObjectMapping = z.infer<typeof objectMapping>;

export const synchronizationRule = z.looseObject({
  id: z.string().nullable().optional(),
  name: z.string().nullable().optional(),
  objectMappings: z.array(objectMapping),
});

export const synchronizationSchema = z.looseObject({
  synchronizationRules: z.array(synchronizationRule),
});
export type SynchronizationSchema = z.infer<typeof synchronizationSchema>;

export const secretPair = z.looseObject({ key: z.string(), value: z.string().nullable().optional() });
export type SecretPair = z.infer<typeof secretPair>;

export const appRoleAssignment = z.looseObject({
  id: z.string(),
  principalId: z.string(),
  resourceId: z.string(),
  appRoleId: z.string(),
  principalType: z.string().nullable().optional(),
});
export type AppRoleAssignment = z.infer<typeof appRoleAssignment>;

/** A service principal as /servicePrincipals lists it (beta and v1.0 both carry id). */
export const servicePrincipal = z.looseObject({
  id: z.string(),
  appId: z.string().nullable().optional(),
  displayName: z.string().nullable().optional(),
  applicationTemplateId: z.string().nullable().optional(),
});
export type ServicePrincipal = z.infer<typeof servicePrincipal>;

/** POST /applicationTemplates/{id}/instantiate: beta names the ids objectId, v1.0 id. */
const instantiated = z.looseObject({
  application: z.looseObject({ objectId: z.string().optional(), id: z.string().optional() }),
  servicePrincipal: z.looseObject({ objectId: z.string().optional(), id: z.string().optional() }),
});

export const provisionOnDemandResult = z.looseObject({
  key: z.string().nullable().optional(),
  value: z.string().nullable().optional(),
});

/** A provisioning agent (beta onPremisesPublishingProfiles; the API is delegated-only). */
export const provisioningAgent = z.looseObject({
  id: z.string(),
  machineName: z.string().nullable().optional(),
  externalIp: z.string().nullable().optional(),
  status: z.string().nullable().optional(),
});
export type ProvisioningAgent = z.infer<typeof provisioningAgent>;

/** A group as the scope checks read it. */
export const scopeGroup = z.looseObject({
  id: z.string(),
  displayName: z.string().nullable().optional(),
  securityEnabled: z.boolean().nullable().optional(),
  mailEnabled: z.boolean().nullable().optional(),
  groupTypes: z.array(z.string()).nullable().optional(),
  onPremisesSyncEnabled: z.boolean().nullable().optional(),
});
export type ScopeGroup = z.infer<typeof scopeGroup>;

/** Whether an error is Graph's "not there (yet)": what directory replication answers for a fresh object. */
export function isNotFound(error: unknown): boolean {
  return error instanceof GraphRequestError && error.status === 404;
}

export interface ReplicationWait {
  /** Attempts in all; default 8. */
  attempts?: number;
  /** First wait; doubles up to 16 s; default 2 s. */
  delayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  onWait?: (message: string) => void;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `call` until it stops answering 404, a bounded number of times: a service principal or job that was just
 * created is not readable everywhere at once (Microsoft's and others' scripts wait 5 to 20 s).
 */
export async function waitForReplication<T>(
  what: string,
  call: () => Promise<T>,
  options: ReplicationWait = {},
): Promise<T> {
  const attempts = options.attempts ?? 8;
  const sleep = options.sleep ?? realSleep;
  let delay = options.delayMs ?? 2000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isNotFound(error) || attempt >= attempts) throw error;
      options.onWait?.(
        `${what} is not readable yet (404, directory replication): waiting ${Math.ceil(delay / 1000)} s, attempt ${attempt + 1} of ${attempts}`,
      );
      await sleep(delay);
      delay = Math.min(delay * 2, 16_000);
    }
  }
}

/**
 * At most `limit` calls in any `windowMs` (provisionOnDemand: 5 requests per 10 seconds). Waits, with the given
 * sleep, until a call is allowed.
 */
export class RateLimiter {
  private readonly times: number[] = [];
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly sleep: (ms: number) => Promise<void> = realSleep,
    private readonly now: () => number = Date.now,
  ) {}

  async take(): Promise<void> {
    for (;;) {
      const now = this.now();
      while (this.times.length > 0 && now - (this.times[0] as number) >= this.windowMs) this.times.shift();
      if (this.times.length < this.limit) {
        this.times.push(now);
        return;
      }
      await this.sleep(this.windowMs - (now - (this.times[0] as number)));
    }
  }
}

const onDemandLimiter = new RateLimiter(5, 10_000);

const enc = encodeURIComponent;

/** The calls of the synchronization API on one service principal, and the service principal lookups. */
export class SynchronizationApi {
  constructor(private readonly graph: GraphClient) {}

  private base(spId: string): string {
    return `/servicePrincipals/${enc(spId)}/synchronization`;
  }

  /** Service principals with this display name (the portal names a Cloud Sync configuration after the domain). */
  async servicePrincipalsNamed(displayName: string): Promise<ServicePrincipal[]> {
    const filter = `displayName eq '${displayName.replace(/'/g, "''")}'`;
    const page = await this.graph.request("GET", `/servicePrincipals?$filter=${enc(filter)}`, {
      version: SYNC_VERSION,
      schema: collectionPage(servicePrincipal),
    });
    return page.value;
  }

  getServicePrincipal(spId: string): Promise<ServicePrincipal> {
    return this.graph.request("GET", `/servicePrincipals/${enc(spId)}`, {
      version: SYNC_VERSION,
      schema: servicePrincipal,
    });
  }

  /** POST /applicationTemplates/{id}/instantiate: a new application and its service principal. */
  async instantiate(
    templateId: string,
    displayName: string,
  ): Promise<{ applicationId: string; servicePrincipalId: string }> {
    const result = await this.graph.request("POST", `/applicationTemplates/${enc(templateId)}/instantiate`, {
      version: SYNC_VERSION,
      body: { displayName },
      schema: instantiated,
    });
    const applicationId = result.application.objectId ?? result.application.id;
    const servicePrincipalId = result.servicePrincipal.objectId ?? result.servicePrincipal.id;
    if (!applicationId || !servicePrincipalId) {
      throw new Error(
        `Microsoft Graph instantiated application template ${templateId} but returned no object id for the application or its service principal`,
      );
    }
    return { applicationId, servicePrincipalId };
  }

  async templates(spId: string): Promise<string[]> {
    const page = await this.graph.request("GET", `${this.base(spId)}/templates`, {
      version: SYNC_VERSION,
      schema: collectionPage(synchronizationTemplate),
    });
    return page.value.map((template) => template.id);
  }

  async jobs(spId: string): Promise<SynchronizationJob[]> {
    const page = await this.graph.request("GET", `${this.base(spId)}/jobs`, {
      version: SYNC_VERSION,
      schema: collectionPage(synchronizationJob),
    });
    return page.value;
  }

  job(spId: string, jobId: string): Promise<SynchronizationJob> {
    return this.graph.request("GET", `${this.base(spId)}/jobs/${enc(jobId)}`, {
      version: SYNC_VERSION,
      schema: synchronizationJob,
    });
  }

  /** A new job is created disabled. */
  createJob(spId: string, templateId: string): Promise<SynchronizationJob> {
    return this.graph.request("POST", `${this.base(spId)}/jobs`, {
      version: SYNC_VERSION,
      body: { templateId },
      schema: synchronizationJob,
    });
  }

  async deleteJob(spId: string, jobId: string): Promise<void> {
    await this.graph.request("DELETE", `${this.base(spId)}/jobs/${enc(jobId)}`, { version: SYNC_VERSION });
  }

  /** Starts (or resumes) the job; Microsoft: a quarantine status is cleared. */
  async start(spId: string, jobId: string): Promise<void> {
    await this.graph.request("POST", `${this.base(spId)}/jobs/${enc(jobId)}/start`, {
      version: SYNC_VERSION,
    });
  }

  async pause(spId: string, jobId: string): Promise<void> {
    await this.graph.request("POST", `${this.base(spId)}/jobs/${enc(jobId)}/pause`, {
      version: SYNC_VERSION,
    });
  }

  /** resetScope: a comma-separated set (ForceDeletes releases the deletes the threshold held back). */
  async restart(spId: string, jobId: string, resetScope: string): Promise<void> {
    await this.graph.request("POST", `${this.base(spId)}/jobs/${enc(jobId)}/restart`, {
      version: SYNC_VERSION,
      body: { criteria: { resetScope } },
    });
  }

  schema(spId: string, jobId: string): Promise<SynchronizationSchema> {
    return this.graph.request("GET", `${this.base(spId)}/jobs/${enc(jobId)}/schema`, {
      version: SYNC_VERSION,
      schema: synchronizationSchema,
    });
  }

  /** The whole schema, with PUT: PATCH on /schema answers 404 (generated SDKs send PATCH). */
  async putSchema(spId: string, jobId: string, schema: SynchronizationSchema): Promise<void> {
    await this.graph.request("PUT", `${this.base(spId)}/jobs/${enc(jobId)}/schema`, {
      version: SYNC_VERSION,
      body: schema,
    });
  }

  async secrets(spId: string): Promise<SecretPair[]> {
    const page = await this.graph.request("GET", `${this.base(spId)}/secrets`, {
      version: SYNC_VERSION,
      schema: collectionPage(secretPair),
    });
    return page.value;
  }

  /** PUT replaces every secret: pass all of them (read, merge, write; see mergeSecrets). */
  async putSecrets(spId: string, secrets: readonly SecretPair[]): Promise<void> {
    await this.graph.request("PUT", `${this.base(spId)}/secrets`, {
      version: SYNC_VERSION,
      body: { value: secrets },
    });
  }

  /** One group (and up to five of its members) provisioned now; at most 5 calls per 10 s in this process. */
  async provisionOnDemand(
    spId: string,
    jobId: string,
    ruleId: string,
    groupId: string,
  ): Promise<{ result: string; detail: string }> {
    await onDemandLimiter.take();
    const answer = await this.graph.request(
      "POST",
      `${this.base(spId)}/jobs/${enc(jobId)}/provisionOnDemand`,
      {
        version: SYNC_VERSION,
        body: { parameters: [{ ruleId, subjects: [{ objectId: groupId, objectTypeName: "Group" }] }] },
        schema: provisionOnDemandResult,
      },
    );
    let result = "Unknown";
    try {
      const key = JSON.parse(answer.key ?? "{}") as { result?: string };
      result = key.result ?? result;
    } catch {
      // The key is documented as JSON; anything else is reported as it is.
      result = answer.key ?? result;
    }
    return { result, detail: answer.value ?? "" };
  }

  /** Every app role assignment to the service principal (all pages). */
  async appRoleAssignedTo(spId: string): Promise<AppRoleAssignment[]> {
    const all: AppRoleAssignment[] = [];
    let link: string | undefined = `/servicePrincipals/${enc(spId)}/appRoleAssignedTo?$top=999`;
    while (link !== undefined) {
      const page: { value: AppRoleAssignment[]; "@odata.nextLink"?: string } = await this.graph.request(
        "GET",
        link,
        { version: "v1.0", schema: collectionPage(appRoleAssignment) },
      );
      all.push(...page.value);
      const next = page["@odata.nextLink"];
      link = next === undefined ? undefined : next.replace(/^https?:\/\/[^/]+\/v1\.0/, "");
    }
    return all;
  }

  assignAppRole(spId: string, principalId: string, appRoleId: string): Promise<AppRoleAssignment> {
    return this.graph.request("POST", `/servicePrincipals/${enc(spId)}/appRoleAssignedTo`, {
      version: "v1.0",
      body: { principalId, resourceId: spId, appRoleId },
      schema: appRoleAssignment,
    });
  }

  async removeAppRoleAssignment(spId: string, assignmentId: string): Promise<void> {
    await this.graph.request(
      "DELETE",
      `/servicePrincipals/${enc(spId)}/appRoleAssignedTo/${enc(assignmentId)}`,
      {
        version: "v1.0",
      },
    );
  }

  scopeGroup(groupId: string): Promise<ScopeGroup> {
    return this.graph.request(
      "GET",
      `/groups/${enc(groupId)}?$select=id,displayName,securityEnabled,mailEnabled,groupTypes,onPremisesSyncEnabled`,
      { version: "v1.0", schema: scopeGroup },
    );
  }

  /** The tenant's provisioning agents: delegated-only, so app-only credentials get 403 (the caller says so). */
  async provisioningAgents(): Promise<ProvisioningAgent[]> {
    const page = await this.graph.request("GET", "/onPremisesPublishingProfiles/provisioning/agents", {
      version: "beta",
      schema: collectionPage(provisioningAgent),
    });
    return page.value;
  }

  /** Direct members of a group: $count (advanced query, ConsistencyLevel: eventual). */
  async memberCount(groupId: string): Promise<number> {
    return this.count(`/groups/${enc(groupId)}/members/$count`);
  }

  /** The tenant's groups: $count (advanced query, ConsistencyLevel: eventual). */
  async groupCount(): Promise<number> {
    return this.count("/groups/$count");
  }

  /** A `/$count` segment: an advanced query (ConsistencyLevel: eventual), answered as text/plain (countText). */
  private async count(path: string): Promise<number> {
    return this.graph.request("GET", path, {
      version: "v1.0",
      headers: { ConsistencyLevel: "eventual" },
      schema: countText,
    });
  }
}
