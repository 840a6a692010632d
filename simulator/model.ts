// The simulator's state: one tenant, one AD domain, one or more Entra Connect servers, a clock.
// The zod schema is the state file's format; readState validates every file against it.
import { z } from "zod";
import {
  activeDirectoryRight,
  companyFeatures,
  connectVersion,
  operationNames,
  pendingExport,
  syncPolicyType,
  syncRule,
  syncWindow,
} from "../contract/contract";
import { builtInSyncRules } from "./syncRules";
import { cloudSyncSchema } from "./cloudSync/model";

export const STATE_SCHEMA_VERSION = 1;

const isoTime = z.iso.datetime({ message: "an ISO 8601 UTC time such as 2025-01-06T08:00:00.000Z" });

export const clockSchema = z.discriminatedUnion("mode", [
  z.strictObject({ mode: z.literal("real") }),
  z.strictObject({ mode: z.literal("simulated"), now: isoTime }),
]);
export type Clock = z.infer<typeof clockSchema>;

export const onPremisesGroupType = z.enum([
  "universalDistributionGroup",
  "universalSecurityGroup",
  "universalMailEnabledSecurityGroup",
]);
export type OnPremisesGroupType = z.infer<typeof onPremisesGroupType>;

export const cloudGroupSchema = z.strictObject({
  objectId: z.guid(),
  displayName: z.string().min(1),
  type: z.enum(["m365", "security"]),
  /** writebackConfiguration.isEnabled: null when never set. */
  writebackEnabled: z.boolean().nullable(),
  /** writebackConfiguration.onPremisesGroupType, when set. */
  onPremisesGroupType: onPremisesGroupType.optional(),
  deleted: z.enum(["none", "soft", "hard"]),
  /** For type security only: a mail-enabled security group or a distribution list instead (mailEnabled true). */
  variant: z.enum(["mailEnabledSecurity", "distribution"]).optional(),
  /** Direct members: objectIds of users (cloudSync.users) and groups. Absent: no members. */
  members: z.array(z.guid()).optional(),
  /**
   * Graph's onPremisesSyncEnabled: true for a group Entra Connect syncs from Active Directory (mastered
   * on-premises: never in group writeback's scope, and Graph refuses to change it); absent (null in Graph) for a
   * group created in the cloud.
   */
  onPremisesSyncEnabled: z.literal(true).optional(),
});
export type CloudGroup = z.infer<typeof cloudGroupSchema>;

/** The tenant's flags, exactly as Get-ADSyncAADCompanyFeature reports them (the contract's shape). */
export const companyFeaturesSchema = companyFeatures;

/** Scheduler settings live in Entra ID, so every server of the tenant shares them (staging mode excepted). */
export const tenantSchedulerSchema = z.strictObject({
  syncCycleEnabled: z.boolean(),
  maintenanceEnabled: z.boolean(),
  customizedSyncCycleInterval: z.string().nullable(),
  purgeRunHistoryInterval: z.string(),
});

export const tenantSchema = z.strictObject({
  name: z.string().min(1),
  /** legacy: enabling GroupWritebackV2 still works; current: the tenant refuses it (v2 is discontinued: https://learn.microsoft.com/en-us/entra/identity/hybrid/connect/how-to-connect-group-writeback-v2). */
  era: z.enum(["legacy", "current"]),
  features: companyFeaturesSchema,
  /** Set once GroupWritebackV2 went from true to false; it can never be turned on again. */
  v2EverDisabled: z.boolean(),
  scheduler: tenantSchedulerSchema,
  groups: z.array(cloudGroupSchema),
});
export type Tenant = z.infer<typeof tenantSchema>;

/** One explicit ACE as stored on an object; inherited ones are computed from ancestors. */
export const aceSchema = z.strictObject({
  accountDn: z.string(),
  rights: z.array(activeDirectoryRight),
  accessControlType: z.enum(["Allow", "Deny"]),
  inheritanceType: z.enum(["None", "All", "Descendents", "SelfAndChildren", "Children"]),
  inheritedObjectType: z.string().nullable(),
});
export type Ace = z.infer<typeof aceSchema>;

const aces = z.array(aceSchema);

export const adObjectSchema = z.discriminatedUnion("objectClass", [
  z.strictObject({ objectClass: z.literal("domainDNS"), dn: z.string(), aces }),
  z.strictObject({
    objectClass: z.literal("organizationalUnit"),
    dn: z.string(),
    aces,
    protectedFromAccidentalDeletion: z.boolean(),
  }),
  z.strictObject({ objectClass: z.literal("container"), dn: z.string(), aces }),
  z.strictObject({
    objectClass: z.literal("user"),
    dn: z.string(),
    aces,
    samAccountName: z.string(),
    /** objectGUID; what Connect syncs to the cloud user's onPremisesObjectIdentifier. */
    objectGuid: z.guid().optional(),
  }),
  z.strictObject({
    objectClass: z.literal("group"),
    dn: z.string(),
    aces,
    displayName: z.string(),
    groupCategory: z.enum(["Distribution", "Security"]),
    groupScope: z.enum(["Universal", "Global", "DomainLocal"]),
    /** Group_<objectId> on groups Entra Connect wrote back; null on ordinary groups. */
    adminDescription: z.string().nullable(),
    /** msDS-ExternalDirectoryObjectId: Group_<objectId> on groups Cloud Sync provisions or matches (Connect does not write it). */
    externalDirectoryObjectId: z.string().nullable().optional(),
    /** objectGUID: the object's identity (set on groups Cloud Sync creates; a move or rename keeps it). */
    objectGuid: z.guid().optional(),
    /** sAMAccountName, when known (Cloud Sync's mapping, or a random name when unmapped). */
    samAccountName: z.string().optional(),
    description: z.string().nullable().optional(),
    /** member: DNs of the members (written by Cloud Sync; absent on groups nobody wrote members to). */
    members: z.array(z.string()).optional(),
  }),
]);
export type AdObject = z.infer<typeof adObjectSchema>;
export type AdGroup = Extract<AdObject, { objectClass: "group" }>;
export type AdOrganizationalUnit = Extract<AdObject, { objectClass: "organizationalUnit" }>;

export const domainSchema = z.strictObject({
  dnsName: z.string().min(1),
  rootDn: z.string(),
  /** Keyed by dnKey(dn): lower-case canonical DN. */
  objects: z.record(z.string(), adObjectSchema),
});
export type Domain = z.infer<typeof domainSchema>;

export const cycleSchema = z.strictObject({
  policyType: syncPolicyType,
  startedAt: isoTime,
  endsAt: isoTime,
  trigger: z.enum(["scheduler", "manual", "wizard", "busy"]),
});
export type Cycle = z.infer<typeof cycleSchema>;

export const cycleSummarySchema = z.strictObject({
  policyType: syncPolicyType,
  startedAt: isoTime,
  completedAt: isoTime,
  added: z.number().int().nonnegative(),
  updated: z.number().int().nonnegative(),
  deleted: z.number().int().nonnegative(),
  pendingExports: z.number().int().nonnegative(),
  exportErrors: z.number().int().nonnegative(),
});
export type CycleSummary = z.infer<typeof cycleSummarySchema>;

export const exportErrorSchema = z.strictObject({
  dn: z.string(),
  modification: z.enum(["add", "update", "delete"]),
  cloudObjectId: z.string().nullable(),
  errorType: z.enum(["permission-issue", "no-parent", "object-already-exists"]),
  message: z.string(),
  firstOccurredAt: isoTime,
});
export type ExportError = z.infer<typeof exportErrorSchema>;

export const serverSchema = z.strictObject({
  name: z.string().min(1),
  connectVersion,
  stagingModeEnabled: z.boolean(),
  /** Set by Connect during an upgrade; blocks the scheduler and manual cycles. */
  schedulerSuspended: z.boolean(),
  nextSyncCycleStartTime: isoTime,
  /** Full import and full sync flagged (wizard changes); the next cycle runs as Initial. */
  fullSyncRequired: z.boolean(),
  currentCycle: cycleSchema.nullable(),
  lastCycle: cycleSummarySchema.nullable(),
  groupWriteback: z.strictObject({
    /** Global setting Microsoft.OptionalFeature.GroupWriteBack. */
    optionalFeatureGroupWriteBack: z.boolean(),
    /** AD connector parameter Connector.GroupWriteBackContainerDn. */
    containerDn: z.string().nullable(),
    displayNameDn: z.boolean(),
    /** After the wizard disabled writeback: the container whose written-back groups the next cycles delete. */
    cleanupContainerDn: z.string().nullable(),
  }),
  adConnector: z.strictObject({
    name: z.string(),
    accountDn: z.string(),
    includedContainers: z.array(z.string()),
    excludedContainers: z.array(z.string()),
  }),
  /** The pause-window marker (what the real server keeps in its registry); absent in older state files. */
  syncWindow: syncWindow.nullable().default(null),
  /** The sync rules (Get-ADSyncRule); absent in older state files, which get the built-in inbound rule. */
  syncRules: z.array(syncRule).default(() => builtInSyncRules(false)),
  /** Group exports computed by the last cycle and not applied (all of them in staging mode). */
  pendingExports: z.array(pendingExport),
  exportErrors: z.array(exportErrorSchema),
});
export type Server = z.infer<typeof serverSchema>;

export const faultSchema = z.strictObject({
  operation: z.enum(operationNames as [string, ...string[]]),
  remaining: z.number().int().positive(),
  /** Calls that still go through before the fault fires (entra-sim fault --after). */
  skip: z.number().int().positive().optional(),
  kind: z.enum(["error", "hang"]),
  message: z.string().nullable(),
});
export type Fault = z.infer<typeof faultSchema>;

/** An application registered in the simulated tenant, for the client-credentials grant (simulator/graph). */
export const graphAppSchema = z.strictObject({
  clientId: z.guid(),
  displayName: z.string().min(1),
  /** The client secret value; never journaled or logged. */
  secret: z.string().min(16),
  /** Application permissions granted with admin consent, e.g. Group.ReadWrite.All. */
  roles: z.array(z.string()),
  /** Certificates (PEM, public part) uploaded as credentials, for client assertions. */
  certificates: z.array(z.string()).optional(),
});
export type GraphApp = z.infer<typeof graphAppSchema>;

/** A directory setting created from a template (Graph beta /settings), e.g. Group.Unified. */
export const directorySettingSchema = z.strictObject({
  id: z.guid(),
  templateId: z.guid(),
  values: z.array(z.strictObject({ name: z.string(), value: z.string() })),
});
export type DirectorySetting = z.infer<typeof directorySettingSchema>;

/** A fault armed for Graph requests whose method and path match. */
export const graphFaultSchema = z.strictObject({
  /** GET, PATCH, ... or * for any. */
  method: z.string().min(1),
  /** The URL path, * matching any characters, e.g. /beta/groups*. */
  path: z.string().startsWith("/"),
  kind: z.enum(["throttle", "unavailable", "drop"]),
  /** Retry-After in seconds; null sends none. */
  retryAfterSeconds: z.number().int().nonnegative().nullable(),
  /** Matching requests let through before the fault fires. */
  after: z.number().int().nonnegative(),
  remaining: z.number().int().positive(),
});
export type GraphFault = z.infer<typeof graphFaultSchema>;

/** The Microsoft Graph side of the tenant (simulator/graph); created on first use when absent. */
export const graphSchema = z.strictObject({
  tenantId: z.guid(),
  /** HMAC key the simulated token endpoint signs access tokens with; never journaled. */
  signingKey: z.string().min(32),
  apps: z.array(graphAppSchema),
  directorySettings: z.array(directorySettingSchema),
  faults: z.array(graphFaultSchema),
});
export type GraphTenant = z.infer<typeof graphSchema>;

export const stateSchema = z.strictObject({
  schemaVersion: z.literal(STATE_SCHEMA_VERSION),
  clock: clockSchema,
  settings: z.strictObject({
    /** How long a sync cycle runs, in seconds. */
    syncSeconds: z.number().int().positive(),
    /** How long an injected hang keeps a call waiting, in seconds. */
    hangSeconds: z.number().int().positive(),
  }),
  tenant: tenantSchema,
  domain: domainSchema,
  servers: z.array(serverSchema).min(1),
  faults: z.array(faultSchema),
  /** Absent in state files made before the Graph simulator; see simulator/graph/tenantAccess.ts. */
  graph: graphSchema.optional(),
  /** Cloud Sync (simulator/cloudSync); kept in its own table, created on first use. */
  cloudSync: cloudSyncSchema.optional(),
});
export type SimState = z.infer<typeof stateSchema>;
