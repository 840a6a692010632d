// The Graph subset and the token endpoint, as functions of one request inside one state transaction.
// Handlers validate everything before they change the state: a handler that throws has changed nothing.
import * as crypto from "node:crypto";
import { z } from "zod";
import { onPremisesGroupType as onPremisesGroupTypes } from "../model";
import type { CloudGroup, GraphApp, GraphTenant, SimState, DirectorySetting } from "../model";
import { cloudGroupIndex } from "../lazyState";
import {
  findTemplate,
  SETTING_TEMPLATES,
  type SettingTemplate,
  type SettingTemplateValue,
} from "./directorySettings";
import { GraphHttpError, TokenEndpointError } from "./errors";
import { groupFlags, parseGroupFilter } from "./filter";
import { CLOUD_SYNC_OPERATIONS } from "./cloudSyncOperations";
import { routeCloudSync } from "./synchronization";
import { issueToken, TOKEN_LIFETIME_SECONDS, type TokenClaims, verifyAuthorization } from "./tokens";

export interface GraphRequest {
  method: string;
  /** The URL path, not decoded. */
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  /** The ConsistencyLevel header (advanced queries: `eventual`). */
  consistencyLevel?: string | undefined;
  body: string;
  /** https://127.0.0.1:<port>: where the simulator is reached. */
  origin: string;
}

export interface GraphResponse {
  status: number;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as text/plain instead of a JSON body (the `$count` segment). */
  text?: string;
  headers?: Record<string, string>;
}

/**
 * The answer to a `/$count` URL segment (`GET /groups/$count`, `GET /groups/{id}/members/$count`). Graph answers
 * the bare number as text/plain, not JSON, and counts only as an advanced query, with the header
 * `ConsistencyLevel: eventual`. Documented: https://learn.microsoft.com/graph/api/group-list?view=graph-rest-1.0
 * (example "Get only a count of groups": `Content-type: text/plain`, body `893`),
 * https://learn.microsoft.com/graph/api/group-list-members?view=graph-rest-1.0 and
 * https://learn.microsoft.com/graph/aad-advanced-queries. The refusal without the header (400 Request_BadRequest,
 * "$count is not currently supported.") is a guess from what Graph answers `$count` without it.
 */
export function countResponse(request: GraphRequest, count: number): GraphResponse {
  if (request.consistencyLevel?.toLowerCase() !== "eventual") {
    throw badRequest("$count is not currently supported.");
  }
  return { status: 200, text: String(count) };
}

/** What the journal records about the request, filled in as the handler learns it. */
export interface RequestContext {
  client: string;
  operation: string;
  /** The request body as journaled (secrets removed); undefined when there is none worth keeping. */
  body?: unknown;
}

/** The Microsoft Graph resource id; tokens for it are accepted too (what real clients ask for by default). */
export const PUBLIC_GRAPH_RESOURCE = "https://graph.microsoft.com";
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 999;

const READ_GROUPS = [
  "Group.Read.All",
  "Group.ReadWrite.All",
  "Directory.Read.All",
  "Directory.ReadWrite.All",
];
const WRITE_GROUPS = ["Group.ReadWrite.All", "Directory.ReadWrite.All"];
const READ_DIRECTORY = ["Directory.Read.All", "Directory.ReadWrite.All"];
const WRITE_DIRECTORY = ["Directory.ReadWrite.All"];

export function badRequest(message: string, code = "Request_BadRequest"): GraphHttpError {
  return new GraphHttpError(400, code, message);
}

export function segmentNotFound(segment: string): GraphHttpError {
  return new GraphHttpError(400, "BadRequest", `Resource not found for the segment '${segment}'.`);
}

export function methodNotAllowed(): GraphHttpError {
  return new GraphHttpError(
    405,
    "Request_BadRequest",
    "Specified HTTP method is not allowed for the request target.",
  );
}

export function resourceNotFound(id: string): GraphHttpError {
  return new GraphHttpError(
    404,
    "Request_ResourceNotFound",
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

export function parseJsonBody(body: string): unknown {
  if (body.trim() === "") throw badRequest("Empty Payload. JSON content expected.", "BadRequest");
  try {
    return JSON.parse(body);
  } catch {
    throw badRequest("Invalid JSON. A token was not recognized in the JSON content.", "BadRequest");
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Token endpoint (client-credentials grant) and the OpenID configuration MSAL reads first.

function tenantMatches(state: SimState, graph: GraphTenant, tenant: string): boolean {
  const lower = tenant.toLowerCase();
  return lower === graph.tenantId || lower === state.tenant.name.toLowerCase();
}

function unknownTenant(tenant: string): TokenEndpointError {
  return new TokenEndpointError(
    400,
    "invalid_request",
    90002,
    `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
  );
}

function openIdConfiguration(graph: GraphTenant, origin: string): unknown {
  const base = `${origin}/${graph.tenantId}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: `${base}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${origin}/oidc/userinfo`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ["sub", "iss", "aud", "exp", "iat", "tid", "oid", "roles"],
    tenant_region_scope: null,
    cloud_instance_name: "microsoftonline.com",
    cloud_graph_host_name: "graph.windows.net",
    msgraph_host: "graph.microsoft.com",
  };
}

const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

function invalidAssertion(aadsts: number, description: string): TokenEndpointError {
  return new TokenEndpointError(401, "invalid_client", aadsts, description);
}

/**
 * A client assertion (RFC 7523) signed with a certificate uploaded to the app: the header names the certificate
 * by thumbprint (x5t, SHA-1, or x5t#S256), RS256 or PS256; aud is the token endpoint, iss and sub the client id.
 */
function checkClientAssertion(
  app: GraphApp,
  type: string | null,
  assertion: string,
  audiences: string[],
): void {
  if (type !== JWT_BEARER) {
    throw new TokenEndpointError(
      400,
      "invalid_request",
      50027,
      `Invalid client_assertion_type '${type ?? ""}': expected '${JWT_BEARER}'.`,
    );
  }
  const parts = assertion.split(".");
  const decode = (part: string | undefined): Record<string, unknown> | null => {
    try {
      return JSON.parse(Buffer.from(part ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
    } catch {
      return null;
    }
  };
  const header = decode(parts[0]);
  const claims = decode(parts[1]);
  if (parts.length !== 3 || !header || !claims)
    throw invalidAssertion(50027, "JWT token is invalid or malformed.");
  const certificates = (app.certificates ?? []).map((pem) => new crypto.X509Certificate(pem));
  const thumbprint = (certificate: crypto.X509Certificate, algorithm: "sha1" | "sha256"): string =>
    crypto.createHash(algorithm).update(certificate.raw).digest("base64url");
  const certificate = certificates.find((candidate) =>
    typeof header["x5t#S256"] === "string"
      ? header["x5t#S256"] === thumbprint(candidate, "sha256")
      : header.x5t === thumbprint(candidate, "sha1"),
  );
  if (!certificate) {
    throw invalidAssertion(
      700027,
      "The certificate with identifier used to sign the client assertion is not registered on application.",
    );
  }
  const data = Buffer.from(`${parts[0]}.${parts[1]}`);
  const signature = Buffer.from(parts[2] as string, "base64url");
  const key =
    header.alg === "PS256"
      ? {
          key: certificate.publicKey,
          padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
          saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST,
        }
      : certificate.publicKey;
  if ((header.alg !== "RS256" && header.alg !== "PS256") || !crypto.verify("sha256", data, key, signature)) {
    throw invalidAssertion(700027, "Client assertion failed signature validation.");
  }
  const now = Date.now() / 1000;
  if (
    typeof claims.exp !== "number" ||
    claims.exp <= now ||
    (typeof claims.nbf === "number" && claims.nbf > now + 300)
  ) {
    throw invalidAssertion(700024, "Client assertion is not within its valid time range.");
  }
  if (
    !audiences.includes(String(claims.aud)) ||
    String(claims.iss).toLowerCase() !== app.clientId ||
    String(claims.sub).toLowerCase() !== app.clientId
  ) {
    throw invalidAssertion(
      50027,
      "JWT token is invalid or malformed: aud must be the token endpoint, iss and sub the client id.",
    );
  }
}

function tokenRequest(
  state: SimState,
  graph: GraphTenant,
  request: GraphRequest,
  ctx: RequestContext,
): GraphResponse {
  const form = new URLSearchParams(request.body);
  const clientId = form.get("client_id") ?? "";
  const scope = form.get("scope") ?? "";
  // Journal what identifies the request, never client_secret or client_assertion.
  ctx.body = { grant_type: form.get("grant_type"), client_id: clientId, scope };
  if (clientId !== "") ctx.client = clientId;
  if (form.get("grant_type") !== "client_credentials") {
    throw new TokenEndpointError(
      400,
      "unsupported_grant_type",
      70003,
      `The app requested an unsupported grant type '${form.get("grant_type") ?? ""}'.`,
    );
  }
  const app: GraphApp | undefined = graph.apps.find(
    (candidate) => candidate.clientId === clientId.toLowerCase(),
  );
  if (!app) {
    throw new TokenEndpointError(
      400,
      "unauthorized_client",
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${state.tenant.name}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  }
  const assertion = form.get("client_assertion");
  if (assertion !== null && assertion !== "") {
    ctx.body = { ...(ctx.body as object), client_assertion_type: form.get("client_assertion_type") };
    checkClientAssertion(app, form.get("client_assertion_type"), assertion, [
      `${request.origin}${request.path}`,
      `${request.origin}/${graph.tenantId}/oauth2/v2.0/token`,
    ]);
    return grantToken(graph, app, scope, request.origin);
  }
  const secret = form.get("client_secret");
  if (secret === null || secret === "") {
    throw new TokenEndpointError(
      401,
      "invalid_client",
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    );
  }
  const expected = Buffer.from(app.secret);
  const given = Buffer.from(secret);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) {
    throw new TokenEndpointError(
      401,
      "invalid_client",
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`,
    );
  }
  return grantToken(graph, app, scope, request.origin);
}

function grantToken(graph: GraphTenant, app: GraphApp, scope: string, origin: string): GraphResponse {
  const resource = scope.endsWith("/.default") ? scope.slice(0, -"/.default".length) : null;
  if (resource === null || (resource !== origin && resource !== PUBLIC_GRAPH_RESOURCE)) {
    throw new TokenEndpointError(
      400,
      "invalid_scope",
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
  }
  return {
    status: 200,
    body: {
      token_type: "Bearer",
      expires_in: TOKEN_LIFETIME_SECONDS,
      ext_expires_in: TOKEN_LIFETIME_SECONDS,
      access_token: issueToken(graph, app, resource),
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Groups.

export type Version = "v1.0" | "beta";

const V1_GROUP_PROPERTIES = [
  "id",
  "displayName",
  "description",
  "groupTypes",
  "mailEnabled",
  "securityEnabled",
  "mailNickname",
  "onPremisesSyncEnabled",
] as const;

export function groupView(group: CloudGroup, version: Version): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: group.objectId,
    displayName: group.displayName,
    description: null,
    groupTypes: group.type === "m365" ? ["Unified"] : [],
    ...groupFlags(group),
    mailNickname: group.displayName.replace(/[^A-Za-z0-9]/g, "").slice(0, 64) || group.objectId.slice(0, 8),
    onPremisesSyncEnabled: group.onPremisesSyncEnabled ?? null,
  };
  if (version === "beta") {
    view.writebackConfiguration = {
      isEnabled: group.writebackEnabled,
      onPremisesGroupType: group.onPremisesGroupType ?? null,
    };
  }
  return view;
}

function selectProperties(version: Version, select: string | null): string[] | null {
  if (select === null || select.trim() === "") return null;
  const known: readonly string[] =
    version === "beta" ? [...V1_GROUP_PROPERTIES, "writebackConfiguration"] : V1_GROUP_PROPERTIES;
  return select.split(",").map((raw) => {
    const name = raw.trim();
    const match = known.find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    if (!match) {
      throw badRequest(
        `Could not find a property named '${name}' on type 'microsoft.graph.group'.`,
        "BadRequest",
      );
    }
    return match;
  });
}

function project(view: Record<string, unknown>, properties: string[] | null): Record<string, unknown> {
  if (properties === null) return view;
  return Object.fromEntries(properties.map((name) => [name, view[name]]));
}

export function liveGroup(state: SimState, id: string): CloudGroup {
  // One row by its key: a GET or PATCH of one group never loads the others.
  const group = cloudGroupIndex(state.tenant).byId(id.toLowerCase());
  if (!group || group.deleted !== "none") throw resourceNotFound(id);
  return group;
}

const skipTokenPayload = z.strictObject({
  /** The query it continues, so a client that drops $filter or $select is caught. */
  q: z.string(),
  top: z.number().int(),
  /** The objectId of the last group of the previous page. */
  after: z.string(),
  /** Its position in the tenant's order: where the next page starts when that group is gone. */
  seq: z.number().int(),
});

function skipTokenSignature(graph: GraphTenant, payload: string): string {
  return crypto
    .createHmac("sha256", graph.signingKey)
    .update(`skiptoken:${payload}`)
    .digest("base64url")
    .slice(0, 22);
}

function issueSkipToken(graph: GraphTenant, payload: z.infer<typeof skipTokenPayload>): string {
  const text = Buffer.from(JSON.stringify(payload)).toString("base64url");
  return `${text}.${skipTokenSignature(graph, text)}`;
}

function readSkipToken(graph: GraphTenant, token: string): z.infer<typeof skipTokenPayload> {
  const [text, signature] = token.split(".");
  const invalid = badRequest(`Invalid $skiptoken value: '${token.slice(0, 40)}'.`);
  if (!text || !signature || signature !== skipTokenSignature(graph, text)) throw invalid;
  try {
    return skipTokenPayload.parse(JSON.parse(Buffer.from(text, "base64url").toString("utf8")));
  } catch {
    throw invalid;
  }
}

export function pageSize(raw: string | null): number {
  if (raw === null) return DEFAULT_PAGE_SIZE;
  const size = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(size >= 1 && size <= MAX_PAGE_SIZE)) {
    throw badRequest(
      `Invalid page size specified: '${raw}'. Must be between 1 and ${MAX_PAGE_SIZE} inclusive.`,
    );
  }
  return size;
}

function listGroups(
  state: SimState,
  graph: GraphTenant,
  request: GraphRequest,
  version: Version,
): GraphResponse {
  const filter = request.query.get("$filter");
  const select = request.query.get("$select");
  const properties = selectProperties(version, select);
  const top = pageSize(request.query.get("$top"));
  const matches = parseGroupFilter(filter);
  const queryKey = JSON.stringify([version, filter ?? "", select ?? ""]);
  const skipToken = request.query.get("$skiptoken");
  const index = cloudGroupIndex(state.tenant);
  let start = 0;
  if (skipToken !== null) {
    const token = readSkipToken(graph, skipToken);
    if (token.q !== queryKey || token.top !== top) {
      throw badRequest("The $skiptoken was issued for a different query: follow @odata.nextLink as it is.");
    }
    start = index.seqOf(token.after) ?? token.seq;
  }
  // A keyset read: the rows after the previous page, in the tenant's order, until the page is full and one more
  // match shows there is a next page. Only those rows are read, whatever the tenant's size.
  const page: Array<{ seq: number; group: CloudGroup }> = [];
  let more = false;
  for (const row of index.after(start)) {
    if (row.group.deleted !== "none" || !matches(row.group)) continue;
    if (page.length === top) {
      more = true;
      break;
    }
    page.push(row);
  }
  const body: Record<string, unknown> = {
    "@odata.context": `${request.origin}/${version}/$metadata#groups${select ? `(${select})` : ""}`,
    value: page.map((row) => project(groupView(row.group, version), properties)),
  };
  const last = page.at(-1);
  if (more && last) {
    const params = [
      ...(filter !== null ? [`$filter=${encodeURIComponent(filter)}`] : []),
      ...(select !== null ? [`$select=${encodeURIComponent(select)}`] : []),
      `$top=${top}`,
      `$skiptoken=${issueSkipToken(graph, { q: queryKey, top, after: last.group.objectId, seq: last.seq })}`,
    ];
    body["@odata.nextLink"] = `${request.origin}/${version}/groups?${params.join("&")}`;
  }
  return { status: 200, body };
}

const writebackConfigurationPatch = z
  .object({
    "@odata.type": z.literal("#microsoft.graph.groupWritebackConfiguration").optional(),
    isEnabled: z.boolean().nullable().optional(),
    onPremisesGroupType: z.string().nullable().optional(),
  })
  .strict();

function patchGroup(
  state: SimState,
  request: GraphRequest,
  id: string,
  version: Version,
  ctx: RequestContext,
): GraphResponse {
  const body = parseJsonBody(request.body);
  ctx.body = body;
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest("The request body must be a JSON object.", "BadRequest");
  }
  const group = liveGroup(state, id);
  if (group.onPremisesSyncEnabled === true) {
    // Mastered on-premises: Active Directory is the group's source, changed there (see docs/simulator.md).
    throw badRequest(
      "Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.",
    );
  }
  const changes: Partial<Pick<CloudGroup, "writebackEnabled" | "onPremisesGroupType" | "displayName">> = {};
  for (const [name, value] of Object.entries(body)) {
    if (name === "displayName") {
      if (typeof value !== "string" || value.trim() === "") {
        throw badRequest("Invalid value specified for property 'displayName' of resource 'Group'.");
      }
      changes.displayName = value;
    } else if (name === "writebackConfiguration" && version === "beta") {
      const parsed = writebackConfigurationPatch.safeParse(value);
      if (!parsed.success) {
        throw badRequest(
          "Invalid value specified for property 'writebackConfiguration' of resource 'Group'.",
        );
      }
      if (parsed.data.isEnabled !== undefined) changes.writebackEnabled = parsed.data.isEnabled;
      const type = parsed.data.onPremisesGroupType;
      if (type === null && group.onPremisesGroupType !== undefined) {
        // msgraph-metadata#332: once set, onPremisesGroupType cannot be reset to null.
        throw badRequest("Invalid value specified for property 'onPremisesGroupType' of resource 'Group'.");
      }
      if (typeof type === "string") {
        const canonical = onPremisesGroupTypes.options.find(
          (option) => option.toLowerCase() === type.toLowerCase(),
        );
        if (!canonical || (group.type === "security" && canonical !== "universalSecurityGroup")) {
          throw badRequest("Invalid value specified for property 'onPremisesGroupType' of resource 'Group'.");
        }
        changes.onPremisesGroupType = canonical;
      }
    } else {
      throw badRequest(
        `Property '${name}' does not exist as a declared property or extension property.`,
        "BadRequest",
      );
    }
  }
  if (changes.displayName !== undefined) group.displayName = changes.displayName;
  if (changes.writebackEnabled !== undefined) group.writebackEnabled = changes.writebackEnabled;
  if (changes.onPremisesGroupType !== undefined) group.onPremisesGroupType = changes.onPremisesGroupType;
  return { status: 204 };
}

// ---------------------------------------------------------------------------------------------------------------
// Directory setting templates and settings (beta).

function templateView(template: SettingTemplate): unknown {
  return {
    id: template.id,
    deletedDateTime: null,
    displayName: template.displayName,
    description: template.description,
    values: template.values,
  };
}

function settingView(setting: DirectorySetting): unknown {
  return {
    id: setting.id,
    displayName: findTemplate(setting.templateId)?.displayName ?? null,
    templateId: setting.templateId,
    values: setting.values,
  };
}

const settingValueInput = z.object({ name: z.string(), value: z.union([z.string(), z.boolean()]) }).strict();
const settingValuesInput = z.array(settingValueInput);

/** Validates values against the template; booleans accepted as JSON booleans too (the documented script sends $false). */
function checkValues(template: SettingTemplate, raw: unknown): Array<{ name: string; value: string }> {
  const parsed = settingValuesInput.safeParse(raw);
  if (!parsed.success)
    throw badRequest("Invalid value specified for property 'values' of resource 'DirectorySetting'.");
  return parsed.data.map(({ name, value }) => {
    const definition: SettingTemplateValue | undefined = template.values.find(
      (candidate) => candidate.name.toLowerCase() === name.toLowerCase(),
    );
    if (!definition) {
      throw badRequest(`Setting '${name}' is not defined in template '${template.displayName}'.`);
    }
    const text = String(value);
    if (definition.type === "System.Boolean" && !/^(true|false)$/i.test(text)) {
      throw badRequest(`Invalid value '${text}' for setting '${definition.name}': a Boolean is expected.`);
    }
    return { name: definition.name, value: definition.type === "System.Boolean" ? text.toLowerCase() : text };
  });
}

function findSetting(graph: GraphTenant, id: string): DirectorySetting {
  const setting = graph.directorySettings.find((candidate) => candidate.id === id.toLowerCase());
  if (!setting) throw resourceNotFound(id);
  return setting;
}

function createSetting(graph: GraphTenant, request: GraphRequest, ctx: RequestContext): GraphResponse {
  const body = parseJsonBody(request.body);
  ctx.body = body;
  const parsed = z
    .object({ templateId: z.string(), values: z.unknown(), displayName: z.string().optional() })
    .strict()
    .safeParse(body);
  if (!parsed.success) throw badRequest("A directory setting needs templateId and values.");
  const template = findTemplate(parsed.data.templateId);
  if (!template) {
    throw badRequest(`Invalid value specified for property 'templateId' of resource 'DirectorySetting'.`);
  }
  if (template.displayName !== "Group.Unified") {
    throw badRequest(
      `ObjectSettingsTemplate '${template.id}' is not supported for DirectoryObjectClass 'Company'. paramName: SettingTemplateId`,
    );
  }
  const values = checkValues(template, parsed.data.values);
  const missing = template.values.filter(
    (definition) => !values.some((value) => value.name === definition.name),
  );
  if (missing.length > 0) {
    throw badRequest(
      `The creation request must provide settingValues for all the settings defined in the template; missing: ${missing.map((each) => each.name).join(", ")}.`,
    );
  }
  if (graph.directorySettings.some((setting) => setting.templateId === template.id)) {
    throw badRequest(
      "A conflicting object with one or more of the specified property values is present in the directory.",
    );
  }
  const setting: DirectorySetting = { id: crypto.randomUUID(), templateId: template.id, values };
  graph.directorySettings.push(setting);
  return {
    status: 201,
    body: {
      "@odata.context": `${request.origin}/beta/$metadata#settings/$entity`,
      ...(settingView(setting) as object),
    },
  };
}

function updateSetting(
  graph: GraphTenant,
  request: GraphRequest,
  id: string,
  ctx: RequestContext,
): GraphResponse {
  const setting = findSetting(graph, id);
  const body = parseJsonBody(request.body);
  ctx.body = body;
  const parsed = z.object({ values: z.unknown() }).strict().safeParse(body);
  if (!parsed.success) throw badRequest("Only the values of a directory setting can be updated.");
  const template = findTemplate(setting.templateId) as SettingTemplate;
  for (const value of checkValues(template, parsed.data.values)) {
    const existing = setting.values.find((candidate) => candidate.name === value.name);
    if (existing) existing.value = value.value;
    else setting.values.push(value);
  }
  return { status: 204 };
}

// ---------------------------------------------------------------------------------------------------------------
// Routing.

const OPERATIONS: ReadonlyArray<[method: string, path: RegExp, operation: string]> = [
  ["POST", /^\/[^/]+\/oauth2\/v2\.0\/token$/, "graph.token"],
  ["GET", /^\/[^/]+\/v2\.0\/\.well-known\/openid-configuration$/, "graph.openidConfiguration"],
  ["GET", /^\/(v1\.0|beta)\/groups$/, "graph.listGroups"],
  ["GET", /^\/(v1\.0|beta)\/groups\/\$count$/, "graph.countGroups"],
  ["GET", /^\/(v1\.0|beta)\/groups\/[^/]+$/, "graph.getGroup"],
  ["PATCH", /^\/(v1\.0|beta)\/groups\/[^/]+$/, "graph.updateGroup"],
  ["GET", /^\/beta\/directorySettingTemplates$/, "graph.listSettingTemplates"],
  ["GET", /^\/beta\/directorySettingTemplates\/[^/]+$/, "graph.getSettingTemplate"],
  ["GET", /^\/beta\/settings$/, "graph.listSettings"],
  ["POST", /^\/beta\/settings$/, "graph.createSetting"],
  ["GET", /^\/beta\/settings\/[^/]+$/, "graph.getSetting"],
  ["PATCH", /^\/beta\/settings\/[^/]+$/, "graph.updateSetting"],
  ["DELETE", /^\/beta\/settings\/[^/]+$/, "graph.deleteSetting"],
  ...CLOUD_SYNC_OPERATIONS,
];

/** The journal's name for a request: graph.listGroups and so on, or graph.<METHOD> <path> for anything else. */
export function operationFor(method: string, path: string): string {
  const upper = method.toUpperCase();
  const found = OPERATIONS.find(([each, pattern]) => each === upper && pattern.test(path));
  return found ? found[2] : `graph.${upper} ${path}`;
}

export function authorize(
  graph: GraphTenant,
  request: GraphRequest,
  ctx: RequestContext,
  roles: readonly string[],
): TokenClaims {
  const check = verifyAuthorization(graph, request.authorization, [request.origin, PUBLIC_GRAPH_RESOURCE]);
  if (!check.ok) {
    throw new GraphHttpError(401, "InvalidAuthenticationToken", check.message, {
      "WWW-Authenticate": `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`,
    });
  }
  ctx.client = check.claims.appid;
  if (check.claims.tid !== graph.tenantId) {
    throw new GraphHttpError(401, "InvalidAuthenticationToken", "Access token validation failure.");
  }
  if (!check.claims.roles.some((role) => roles.includes(role))) {
    throw new GraphHttpError(
      403,
      "Authorization_RequestDenied",
      "Insufficient privileges to complete the operation.",
    );
  }
  return check.claims;
}

/** Handles one request; throws GraphHttpError or TokenEndpointError for the answers that are errors. */
export function route(
  state: SimState,
  graph: GraphTenant,
  request: GraphRequest,
  ctx: RequestContext,
): GraphResponse {
  const segments = request.path
    .split("/")
    .filter((segment) => segment !== "")
    .map(decodeURIComponent);
  const method = request.method.toUpperCase();
  const [first, second, third, fourth] = segments;

  // /{tenant}/oauth2/v2.0/token and /{tenant}/v2.0/.well-known/openid-configuration
  if (first !== undefined && first !== "v1.0" && first !== "beta") {
    if (second === "oauth2" && third === "v2.0" && fourth === "token" && segments.length === 4) {
      if (method !== "POST") throw methodNotAllowed();
      if (!tenantMatches(state, graph, first)) throw unknownTenant(first);
      return tokenRequest(state, graph, request, ctx);
    }
    if (
      second === "v2.0" &&
      third === ".well-known" &&
      fourth === "openid-configuration" &&
      segments.length === 4
    ) {
      if (!tenantMatches(state, graph, first)) throw unknownTenant(first);
      return { status: 200, body: openIdConfiguration(graph, request.origin) };
    }
    throw new GraphHttpError(400, "BadRequest", `Invalid version: ${first}`);
  }
  const version: Version = first === "beta" ? "beta" : "v1.0";
  if (second === undefined) throw segmentNotFound("");

  if (second === "groups" && segments.length === 2) {
    if (method !== "GET") throw methodNotAllowed();
    authorize(graph, request, ctx, READ_GROUPS);
    return listGroups(state, graph, request, version);
  }
  if (second === "groups" && third === "$count" && segments.length === 3) {
    // The tenant's groups (not deleted), as Cloud Sync's "all security groups" check reads them.
    if (method !== "GET") throw methodNotAllowed();
    authorize(graph, request, ctx, READ_GROUPS);
    return countResponse(request, state.tenant.groups.filter((group) => group.deleted === "none").length);
  }
  if (second === "groups" && third !== undefined && segments.length === 3) {
    if (method === "GET") {
      authorize(graph, request, ctx, READ_GROUPS);
      const properties = selectProperties(version, request.query.get("$select"));
      return { status: 200, body: project(groupView(liveGroup(state, third), version), properties) };
    }
    if (method === "PATCH") {
      authorize(graph, request, ctx, WRITE_GROUPS);
      return patchGroup(state, request, third, version, ctx);
    }
    throw methodNotAllowed();
  }
  if (version === "beta" && second === "directorySettingTemplates" && segments.length <= 3) {
    if (method !== "GET") throw methodNotAllowed();
    authorize(graph, request, ctx, READ_DIRECTORY);
    if (third === undefined) {
      return {
        status: 200,
        body: {
          "@odata.context": `${request.origin}/beta/$metadata#directorySettingTemplates`,
          value: SETTING_TEMPLATES.map(templateView),
        },
      };
    }
    const template = findTemplate(third);
    if (!template) throw resourceNotFound(third);
    return { status: 200, body: templateView(template) };
  }
  if (version === "beta" && second === "settings" && segments.length === 2) {
    if (method === "GET") {
      authorize(graph, request, ctx, READ_DIRECTORY);
      return {
        status: 200,
        body: {
          "@odata.context": `${request.origin}/beta/$metadata#settings`,
          value: graph.directorySettings.map(settingView),
        },
      };
    }
    if (method === "POST") {
      authorize(graph, request, ctx, WRITE_DIRECTORY);
      return createSetting(graph, request, ctx);
    }
    throw methodNotAllowed();
  }
  if (version === "beta" && second === "settings" && third !== undefined && segments.length === 3) {
    if (method === "GET") {
      authorize(graph, request, ctx, READ_DIRECTORY);
      return { status: 200, body: settingView(findSetting(graph, third)) };
    }
    if (method === "PATCH") {
      authorize(graph, request, ctx, WRITE_DIRECTORY);
      return updateSetting(graph, request, third, ctx);
    }
    if (method === "DELETE") {
      authorize(graph, request, ctx, WRITE_DIRECTORY);
      const setting = findSetting(graph, third);
      graph.directorySettings = graph.directorySettings.filter((candidate) => candidate !== setting);
      return { status: 204 };
    }
    throw methodNotAllowed();
  }
  const cloudSync = routeCloudSync({ state, graph, request, ctx, version, segments, method });
  if (cloudSync) return cloudSync;
  throw segmentNotFound(second);
}
