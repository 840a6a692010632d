// The Cloud Sync part of the simulated Graph: application templates, service principals, synchronization
// templates, jobs, schema, secrets, start/pause/restart, provisionOnDemand, appRoleAssignedTo, group members, and
// the delegated-only agent APIs. Each handler validates before it changes anything (docs/simulator.md, "Cloud Sync").
import * as crypto from "node:crypto";
import { z } from "zod";
import { currentTimeMs } from "../clock";
import { AAD2AD_JOB_TEMPLATE } from "../../domain/cloudSync";
import {
  ON_DEMAND_CALLS_PER_WINDOW,
  ON_DEMAND_MAX_MEMBERS,
  ON_DEMAND_WINDOW_MS,
  defaultGroupProvisioningSchema,
} from "../cloudSync/defaults";
import { ensureCloudSync, provisionOnDemand, scopeAppRoleId, type RecordEvent } from "../cloudSync/engine";
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
} from "../cloudSync/configuration";
import {
  type AppRoleAssignment,
  type CloudSyncState,
  type ServicePrincipal,
  type SynchronizationJob,
} from "../cloudSync/model";
import { cloudGroupIndex } from "../lazyState";
import type { CloudGroup, GraphTenant, SimState } from "../model";
import { GraphHttpError } from "./errors";
import {
  authorize,
  badRequest,
  countResponse,
  type GraphRequest,
  type GraphResponse,
  groupView,
  liveGroup,
  methodNotAllowed,
  pageSize,
  parseJsonBody,
  type RequestContext,
  resourceNotFound,
  type Version,
} from "./routes";

const SYNC_READ = [
  "Synchronization.Read.All",
  "Synchronization.ReadWrite.All",
  "Application.ReadWrite.OwnedBy",
  "Application.ReadWrite.All",
  "Directory.ReadWrite.All",
];
const SYNC_WRITE = [
  "Synchronization.ReadWrite.All",
  "Application.ReadWrite.OwnedBy",
  "Application.ReadWrite.All",
  "Directory.ReadWrite.All",
];
const APPLICATION_READ = [
  "Application.Read.All",
  "Application.ReadWrite.All",
  "Application.ReadWrite.OwnedBy",
  "Directory.Read.All",
  "Directory.ReadWrite.All",
];
const APPLICATION_WRITE = [
  "Application.ReadWrite.OwnedBy",
  "Application.ReadWrite.All",
  "Directory.ReadWrite.All",
];
const ASSIGNMENT_READ = [...APPLICATION_READ, "AppRoleAssignment.ReadWrite.All"];
const ASSIGNMENT_WRITE = [
  "AppRoleAssignment.ReadWrite.All",
  "Application.ReadWrite.All",
  "Directory.ReadWrite.All",
];
const MEMBER_READ = [
  "GroupMember.Read.All",
  "Group.Read.All",
  "Group.ReadWrite.All",
  "Directory.Read.All",
  "Directory.ReadWrite.All",
];

export interface CloudSyncRequest {
  state: SimState;
  graph: GraphTenant;
  request: GraphRequest;
  ctx: RequestContext;
  version: Version;
  segments: string[];
  method: string;
}

/** The events a request causes (cycles, on-demand provisioning) go to the journal like the scheduler's. */
function recordTo(state: SimState): RecordEvent {
  const pending = pendingEvents.get(state) ?? [];
  pendingEvents.set(state, pending);
  return (event, server, details, atMs) => pending.push({ event, server, details, atMs });
}
const pendingEvents = new WeakMap<
  SimState,
  Array<{ event: string; server: string | null; details: Record<string, unknown>; atMs: number }>
>();

/** Events recorded while routing (provisionOnDemand), for the server to journal; emptied. */
export function takeCloudSyncEvents(
  state: SimState,
): Array<{ event: string; server: string | null; details: Record<string, unknown>; atMs: number }> {
  const events = pendingEvents.get(state) ?? [];
  pendingEvents.delete(state);
  return events;
}

/** Runs a configuration change, turning its refusal into the Graph error. */
function configure<T>(fn: () => T, badRequestCode = "BadRequest"): T {
  try {
    return fn();
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    if (error.kind === "not-found") throw resourceNotFound(error.message);
    if (error.kind === "conflict") throw new GraphHttpError(409, "Conflict", error.message);
    throw badRequest(error.message, badRequestCode);
  }
}

// ---- views ----

function appRoles(cloudSync: CloudSyncState): unknown[] {
  return [
    {
      allowedMemberTypes: ["User", "Group"],
      description: "Security groups in the scope of Cloud Sync group provisioning",
      displayName: "User",
      id: scopeAppRoleId(cloudSync),
      isEnabled: true,
      origin: "Application",
      value: null,
    },
  ];
}

function servicePrincipalView(
  cloudSync: CloudSyncState,
  sp: ServicePrincipal,
  version: Version,
): Record<string, unknown> {
  return {
    id: sp.objectId,
    ...(version === "beta" ? { objectId: sp.objectId } : {}),
    accountEnabled: true,
    appId: sp.appId,
    appDisplayName: sp.displayName,
    applicationTemplateId: sp.applicationTemplateId,
    appRoles: appRoles(cloudSync),
    displayName: sp.displayName,
    servicePrincipalNames: [sp.appId],
    servicePrincipalType: "Application",
    tags: ["WindowsAzureActiveDirectoryIntegratedApp"],
  };
}

function jobView(job: SynchronizationJob): Record<string, unknown> {
  return {
    id: job.id,
    templateId: job.templateId,
    schedule: job.schedule,
    status: { ...job.status, progress: [] },
    synchronizationJobSettings: [],
  };
}

function assignmentView(
  state: SimState,
  sp: ServicePrincipal,
  assignment: AppRoleAssignment,
): Record<string, unknown> {
  // One row by its key: a view of one assignment never loads every group of the tenant.
  const group = cloudGroupIndex(state.tenant).byId(assignment.principalId);
  return {
    id: assignment.id,
    deletedDateTime: null,
    appRoleId: assignment.appRoleId,
    createdDateTime: assignment.createdDateTime,
    principalDisplayName: group?.displayName ?? null,
    principalId: assignment.principalId,
    principalType: assignment.principalType,
    resourceDisplayName: sp.displayName,
    resourceId: assignment.resourceId,
  };
}

// ---- lookups ----

/** A service principal reads can see (replication delay over), or 404. */
function findServicePrincipal(cloudSync: CloudSyncState, id: string): ServicePrincipal {
  const sp = cloudSync.servicePrincipals.find((candidate) => candidate.objectId === id.toLowerCase());
  if (!sp || sp.visibleAtWallMs > Date.now()) throw resourceNotFound(id);
  return sp;
}

function findJob(sp: ServicePrincipal, jobId: string): SynchronizationJob {
  const job = sp.jobs.find((candidate) => candidate.id.toLowerCase() === jobId.toLowerCase());
  if (!job || (job.visibleAtWallMs ?? 0) > Date.now())
    throw new GraphHttpError(
      404,
      "NotFound",
      `The job '${jobId}' was not found on service principal '${sp.objectId}'.`,
    );
  return job;
}

/** What syncfabric answers for a method it has no route for (PATCH on /schema: msgraph-sdk-python#820). */
function noHttpResource(request: GraphRequest, sp: string, job: string | null, what: string): GraphHttpError {
  const target = `https://syncfabric.windowsazure.com/api/servicePrincipals('${sp}')/synchronization/${job !== null ? `jobs('${job}')/` : ""}${what}?api-version=2.0`;
  return new GraphHttpError(
    404,
    "UnknownError",
    JSON.stringify({ Message: `No HTTP resource was found that matches the request URI '${target}'.` }),
  );
}

function filterValue(filter: string, property: string): string | null {
  const match = new RegExp(String.raw`^\s*${property}\s+eq\s+'((?:[^']|'')*)'\s*$`, "i").exec(filter);
  return match ? (match[1] as string).replace(/''/g, "'") : null;
}

// ---- paging of appRoleAssignedTo and members (offset in a signed $skiptoken) ----

function skipTokenFor(graph: GraphTenant, key: string, offset: number): string {
  const payload = Buffer.from(JSON.stringify({ key, offset })).toString("base64url");
  const signature = crypto
    .createHmac("sha256", graph.signingKey)
    .update(`page:${payload}`)
    .digest("base64url")
    .slice(0, 22);
  return `${payload}.${signature}`;
}

function offsetFrom(graph: GraphTenant, key: string, token: string | null): number {
  if (token === null) return 0;
  const [payload, signature] = token.split(".");
  const expected = payload
    ? crypto.createHmac("sha256", graph.signingKey).update(`page:${payload}`).digest("base64url").slice(0, 22)
    : "";
  if (!payload || signature !== expected)
    throw badRequest(`Invalid $skiptoken value: '${token.slice(0, 40)}'.`);
  const parsed = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as {
    key: string;
    offset: number;
  };
  if (parsed.key !== key)
    throw badRequest("The $skiptoken was issued for a different query: follow @odata.nextLink as it is.");
  return parsed.offset;
}

function page(
  { graph, request }: CloudSyncRequest,
  path: string,
  items: readonly unknown[],
  extra: Record<string, unknown> = {},
): GraphResponse {
  const top = pageSize(request.query.get("$top"));
  const key = `${path}|${top}`;
  const offset = offsetFrom(graph, key, request.query.get("$skiptoken"));
  const body: Record<string, unknown> = { ...extra, value: items.slice(offset, offset + top) };
  if (offset + top < items.length) {
    body["@odata.nextLink"] =
      `${request.origin}${path}?$top=${top}&$skiptoken=${skipTokenFor(graph, key, offset + top)}`;
  }
  return { status: 200, body };
}

// ---- handlers ----

const instantiateBody = z.looseObject({ displayName: z.string().trim().min(1) });

function instantiate(c: CloudSyncRequest, cloudSync: CloudSyncState, templateId: string): GraphResponse {
  if (!cloudSync.applicationTemplates.some((candidate) => candidate.id === templateId.toLowerCase()))
    throw resourceNotFound(templateId);
  const body = parseJsonBody(c.request.body);
  c.ctx.body = body;
  const parsed = instantiateBody.safeParse(body);
  if (!parsed.success)
    throw badRequest("The request body must give the displayName of the application.", "BadRequest");
  const sp = configure(() =>
    instantiateTemplate(cloudSync, templateId, parsed.data.displayName, currentTimeMs(c.state.clock)),
  );
  const id = (value: string): Record<string, string> =>
    c.version === "beta" ? { objectId: value, id: value } : { id: value };
  return {
    status: 201,
    body: {
      "@odata.context": `${c.request.origin}/${c.version}/$metadata#microsoft.graph.applicationServicePrincipal`,
      application: {
        ...id(sp.applicationObjectId),
        appId: sp.appId,
        applicationTemplateId: sp.applicationTemplateId,
        displayName: sp.displayName,
        createdDateTime: sp.createdAt,
      },
      servicePrincipal: { ...servicePrincipalView(cloudSync, sp, c.version), ...id(sp.objectId) },
    },
  };
}

function listServicePrincipals(c: CloudSyncRequest, cloudSync: CloudSyncState): GraphResponse {
  const filter = c.request.query.get("$filter");
  let matches: (sp: ServicePrincipal) => boolean = () => true;
  if (filter !== null && filter.trim() !== "") {
    const displayName = filterValue(filter, "displayName");
    const templateId = filterValue(filter, "applicationTemplateId");
    const appId = filterValue(filter, "appId");
    const id = filterValue(filter, "id");
    if (displayName !== null) matches = (sp) => sp.displayName.toLowerCase() === displayName.toLowerCase();
    else if (templateId !== null) matches = (sp) => sp.applicationTemplateId === templateId.toLowerCase();
    else if (appId !== null) matches = (sp) => sp.appId === appId.toLowerCase();
    else if (id !== null) matches = (sp) => sp.objectId === id.toLowerCase();
    else {
      throw new GraphHttpError(
        400,
        "Request_UnsupportedQuery",
        `Unsupported or invalid query filter clause specified: '${filter}'.`,
      );
    }
  }
  const now = Date.now();
  return {
    status: 200,
    body: {
      "@odata.context": `${c.request.origin}/${c.version}/$metadata#servicePrincipals`,
      value: cloudSync.servicePrincipals
        .filter((sp) => sp.visibleAtWallMs <= now && matches(sp))
        .map((sp) => servicePrincipalView(cloudSync, sp, c.version)),
    },
  };
}

function deleteServicePrincipal(cloudSync: CloudSyncState, sp: ServicePrincipal): GraphResponse {
  cloudSync.servicePrincipals = cloudSync.servicePrincipals.filter((candidate) => candidate !== sp);
  cloudSync.appRoleAssignments = cloudSync.appRoleAssignments.filter(
    (assignment) => assignment.resourceId !== sp.objectId,
  );
  return { status: 204 };
}

function postJob(c: CloudSyncRequest, cloudSync: CloudSyncState, sp: ServicePrincipal): GraphResponse {
  const body = parseJsonBody(c.request.body);
  c.ctx.body = body;
  const parsed = z.looseObject({ templateId: z.string().min(1) }).safeParse(body);
  if (!parsed.success) throw badRequest("The request body must give templateId.", "BadRequest");
  const job = configure(() =>
    createJob(cloudSync, sp, parsed.data.templateId, c.graph.tenantId, c.state.domain.rootDn),
  );
  return {
    status: 201,
    body: {
      "@odata.context": `${c.request.origin}/${c.version}/$metadata#servicePrincipals('${sp.objectId}')/synchronization/jobs/$entity`,
      ...jobView(job),
    },
  };
}

function restart(c: CloudSyncRequest, job: SynchronizationJob): GraphResponse {
  const raw = c.request.body.trim() === "" ? {} : parseJsonBody(c.request.body);
  c.ctx.body = raw;
  const parsed = z
    .looseObject({
      criteria: z.looseObject({ resetScope: z.string().nullable().optional() }).nullable().optional(),
    })
    .safeParse(raw);
  if (!parsed.success)
    throw badRequest('The request body must be {"criteria":{"resetScope":"..."}}.', "BadRequest");
  configure(() =>
    restartJob(
      ensureCloudSync(c.state),
      job,
      parsed.data.criteria?.resetScope ?? "",
      currentTimeMs(c.state.clock),
    ),
  );
  return { status: 204 };
}

const secretsBody = z.strictObject({
  value: z.array(z.looseObject({ key: z.string().min(1), value: z.string() })),
});
/** Secret keys whose values are journaled (the others, e.g. SecretToken, are journaled by name only). */
const JOURNALED_SECRET_KEYS = new Set(["domain", "syncnotificationsettings", "syncall"]);

function putSecrets(c: CloudSyncRequest, sp: ServicePrincipal): GraphResponse {
  const body = parseJsonBody(c.request.body);
  const parsed = secretsBody.safeParse(body);
  if (!parsed.success) {
    c.ctx.body = { invalid: true };
    throw badRequest('The request body must be {"value":[{"key":"...","value":"..."}]}.', "BadRequest");
  }
  c.ctx.body = {
    value: parsed.data.value.map((secret) =>
      JOURNALED_SECRET_KEYS.has(secret.key.toLowerCase())
        ? { key: secret.key, value: secret.value }
        : { key: secret.key },
    ),
  };
  // PUT replaces every secret: what the body does not carry is gone.
  configure(() =>
    replaceSecrets(ensureCloudSync(c.state), sp, parsed.data.value, currentTimeMs(c.state.clock)),
  );
  return { status: 204 };
}

function putSchema(c: CloudSyncRequest, job: SynchronizationJob): GraphResponse {
  const body = parseJsonBody(c.request.body);
  c.ctx.body = body;
  configure(() => replaceSchema(ensureCloudSync(c.state), job, body, currentTimeMs(c.state.clock)));
  return { status: 204 };
}

const onDemandBody = z.looseObject({
  parameters: z
    .array(
      z.looseObject({
        ruleId: z.string().min(1),
        subjects: z
          .array(
            z.looseObject({
              objectId: z.guid(),
              objectTypeName: z.string(),
              links: z
                .looseObject({
                  members: z
                    .array(z.looseObject({ objectId: z.guid(), objectTypeName: z.string() }))
                    .optional(),
                })
                .nullable()
                .optional(),
            }),
          )
          .min(1),
      }),
    )
    .min(1),
});

function onDemand(c: CloudSyncRequest, sp: ServicePrincipal, job: SynchronizationJob): GraphResponse {
  const wallNow = Date.now();
  sp.onDemandCallsWallMs = sp.onDemandCallsWallMs.filter((at) => at > wallNow - ON_DEMAND_WINDOW_MS);
  if (sp.onDemandCallsWallMs.length >= ON_DEMAND_CALLS_PER_WINDOW) {
    const oldest = sp.onDemandCallsWallMs[0] as number;
    const retryAfter = Math.max(1, Math.ceil((oldest + ON_DEMAND_WINDOW_MS - wallNow) / 1000));
    throw new GraphHttpError(
      429,
      "TooManyRequests",
      `provisionOnDemand allows ${ON_DEMAND_CALLS_PER_WINDOW} requests per ${ON_DEMAND_WINDOW_MS / 1000} seconds.`,
      { "Retry-After": String(retryAfter) },
    );
  }
  const body = parseJsonBody(c.request.body);
  c.ctx.body = body;
  const parsed = onDemandBody.safeParse(body);
  if (!parsed.success) {
    throw badRequest(
      'The request body must be {"parameters":[{"ruleId":"...","subjects":[{"objectId":"...","objectTypeName":"Group","links":{"members":[...]}}]}]}.',
      "BadRequest",
    );
  }
  const parameters = parsed.data.parameters;
  const subjects = parameters.flatMap((parameter) => parameter.subjects);
  if (parameters.length !== 1 || subjects.length !== 1)
    throw badRequest("provisionOnDemand provisions a single group at a time.", "BadRequest");
  const parameter = parameters[0] as (typeof parameters)[number];
  const subject = subjects[0] as (typeof subjects)[number];
  const ruleIds = job.schema.synchronizationRules.map((rule) => rule.id);
  if (!ruleIds.includes(parameter.ruleId)) {
    throw badRequest(
      `The ruleId '${parameter.ruleId}' is not a rule of the job's schema (${ruleIds.join(", ")}).`,
      "BadRequest",
    );
  }
  if (subject.objectTypeName.toLowerCase() !== "group")
    throw badRequest("Cloud Sync group provisioning provisions objects of type Group.", "BadRequest");
  const members = subject.links?.members ?? [];
  if (members.length > ON_DEMAND_MAX_MEMBERS) {
    throw badRequest(
      `provisionOnDemand takes a single group with up to ${ON_DEMAND_MAX_MEMBERS} members at a time; ${members.length} were given.`,
      "BadRequest",
    );
  }
  const group: CloudGroup = liveGroup(c.state, subject.objectId);
  sp.onDemandCallsWallMs.push(wallNow);
  const outcome = provisionOnDemand(
    c.state,
    sp,
    job,
    group,
    members.map((member) => member.objectId.toLowerCase()),
    currentTimeMs(c.state.clock),
    recordTo(c.state),
  );
  return {
    status: 200,
    body: {
      "@odata.context": `${c.request.origin}/${c.version}/$metadata#microsoft.graph.stringKeyStringValuePair`,
      key: JSON.stringify({ result: outcome.result, details: {} }),
      value: JSON.stringify({
        correlationId: crypto.randomUUID(),
        reportableIdentifier: group.displayName,
        provisioningSteps: outcome.steps,
        sourceIdentity: { id: group.objectId, displayName: group.displayName, identityType: "Group" },
      }),
    },
  };
}

const assignmentBody = z.looseObject({
  principalId: z.guid(),
  resourceId: z.guid(),
  appRoleId: z.guid(),
});

function addAssignment(c: CloudSyncRequest, cloudSync: CloudSyncState, sp: ServicePrincipal): GraphResponse {
  const body = parseJsonBody(c.request.body);
  c.ctx.body = body;
  const parsed = assignmentBody.safeParse(body);
  if (!parsed.success)
    throw badRequest("The request body must give principalId, resourceId and appRoleId.", "BadRequest");
  if (parsed.data.resourceId.toLowerCase() !== sp.objectId) {
    throw badRequest(
      `The resourceId '${parsed.data.resourceId}' must be the service principal of the URL ('${sp.objectId}').`,
    );
  }
  const group = liveGroup(c.state, parsed.data.principalId);
  const assignment = configure(
    () => assignGroup(cloudSync, sp, group.objectId, parsed.data.appRoleId, currentTimeMs(c.state.clock)),
    "Request_BadRequest",
  );
  return {
    status: 201,
    body: {
      "@odata.context": `${c.request.origin}/${c.version}/$metadata#servicePrincipals('${sp.objectId}')/appRoleAssignedTo/$entity`,
      ...assignmentView(c.state, sp, assignment),
    },
  };
}

function memberViews(
  state: SimState,
  cloudSync: CloudSyncState | undefined,
  group: CloudGroup,
  version: Version,
): unknown[] {
  const users = new Map((cloudSync?.users ?? []).map((user) => [user.objectId, user]));
  // The member groups by their keys, not every group of the tenant loaded for each request (a provider reads
  // the members of each of hundreds of groups: that was quadratic).
  const groups = cloudGroupIndex(state.tenant);
  const views: unknown[] = [];
  for (const id of group.members ?? []) {
    const user = users.get(id);
    if (user) {
      views.push({
        "@odata.type": "#microsoft.graph.user",
        id: user.objectId,
        displayName: user.displayName,
        userPrincipalName: user.userPrincipalName,
        onPremisesSyncEnabled: user.onPremisesObjectIdentifier !== null ? true : null,
        ...(version === "beta" ? { onPremisesObjectIdentifier: user.onPremisesObjectIdentifier } : {}),
      });
      continue;
    }
    const member = groups.byId(id);
    if (member && member.deleted === "none")
      views.push({ "@odata.type": "#microsoft.graph.group", ...groupView(member, version) });
  }
  return views;
}

/** Routes the Cloud Sync requests; undefined when the path is not one of them. */
export function routeCloudSync(c: CloudSyncRequest): GraphResponse | undefined {
  const { state, graph, request, ctx, version, segments, method } = c;
  const [, second, third, fourth, fifth, sixth, seventh] = segments;
  const allow = (roles: readonly string[]): void => {
    authorize(graph, request, ctx, roles);
  };

  if (second === "groups" && third !== undefined && fourth === "members" && segments.length <= 5) {
    if (method !== "GET") throw methodNotAllowed();
    if (segments.length === 5 && fifth !== "$count") return undefined;
    allow(MEMBER_READ);
    const group = liveGroup(state, third);
    const views = memberViews(state, state.cloudSync, group, version);
    if (fifth === "$count") return countResponse(request, views.length);
    const count =
      request.query.get("$count")?.toLowerCase() === "true" ? { "@odata.count": views.length } : {};
    return page(c, `/${version}/groups/${group.objectId}/members`, views, {
      "@odata.context": `${request.origin}/${version}/$metadata#directoryObjects`,
      ...count,
    });
  }

  if (version === "beta" && second === "onPremisesPublishingProfiles") {
    allow([...SYNC_READ, "Directory.Read.All"]);
    // Every token of the simulated tenant is app-only; the agent APIs are delegated-only
    // (OnPremisesPublishingProfiles.ReadWrite.All, "Application: Not supported").
    throw new GraphHttpError(
      403,
      "Authorization_RequestDenied",
      "Insufficient privileges to complete the operation.",
    );
  }

  if (second === "applicationTemplates") {
    if (segments.length === 2) {
      if (method !== "GET") throw methodNotAllowed();
      allow(APPLICATION_READ);
      const cloudSync = ensureCloudSync(state);
      return {
        status: 200,
        body: {
          value: cloudSync.applicationTemplates.map((template) => ({
            id: template.id,
            displayName: template.displayName,
            categories: ["provisioning"],
            supportedProvisioningTypes: ["sync"],
          })),
        },
      };
    }
    if (third === undefined || segments.length > 4) return undefined;
    if (segments.length === 3) {
      if (method !== "GET") throw methodNotAllowed();
      allow(APPLICATION_READ);
      const template = ensureCloudSync(state).applicationTemplates.find(
        (candidate) => candidate.id === third.toLowerCase(),
      );
      if (!template) throw resourceNotFound(third);
      return {
        status: 200,
        body: {
          id: template.id,
          displayName: template.displayName,
          categories: ["provisioning"],
          supportedProvisioningTypes: ["sync"],
        },
      };
    }
    if (fourth !== "instantiate") return undefined;
    if (method !== "POST") throw methodNotAllowed();
    allow(APPLICATION_WRITE);
    return instantiate(c, ensureCloudSync(state), third);
  }

  if (second !== "servicePrincipals") return undefined;
  if (segments.length === 2) {
    if (method !== "GET") throw methodNotAllowed();
    allow(APPLICATION_READ);
    return listServicePrincipals(c, ensureCloudSync(state));
  }
  if (third === undefined) return undefined;
  const cloudSync = ensureCloudSync(state);
  if (segments.length === 3) {
    if (method === "GET") {
      allow(APPLICATION_READ);
      return {
        status: 200,
        body: servicePrincipalView(cloudSync, findServicePrincipal(cloudSync, third), version),
      };
    }
    if (method === "DELETE") {
      allow(APPLICATION_WRITE);
      return deleteServicePrincipal(cloudSync, findServicePrincipal(cloudSync, third));
    }
    throw methodNotAllowed();
  }

  if (fourth === "appRoleAssignedTo") {
    if (segments.length === 4) {
      if (method === "GET") {
        allow(ASSIGNMENT_READ);
        const sp = findServicePrincipal(cloudSync, third);
        const groups = cloudGroupIndex(state.tenant);
        const views = cloudSync.appRoleAssignments
          .filter((assignment) => {
            if (assignment.resourceId !== sp.objectId) return false;
            const group = groups.byId(assignment.principalId);
            return group !== undefined && group.deleted !== "hard";
          })
          .map((assignment) => assignmentView(state, sp, assignment));
        return page(c, `/${version}/servicePrincipals/${sp.objectId}/appRoleAssignedTo`, views, {
          "@odata.context": `${request.origin}/${version}/$metadata#servicePrincipals('${sp.objectId}')/appRoleAssignedTo`,
        });
      }
      if (method === "POST") {
        allow(ASSIGNMENT_WRITE);
        return addAssignment(c, cloudSync, findServicePrincipal(cloudSync, third));
      }
      throw methodNotAllowed();
    }
    if (segments.length === 5 && fifth !== undefined) {
      if (method !== "DELETE") throw methodNotAllowed();
      allow(ASSIGNMENT_WRITE);
      const sp = findServicePrincipal(cloudSync, third);
      const assignment = cloudSync.appRoleAssignments.find(
        (candidate) => candidate.resourceId === sp.objectId && candidate.id === fifth,
      );
      if (!assignment) throw resourceNotFound(fifth);
      cloudSync.appRoleAssignments = cloudSync.appRoleAssignments.filter(
        (candidate) => candidate !== assignment,
      );
      return { status: 204 };
    }
    return undefined;
  }

  if (fourth !== "synchronization" || fifth === undefined) return undefined;
  const sp = (): ServicePrincipal => findServicePrincipal(cloudSync, third);

  if (fifth === "templates" && segments.length === 5) {
    if (method !== "GET") throw methodNotAllowed();
    allow(SYNC_READ);
    const principal = sp();
    const template = cloudSync.applicationTemplates.find(
      (candidate) => candidate.id === principal.applicationTemplateId,
    );
    return {
      status: 200,
      body: {
        "@odata.context": `${request.origin}/${version}/$metadata#servicePrincipals('${principal.objectId}')/synchronization/templates`,
        value: (template?.synchronizationTemplates ?? []).map((id) => ({
          id,
          applicationId: principal.appId,
          default: true,
          description: id === AAD2AD_JOB_TEMPLATE ? "Group Provision to Active Directory" : id,
          discoverable: true,
          factoryTag: id,
          metadata: [],
        })),
      },
    };
  }

  if (fifth === "secrets" && segments.length === 5) {
    if (method === "GET") {
      allow(SYNC_READ);
      return { status: 200, body: { value: sp().secrets } };
    }
    if (method === "PUT") {
      allow(SYNC_WRITE);
      return putSecrets(c, sp());
    }
    if (method === "PATCH") {
      allow(SYNC_WRITE);
      throw noHttpResource(request, sp().objectId, null, "secrets");
    }
    throw methodNotAllowed();
  }

  if (fifth !== "jobs") return undefined;
  if (segments.length === 5) {
    if (method === "GET") {
      allow(SYNC_READ);
      return {
        status: 200,
        body: {
          "@odata.context": `${request.origin}/${version}/$metadata#servicePrincipals('${third}')/synchronization/jobs`,
          value: sp()
            .jobs.filter((job) => (job.visibleAtWallMs ?? 0) <= Date.now())
            .map(jobView),
        },
      };
    }
    if (method === "POST") {
      allow(SYNC_WRITE);
      return postJob(c, cloudSync, sp());
    }
    throw methodNotAllowed();
  }
  if (sixth === undefined) return undefined;
  if (segments.length === 6) {
    if (method === "GET") {
      allow(SYNC_READ);
      return { status: 200, body: jobView(findJob(sp(), sixth)) };
    }
    if (method === "DELETE") {
      allow(SYNC_WRITE);
      const principal = sp();
      const job = findJob(principal, sixth);
      principal.jobs = principal.jobs.filter((candidate) => candidate !== job);
      return { status: 204 };
    }
    throw methodNotAllowed();
  }
  if (segments.length !== 7 || seventh === undefined) return undefined;
  switch (seventh) {
    case "start": {
      if (method !== "POST") throw methodNotAllowed();
      allow(SYNC_WRITE);
      startJob(cloudSync, findJob(sp(), sixth), currentTimeMs(state.clock));
      return { status: 204 };
    }
    case "pause": {
      if (method !== "POST") throw methodNotAllowed();
      allow(SYNC_WRITE);
      pauseJob(findJob(sp(), sixth));
      return { status: 204 };
    }
    case "restart": {
      if (method !== "POST") throw methodNotAllowed();
      allow(SYNC_WRITE);
      return restart(c, findJob(sp(), sixth));
    }
    case "provisionOnDemand": {
      if (method !== "POST") throw methodNotAllowed();
      allow(SYNC_WRITE);
      const principal = sp();
      return onDemand(c, principal, findJob(principal, sixth));
    }
    case "schema": {
      if (method === "GET") {
        allow(SYNC_READ);
        return { status: 200, body: findJob(sp(), sixth).schema };
      }
      if (method === "PUT") {
        allow(SYNC_WRITE);
        return putSchema(c, findJob(sp(), sixth));
      }
      if (method === "DELETE") {
        allow(SYNC_WRITE);
        findJob(sp(), sixth).schema = defaultGroupProvisioningSchema(state.domain.rootDn);
        return { status: 204 };
      }
      if (method === "PATCH") {
        allow(SYNC_WRITE);
        const principal = sp();
        throw noHttpResource(request, principal.objectId, findJob(principal, sixth).id, "schema");
      }
      throw methodNotAllowed();
    }
    default:
      return undefined;
  }
}
