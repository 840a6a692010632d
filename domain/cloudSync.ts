// Microsoft Entra Cloud Sync "Group Provision to Active Directory": the names, expressions and limits Microsoft
// documents, defined once (docs/cloud-sync.md has the sources).
// - Configure: https://learn.microsoft.com/entra/identity/hybrid/cloud-sync/how-to-configure-entra-to-active-directory
// - Scale and scope: https://learn.microsoft.com/entra/identity/hybrid/cloud-sync/concept-deployment-options-provision-to-active-directory
// - Secrets and the delete threshold: https://learn.microsoft.com/entra/identity/hybrid/cloud-sync/how-to-inbound-synch-ms-graph
import { compareVersions } from "./version";

/** The synchronization job template of group provisioning to AD. */
export const AAD2AD_JOB_TEMPLATE = "AAD2ADGroupProvisioning";

/**
 * The application template a Cloud Sync configuration's service principal is made from. Microsoft documents this id
 * for the AD-to-Entra direction, and its AADCloudSyncTools finds every Cloud Sync service principal by it; for the
 * Entra-to-AD direction it is not documented, so the provider verifies after instantiating that the service principal
 * offers the AAD2ADGroupProvisioning job template, and the stack can name another (`applicationTemplateId`).
 */
export const CLOUD_SYNC_APPLICATION_TEMPLATE = "1a4721b3-e57f-4451-ae87-ef078703ec94";

/** The app role a group is assigned to the configuration's service principal with ("Selected security groups"). */
export const SCOPE_APP_ROLE_IDS = {
  public: "1a0abf4d-b9fa-4512-a3a2-51ee82c6fd9f",
  china: "15af7fd5-1a3f-4034-8ea1-1afa3d5ecf63",
  usGovernment: "d8fa317e-0713-4930-91d8-1dbeb150978f",
  usNat: "50a55e47-aae2-425c-8dcb-ed711147a39f",
  usSec: "52e862b9-0b95-43fe-9340-54f51248314f",
} as const;
export type CloudName = keyof typeof SCOPE_APP_ROLE_IDS;

/** The cloud of a Graph endpoint, for the app role id; an endpoint nobody knows (the simulator) is public. */
export function cloudOfGraphEndpoint(graphEndpoint: string): CloudName {
  const host = new URL(graphEndpoint).hostname.toLowerCase();
  if (host.endsWith("chinacloudapi.cn")) return "china";
  if (host === "graph.microsoft.us" || host === "dod-graph.microsoft.us") return "usGovernment";
  if (host.endsWith("eaglex.ic.gov")) return "usNat";
  if (host.endsWith("microsoft.scloud")) return "usSec";
  return "public";
}

/** The documented limits of the scope. */
export const LIMITS = {
  /** Selected security groups: at most this many groups ... */
  selectedGroups: 10_000,
  /** ... with at most this many direct members in all. */
  selectedMembers: 250_000,
  /** No group with more members than this is supported. */
  groupMembers: 50_000,
} as const;

/** The secret keys of the configuration (PUT replaces all of them: read, merge, write). */
export const DOMAIN_SECRET = "Domain";
export const NOTIFICATION_SECRET = "SyncNotificationSettings";

/** Microsoft's default: enabled, 500 ("the maximum number of deletes allowed is 499 in each execution"). */
export const DEFAULT_DELETE_THRESHOLD = 500;

/** The quarantine a held-back delete batch causes; released only by restart with resetScope ForceDeletes. */
export const TOO_MANY_DELETES = "TooManyDeletes";

/** The group mappings the project manages, by their AD target attribute. */
export const MANAGED_TARGETS = ["parentDistinguishedName", "cn", "sAMAccountName"] as const;
export type ManagedTarget = (typeof MANAGED_TARGETS)[number];

/** Mappings Microsoft says "must not be edited" (hidden in the portal). The project never touches them. */
export const SERVICE_MANAGED_TARGETS = ["adminDescription", "msDS-ExternalDirectoryObjectId", "objectGUID"];

/** Cloud Sync's default cn: `<first 51 characters of the trimmed display name>_<last 12 of the objectId>`. */
export const CLOUD_SYNC_DEFAULT_CN =
  'Append(Append(Left(Trim([displayName]), 51), "_"), Mid([objectId], 25, 12))';
/** Connect Sync's default naming, `Group_<objectId>`, as Microsoft's migration guide keeps it. */
export const CONNECT_COMPATIBLE_CN = 'Append("Group_", [objectId])';

export const NAMING_EXPRESSIONS = {
  cloudSync: CLOUD_SYNC_DEFAULT_CN,
  connect: CONNECT_COMPATIBLE_CN,
} as const;
export type Naming = keyof typeof NAMING_EXPRESSIONS;

/** A mapping's source: a constant, or an expression in Microsoft's mapping language. */
export type MappingSource = { type: "Constant"; value: string } | { type: "Expression"; expression: string };

/** A string literal of the mapping expression language (a quote or backslash inside is escaped with a backslash). */
export function expressionLiteral(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

export interface OuRoute {
  /** The value of the routing attribute (compared case-sensitively, as Switch does). */
  value: string;
  ou: string;
}

/**
 * parentDistinguishedName for routing rules: `Switch([attribute], default, value1, ou1, ...)`, Microsoft's documented
 * form (route by a directory extension rather than displayName, "a weak routing key").
 */
export function routingExpression(attribute: string, defaultOu: string, routes: readonly OuRoute[]): string {
  const pairs = routes.flatMap((route) => [expressionLiteral(route.value), expressionLiteral(route.ou)]);
  return `Switch([${attribute}], ${[expressionLiteral(defaultOu), ...pairs].join(", ")})`;
}

/** Expressions compared as the service treats them: whitespace outside string literals is not significant. */
export function normalizedExpression(expression: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < expression.length; i++) {
    const char = expression[i] as string;
    if (inString) {
      out += char;
      if (char === "\\" && i + 1 < expression.length) out += expression[++i];
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
      out += char;
    } else if (!/\s/.test(char)) out += char;
  }
  return out;
}

export function sameMapping(left: MappingSource | null, right: MappingSource | null): boolean {
  if (left === null || right === null) return left === right;
  if (left.type !== right.type) return false;
  if (left.type === "Constant") return left.value === (right as { value: string }).value;
  return (
    normalizedExpression(left.expression) ===
    normalizedExpression((right as { expression: string }).expression)
  );
}

/** The provisioning agent build the 2026 prerequisites require (older pages: 1.1.1370.0, 1.1.1367.0). */
export const MINIMUM_AGENT_BUILD = "1.1.2334.0";
/** Connect Sync syncs objectGUID to onPremisesObjectIdentifier from this build: Cloud Sync needs it for members. */
export const MINIMUM_CONNECT_BUILD = "2.2.8.0";

/** What a Connect Sync build means for the members Cloud Sync can write (users synced by that server). */
export function connectSyncMembersNote(server: string, build: string): string {
  return compareVersions(build, MINIMUM_CONNECT_BUILD) >= 0
    ? `Connect Sync ${build} on ${server} syncs onPremisesObjectIdentifier (${MINIMUM_CONNECT_BUILD} or later): the users it syncs can be written as members`
    : `WARNING: Connect Sync ${build} on ${server} is older than ${MINIMUM_CONNECT_BUILD}: the users it syncs have no onPremisesObjectIdentifier, so Cloud Sync writes none of them as members; upgrade Entra Connect`;
}

/** The job's state as the stack declares it and reads it back. */
export type JobState = "running" | "paused" | "quarantined";

/** running, paused or quarantined from a job's schedule state and status code. */
export function jobStateOf(
  scheduleState: string | null | undefined,
  statusCode: string | null | undefined,
): JobState {
  if (statusCode === "Quarantine") return "quarantined";
  if (scheduleState === "Active" && statusCode !== "Paused") return "running";
  return "paused";
}

/**
 * The value that releases one TooManyDeletes quarantine (`releaseQuarantine`): the reason and when the quarantine
 * series began, so a later quarantine is never released by a value left in the stack. None (null) when Graph gives
 * no time: a value without one would name every later quarantine too.
 */
export function quarantineReleaseName(reason: string, seriesBegan: string | null | undefined): string | null {
  return seriesBegan ? `${reason}@${seriesBegan}` : null;
}

/**
 * The scoping filter operators Microsoft documents for group provisioning to AD (the portal's names). The JSON tokens
 * of the schema's `scope` are not documented: the stack writes the portal's name with underscores for spaces
 * (`NOT_EQUALS`, `IS_TRUE`; INFERRED) and compares tokens ignoring case, spaces and underscores.
 */
export const SCOPING_OPERATORS = [
  "EQUALS",
  "NOT EQUALS",
  "IS TRUE",
  "IS FALSE",
  "IS NULL",
  "IS NOT NULL",
  "REGEX MATCH",
  "NOT REGEX MATCH",
  "GREATER_THAN",
  "GREATER_THAN_OR_EQUALS",
] as const;
export type ScopingOperator = (typeof SCOPING_OPERATORS)[number];

/** The operators that compare with a value (the others test the attribute alone). */
export const SCOPING_OPERATORS_WITH_VALUE: readonly ScopingOperator[] = [
  "EQUALS",
  "NOT EQUALS",
  "REGEX MATCH",
  "NOT REGEX MATCH",
  "GREATER_THAN",
  "GREATER_THAN_OR_EQUALS",
];

/** One clause of a scoping filter: clauses of one filter are ANDed, filters are ORed (Microsoft). */
export interface ScopingClause {
  attribute: string;
  operator: ScopingOperator;
  /** The compared value (string comparisons are case-sensitive); null for IS TRUE, IS NULL and the like. */
  value: string | null;
}
export interface ScopingFilter {
  clauses: ScopingClause[];
}

/** The operator token written into the schema (INFERRED spelling), and its comparison key. */
export const scopingOperatorToken = (operator: string): string =>
  operator.trim().toUpperCase().replace(/\s+/g, "_");
export const scopingOperatorKey = (operator: string): string => operator.toUpperCase().replace(/[\s_]/g, "");

/** The declared operator an operator token of a live schema stands for, or null when it is none of them. */
export function scopingOperatorOf(token: string): ScopingOperator | null {
  return SCOPING_OPERATORS.find((each) => scopingOperatorKey(each) === scopingOperatorKey(token)) ?? null;
}

/** Filters compared as the service evaluates them: operators by key, attribute names ignoring case. */
export function sameScopingFilters(left: readonly ScopingFilter[], right: readonly ScopingFilter[]): boolean {
  const key = (filters: readonly ScopingFilter[]) =>
    JSON.stringify(
      filters.map((filter) =>
        filter.clauses.map((clause) => [
          clause.attribute.toLowerCase(),
          scopingOperatorKey(clause.operator),
          clause.value,
        ]),
      ),
    );
  return key(left) === key(right);
}

/** A filter as one line, e.g. `securityEnabled IS TRUE AND displayName REGEX MATCH "^Sales"` (filters joined by OR). */
export function describeScopingFilters(filters: readonly ScopingFilter[]): string {
  if (filters.length === 0) return "no filter";
  return filters
    .map((filter) =>
      filter.clauses
        .map(
          (clause) =>
            `${clause.attribute} ${clause.operator}${clause.value === null ? "" : ` ${expressionLiteral(clause.value)}`}`,
        )
        .join(" AND "),
    )
    .map((text) => (filters.length > 1 ? `(${text})` : text))
    .join(" OR ");
}

/**
 * "All security groups": Cloud Sync's documented limits for this mode (at least one attribute filter: up to 20,000
 * groups and 500,000 members; only in tenants with fewer than 200,000 users, 40,000 groups and 1,000,000
 * memberships). The filters are evaluated by the service, so the stack cannot count the groups they select.
 */
export const ALL_SECURITY_GROUPS_LIMITS = {
  groups: 20_000,
  members: 500_000,
  tenantUsers: 200_000,
  tenantGroups: 40_000,
  tenantMemberships: 1_000_000,
} as const;

/** The generic synchronization secret the simulator (and, UNVERIFIED, Cloud Sync) reads as "all security groups". */
export const SYNC_ALL_SECRET = "SyncAll";
