// The operation contract: the only way providers talk to an Entra Connect server.
// Every operation has a zod schema for its arguments and one for its result; both backends
// (PowerShell for real servers, the simulator for the lab and the tests) implement exactly these.
import { z } from "zod";
import { DistinguishedNameError, parseDn, trimDn } from "../domain/dn";

/**
 * A distinguished name, parsed with the RFC 4514 rules of domain/dn.ts (the one home of DN syntax):
 * every input the providers, the program and the simulator accept is a DN that parses. Surrounding
 * whitespace is dropped, except an escaped trailing space (`OU=x\\ `), which belongs to the value.
 */
export const distinguishedName = z
  .string()
  .overwrite(trimDn)
  .superRefine((dn, context) => {
    try {
      parseDn(dn);
    } catch (error) {
      const detail = error instanceof DistinguishedNameError ? `: ${error.message}` : "";
      context.addIssue({
        code: "custom",
        message: `must be a distinguished name such as OU=Groups,DC=contoso,DC=com${detail}`,
      });
    }
  });

/** Active Directory's limit on an OU name (the ou attribute's rangeUpper). */
export const OU_NAME_MAX_LENGTH = 64;

/** An OU's name (the value of its OU= RDN, unescaped). */
export const ouName = z
  .string()
  .min(1, "an OU name cannot be empty")
  .max(
    OU_NAME_MAX_LENGTH,
    `an OU name has at most ${OU_NAME_MAX_LENGTH} characters (Active Directory's limit)`,
  );

/** An Entra Connect build, as [version] text: 2.4.18.0. */
export const connectVersion = z.string().regex(/^\d+(\.\d+){1,3}$/, "a version such as 2.4.18.0");

export const syncPolicyType = z.enum(["Initial", "Delta"]);
export type SyncPolicyType = z.infer<typeof syncPolicyType>;

const none = z.strictObject({});

/** What the server is: the Entra Connect build and whether it runs in staging mode. */
export const serverInfo = z.strictObject({
  computerName: z.string(),
  /** Microsoft.Synchronize.ServerConfigurationVersion, e.g. 2.4.18.0 */
  connectVersion,
  stagingModeEnabled: z.boolean(),
});
export type ServerInfo = z.infer<typeof serverInfo>;

/** Every field Get-ADSyncScheduler reports, in camelCase; intervals as d.hh:mm:ss text, times as ISO 8601 UTC. */
export const schedulerState = z.strictObject({
  allowedSyncCycleInterval: z.string(),
  currentlyEffectiveSyncCycleInterval: z.string(),
  customizedSyncCycleInterval: z.string().nullable(),
  nextSyncCyclePolicyType: z.enum(["Unspecified", "Delta", "Initial"]),
  nextSyncCycleStartTimeInUtc: z.string(),
  purgeRunHistoryInterval: z.string(),
  syncCycleEnabled: z.boolean(),
  maintenanceEnabled: z.boolean(),
  stagingModeEnabled: z.boolean(),
  schedulerSuspended: z.boolean(),
  syncCycleInProgress: z.boolean(),
});
export type SchedulerStateResult = z.infer<typeof schedulerState>;

/** Get-ADSyncAADCompanyFeature: tenant-wide flags. */
export const companyFeatures = z.strictObject({
  passwordHashSync: z.boolean(),
  forcePasswordChangeOnLogOn: z.boolean(),
  userWriteback: z.boolean(),
  deviceWriteback: z.boolean(),
  unifiedGroupWriteback: z.boolean(),
  groupWritebackV2: z.boolean(),
});
export type CompanyFeatures = z.infer<typeof companyFeatures>;

/** What the Connect wizard configured for the original (v1) group writeback on this server. */
export const groupWritebackV1Config = z.strictObject({
  /** Get-ADSyncAADCompanyFeature UnifiedGroupWriteback (tenant). */
  unifiedGroupWriteback: z.boolean(),
  /** Global setting Microsoft.OptionalFeature.GroupWriteBack (this server). */
  optionalFeatureGroupWriteBack: z.boolean(),
  /** AD connector global parameter Connector.GroupWriteBackContainerDn; null when not set. */
  containerDn: z.string().nullable(),
  /** The wizard's "Writeback group Distinguished Name with cloud Display Name" option (rule "Out to AD - Group SOAInAAD - DN"). */
  displayNameDn: z.boolean(),
});
export type GroupWritebackV1Config = z.infer<typeof groupWritebackV1Config>;

/** The AD connector: which containers it synchronizes, and the account it exports with. */
export const syncScope = z.strictObject({
  connectorName: z.string(),
  /** The AD DS connector account (forest-login-user) as a DN; null when it cannot be resolved. */
  connectorAccountDn: z.string().nullable(),
  includedContainers: z.array(z.string()),
  excludedContainers: z.array(z.string()),
});
export type SyncScope = z.infer<typeof syncScope>;

export const organizationalUnit = z.discriminatedUnion("exists", [
  z.strictObject({ exists: z.literal(false), dn: z.string() }),
  z.strictObject({
    exists: z.literal(true),
    dn: z.string(),
    name: z.string(),
    protectedFromAccidentalDeletion: z.boolean(),
    /** Number of objects directly below the OU. */
    childCount: z.number().int().nonnegative(),
  }),
]);
export type OrganizationalUnit = z.infer<typeof organizationalUnit>;

export const activeDirectoryRight = z.enum([
  "GenericRead",
  "GenericWrite",
  "GenericAll",
  "CreateChild",
  "DeleteChild",
  "Delete",
  "DeleteTree",
  "ReadProperty",
  "WriteProperty",
  "ListChildren",
  "ReadControl",
  "WriteDacl",
  "WriteOwner",
  "ExtendedRight",
  "Self",
  "ListObject",
]);
export type ActiveDirectoryRight = z.infer<typeof activeDirectoryRight>;

/** One explicit or inherited access control entry held by one account on one object. */
export const accessRule = z.strictObject({
  /** Rights, sorted alphabetically. */
  rights: z.array(activeDirectoryRight),
  accessControlType: z.enum(["Allow", "Deny"]),
  /** ActiveDirectorySecurityInheritance: None | All | Descendents | SelfAndChildren | Children */
  inheritanceType: z.enum(["None", "All", "Descendents", "SelfAndChildren", "Children"]),
  /** lDAPDisplayName of the inherited object type ("group"), or null for all objects. */
  inheritedObjectType: z.string().nullable(),
  isInherited: z.boolean(),
});
export type AccessRule = z.infer<typeof accessRule>;

/**
 * The ACE Set-ADSyncUnifiedGroupWritebackPermissions grants (dsacls "GRGWCCDCSDDT;;group" /I:S):
 * generic read and write, create and delete child, delete, delete tree, on group objects below the target.
 */
export const WRITEBACK_ACCESS_RULE: AccessRule = {
  rights: ["CreateChild", "Delete", "DeleteChild", "DeleteTree", "GenericRead", "GenericWrite"],
  accessControlType: "Allow",
  inheritanceType: "Descendents",
  inheritedObjectType: "group",
  isInherited: false,
};

export const writtenBackGroup = z.strictObject({
  dn: z.string(),
  /** The cloud anchor in adminDescription: Group_<objectId>. */
  adminDescription: z.string(),
  cloudObjectId: z.string(),
  displayName: z.string(),
  groupScope: z.literal("Universal"),
  groupCategory: z.enum(["Distribution", "Security"]),
});
export type WrittenBackGroup = z.infer<typeof writtenBackGroup>;

export const pendingExport = z.strictObject({
  dn: z.string(),
  /** Object modification type as csexport reports it. */
  modification: z.enum(["add", "update", "delete"]),
  objectType: z.string(),
  cloudObjectId: z.string().nullable(),
  displayName: z.string().nullable(),
});
export type PendingExport = z.infer<typeof pendingExport>;

/** One cloud group named in a sample: its object id, display name, and its DN in AD when it is there. */
export const groupSampleEntry = z.strictObject({
  cloudObjectId: z.string(),
  displayName: z.string(),
  dn: z.string().nullable(),
});
export type GroupSampleEntry = z.infer<typeof groupSampleEntry>;

/** How many groups a set holds, and the first `sampleSize` of them (sorted by display name). */
export const groupSet = z.strictObject({
  count: z.number().int().nonnegative(),
  sample: z.array(groupSampleEntry),
});
export type GroupSet = z.infer<typeof groupSet>;

/**
 * The tenant's cloud-mastered groups as group writeback sees them (writebackConfiguration.isEnabled), and which
 * of them sit in the writeback OU. Microsoft 365 groups are opted out when isEnabled is false (null or true means
 * written back); security groups are opted in only when isEnabled is true. Deleted groups are not counted.
 */
export const cloudGroupWriteback = z.strictObject({
  microsoft365Groups: z.number().int().nonnegative(),
  /** Microsoft 365 groups with writebackConfiguration.isEnabled = false (v2 honours it, v1 alone ignores it). */
  optedOutMicrosoft365Groups: groupSet,
  securityGroups: z.number().int().nonnegative(),
  /** Security groups with writebackConfiguration.isEnabled = true (only v2 writes them back). */
  writebackEnabledSecurityGroups: z.number().int().nonnegative(),
  /** Written-back groups under the DN (adminDescription Group_<objectId>); null when no DN was given or it does not exist. */
  inOu: z
    .strictObject({
      /** Every written-back group under the DN (what listWrittenBackGroups lists), so one read serves both. */
      writtenBack: z.number().int().nonnegative(),
      /** Opted-out Microsoft 365 groups that are in AD anyway (v1 wrote them back before v2, or v2 froze them). */
      optedOutMicrosoft365: groupSet,
      /** Cloud security groups (only v2 writes these back; v1 alone deletes them). */
      security: groupSet,
    })
    .nullable(),
});
export type CloudGroupWriteback = z.infer<typeof cloudGroupWriteback>;
/** Who holds a pause window: "project/stack" of the Pulumi stack that opened it. */
export const windowOwner = z
  .string()
  .min(3)
  .max(256)
  .regex(/^[^/\p{Cc}]+\/[^\p{Cc}]+$/u, "project/stack");

/**
 * The pause-window marker entra-writeback keeps on the Entra Connect server while it has the sync scheduler
 * paused for a change (simulator: per server; real server: the registry, see docs/powershell-backend.md).
 * Times are the server's, ISO 8601 UTC.
 */
export const syncWindow = z.strictObject({
  owner: windowOwner,
  /** What the window is for, for messages: "enabling Group Writeback V2". */
  change: z.string().min(1).max(256),
  /** The change is followed by an Initial sync cycle inside the window (v1 was already configured). */
  initialCycle: z.boolean(),
  /**
   * A held window: kept open across several steps and resources (domain/syncWindow.ts, isHeldWindow). Absent on a
   * marker written before this field existed, which said so at the end of its `change` instead.
   */
  held: z.boolean().optional(),
  openedAtUtc: z.string(),
  /** After this the window is stale (its deployment died): another stack may take it over. */
  expiresAtUtc: z.string(),
});
export type SyncWindow = z.infer<typeof syncWindow>;

/** The Microsoft Entra ID connector's identifier, the same on every Entra Connect server (the -Connector of the documented rules). */
export const ENTRA_ID_CONNECTOR_ID = "b891884f-051e-4a83-95af-2544101c9083";

/** Custom sync rules take a precedence below this; Connect's own rules start here (https://learn.microsoft.com/en-us/entra/identity/hybrid/connect/how-to-connect-sync-best-practices-changing-default-configuration). */
export const CUSTOM_RULE_PRECEDENCE_LIMIT = 100;

/** A scoping condition of a sync rule (ScopeCondition: attribute, value, ComparisonOperator), as the rules editor offers them. */
export const syncRuleScopeCondition = z.strictObject({
  attribute: z.string().min(1).max(256),
  value: z.string().max(1024),
  operator: z.enum([
    "EQUAL",
    "NOTEQUAL",
    "LESSTHAN",
    "LESSTHAN_OR_EQUAL",
    "GREATERTHAN",
    "GREATERTHAN_OR_EQUAL",
    "CONTAINS",
    "NOTCONTAINS",
    "STARTSWITH",
    "NOTSTARTSWITH",
    "ENDSWITH",
    "NOTENDSWITH",
    "ISNULL",
    "ISNOTNULL",
    "ISIN",
    "ISNOTIN",
    "ISBITSET",
    "ISNOTBITSET",
    "ISMEMBEROF",
    "ISNOTMEMBEROF",
  ]),
});
export type SyncRuleScopeCondition = z.infer<typeof syncRuleScopeCondition>;

/** A join condition (JoinCondition: source attribute, metaverse attribute, case sensitive). */
export const syncRuleJoinCondition = z.strictObject({
  sourceAttribute: z.string().min(1).max(256),
  targetAttribute: z.string().min(1).max(256),
  caseSensitive: z.boolean(),
});
export type SyncRuleJoinCondition = z.infer<typeof syncRuleJoinCondition>;

/** An attribute flow mapping (Add-ADSyncAttributeFlowMapping): Direct and Expression flows take sources or an expression. */
export const syncRuleAttributeFlow = z.strictObject({
  destination: z.string().min(1).max(256),
  flowType: z.enum(["Direct", "Constant", "Expression"]),
  /** Source attributes (Direct), the constant value (Constant, one entry), empty for Expression. */
  source: z.array(z.string().min(1).max(256)),
  /** The expression (Expression); null otherwise. */
  expression: z.string().max(4096).nullable(),
  valueMergeType: z.enum(["Update", "Merge", "MergeCaseInsensitive"]),
});
export type SyncRuleAttributeFlow = z.infer<typeof syncRuleAttributeFlow>;

const syncRuleFields = {
  /** The rule's GUID (-Identifier). */
  identifier: z.guid(),
  name: z.string().min(1).max(256),
  description: z.string().max(1024),
  direction: z.enum(["Inbound", "Outbound"]),
  /** The connector's identifier (ENTRA_ID_CONNECTOR_ID for Entra ID). */
  connector: z.guid(),
  /** Object type in the connector space (inbound: source; outbound: target), e.g. group. */
  sourceObjectType: z.string().min(1).max(64),
  targetObjectType: z.string().min(1).max(64),
  linkType: z.enum(["Join", "Provision", "StickyJoin", "JoinNoFlow"]),
  /** Scoping filter: OR of groups, each an AND of conditions. */
  scopeFilter: z.array(z.array(syncRuleScopeCondition).min(1)),
  /** Join rules: OR of groups, each an AND of conditions. */
  joinFilter: z.array(z.array(syncRuleJoinCondition).min(1)),
  attributeFlowMappings: z.array(syncRuleAttributeFlow),
};

/** One synchronization rule as Get-ADSyncRule reports it, reduced to what the project reads. */
export const syncRule = z.strictObject({
  ...syncRuleFields,
  precedence: z.number().int().nonnegative(),
  disabled: z.boolean(),
  /** Microsoft's tag on the rules Connect ships ("Microsoft.…"); null on custom rules. */
  immutableTag: z.string().nullable(),
});
export type SyncRule = z.infer<typeof syncRule>;

/** A custom rule to create: precedence unique and below CUSTOM_RULE_PRECEDENCE_LIMIT, as Microsoft's procedures ask. */
export const newSyncRuleArgs = z.strictObject({
  ...syncRuleFields,
  precedence: z
    .number()
    .int()
    .min(0)
    .max(
      CUSTOM_RULE_PRECEDENCE_LIMIT - 1,
      `a custom sync rule takes a precedence from 0 to ${CUSTOM_RULE_PRECEDENCE_LIMIT - 1} (Connect's own rules start at ${CUSTOM_RULE_PRECEDENCE_LIMIT})`,
    ),
  disabled: z.boolean(),
});
export type NewSyncRuleArgs = z.infer<typeof newSyncRuleArgs>;

/**
 * A written-back security group with the two attributes the first step of Microsoft's migration to Cloud Sync reads
 * (https://learn.microsoft.com/en-us/entra/identity/hybrid/cloud-sync/migrate-group-writeback): the cloud anchor
 * Connect keeps in adminDescription, and msDS-ExternalDirectoryObjectID, by which Cloud Sync matches the group.
 */
export const groupDirectoryObjectId = z.strictObject({
  dn: z.string(),
  /** Group_<objectId>, as Entra Connect writes it. */
  adminDescription: z.string(),
  cloudObjectId: z.string(),
  displayName: z.string(),
  /** msDS-ExternalDirectoryObjectID; null when not set. */
  externalDirectoryObjectId: z.string().nullable(),
});
export type GroupDirectoryObjectId = z.infer<typeof groupDirectoryObjectId>;

/** The operations, by name. Adding one means adding it to both backends. */
export const operations = {
  getServerInfo: { args: none, result: serverInfo },
  getScheduler: { args: none, result: schedulerState },
  /**
   * getServerInfo, getScheduler and getCompanyFeatures in one round trip: what a refresh reads of the server
   * itself (the SchedulerState and the v2 resources), read once per deployment (see EntraConnectClient).
   */
  getServerState: {
    args: none,
    result: z.strictObject({ server: serverInfo, scheduler: schedulerState, features: companyFeatures }),
  },
  setSchedulerSyncCycleEnabled: {
    args: z.strictObject({ enabled: z.boolean() }),
    result: schedulerState,
  },
  /** Start-ADSyncSyncCycle; returns at once, the cycle runs in the background. */
  startSyncCycle: {
    args: z.strictObject({ policyType: syncPolicyType }),
    result: z.strictObject({ result: z.literal("Success") }),
  },
  /** The pause-window marker, if any, and the server's clock to judge its lease by. */
  getSyncWindow: {
    args: none,
    result: z.strictObject({ window: syncWindow.nullable(), serverTimeUtc: z.string() }),
  },
  /**
   * Opens the pause-window marker for `owner`. Refused (code Refused, naming the holder) while another owner's
   * window has not expired; an expired window, or the owner's own, is replaced and returned as `replaced`.
   */
  openSyncWindow: {
    args: z.strictObject({
      owner: windowOwner,
      change: z.string().min(1).max(256),
      initialCycle: z.boolean(),
      /** Open a held window (kept across steps, see syncWindow.held); absent: false. */
      held: z.boolean().optional(),
      leaseSeconds: z
        .number()
        .int()
        .min(60)
        .max(7 * 86_400),
    }),
    result: z.strictObject({ window: syncWindow, replaced: syncWindow.nullable() }),
  },
  /** Removes the marker if `owner` holds it; another owner's marker is left alone (closed: false). */
  closeSyncWindow: {
    args: z.strictObject({ owner: windowOwner }),
    result: z.strictObject({ closed: z.boolean() }),
  },
  getCompanyFeatures: { args: none, result: companyFeatures },
  setGroupWritebackV2: {
    args: z.strictObject({ enabled: z.boolean() }),
    result: companyFeatures,
  },
  getGroupWritebackV1Config: { args: none, result: groupWritebackV1Config },
  getSyncScope: { args: none, result: syncScope },
  getOrganizationalUnit: {
    args: z.strictObject({ dn: distinguishedName }),
    result: organizationalUnit,
  },
  /** New-ADOrganizationalUnit, always protected from accidental deletion. */
  newOrganizationalUnit: {
    args: z.strictObject({ name: ouName, parentDn: distinguishedName }),
    result: organizationalUnit,
  },
  /** Clears the protection, then Remove-ADOrganizationalUnit; refuses a non-empty OU unless recursive. */
  removeOrganizationalUnit: {
    args: z.strictObject({ dn: distinguishedName, recursive: z.boolean() }),
    result: z.strictObject({ removed: z.boolean() }),
  },
  /** The ACEs the account holds on the object (explicit and inherited). */
  getAccessRules: {
    args: z.strictObject({ dn: distinguishedName, accountDn: distinguishedName }),
    result: z.strictObject({ rules: z.array(accessRule) }),
  },
  /** Adds WRITEBACK_ACCESS_RULE for the account on the OU (no-op when already there). */
  grantWritebackAccess: {
    args: z.strictObject({ dn: distinguishedName, accountDn: distinguishedName }),
    result: z.strictObject({ rules: z.array(accessRule) }),
  },
  /** Removes exactly WRITEBACK_ACCESS_RULE for the account on the OU; leaves every other ACE. */
  revokeWritebackAccess: {
    args: z.strictObject({ dn: distinguishedName, accountDn: distinguishedName }),
    result: z.strictObject({ removed: z.number().int().nonnegative() }),
  },
  /** The documented forest-wide Set-ADSyncUnifiedGroupWritebackPermissions -ADConnectorAccountDN. */
  setForestWritebackPermissions: {
    args: z.strictObject({ accountDn: distinguishedName }),
    result: z.strictObject({ domainDns: z.array(z.string()) }),
  },
  /** Groups under the OU that carry a Group_<objectId> adminDescription. */
  listWrittenBackGroups: {
    args: z.strictObject({ dn: distinguishedName }),
    result: z.strictObject({ groups: z.array(writtenBackGroup) }),
  },
  /** Pending exports of group objects under the DN on the AD connector (csexport; staging mode). */
  listPendingExports: {
    args: z.strictObject({ dn: distinguishedName }),
    result: z.strictObject({ exports: z.array(pendingExport) }),
  },
  /** Read-only: the tenant's groups by writeback setting (Microsoft Graph), crossed with the groups under the DN. */
  getCloudGroupWriteback: {
    args: z.strictObject({
      dn: distinguishedName.nullable(),
      sampleSize: z.number().int().min(0).max(100),
    }),
    result: cloudGroupWriteback,
  },
  /** Get-ADSyncRule: every sync rule on the server, by precedence. */
  getSyncRules: { args: none, result: z.strictObject({ rules: z.array(syncRule) }) },
  /**
   * New-ADSyncRule, its scope, join and flow conditions, then Add-ADSyncRule. Refused (code Refused) when another
   * rule has the precedence or the identifier. Sets the full-sync flag: the next cycle is Initial.
   */
  newSyncRule: { args: newSyncRuleArgs, result: syncRule },
  /** Remove-ADSyncRule of a custom rule (Connect's own rules are disabled, not removed). Sets the full-sync flag. */
  removeSyncRule: {
    args: z.strictObject({ identifier: z.guid() }),
    result: z.strictObject({ removed: z.boolean() }),
  },
  /** Get-ADSyncRule, Disabled set, Add-ADSyncRule: how a rule is disabled or enabled again. Sets the full-sync flag when it changes. */
  setSyncRuleDisabled: {
    args: z.strictObject({ identifier: z.guid(), disabled: z.boolean() }),
    result: syncRule,
  },
  /**
   * Written-back security groups without mail under the DN (adminDescription Group_<objectId>; the mail-enabled ones
   * are Microsoft 365 groups, which stay with Connect) with their msDS-ExternalDirectoryObjectID, sorted by DN.
   */
  listGroupDirectoryObjectIds: {
    args: z.strictObject({ dn: distinguishedName }),
    result: z.strictObject({ groups: z.array(groupDirectoryObjectId) }),
  },
  /**
   * Copies adminDescription into msDS-ExternalDirectoryObjectID on every group listGroupDirectoryObjectIds lists
   * (step 1 of the migration to Cloud Sync). A group that already carries its adminDescription is skipped; a group
   * with another value refuses the whole call (code Refused, naming the groups) before anything is written.
   */
  copyGroupDirectoryObjectIds: {
    args: z.strictObject({ dn: distinguishedName }),
    result: z.strictObject({
      copied: z.number().int().nonnegative(),
      alreadySet: z.number().int().nonnegative(),
      /** The DNs of the first copied groups (at most 10). */
      sample: z.array(z.string()),
    }),
  },
} as const;

export type OperationName = keyof typeof operations;
export type OperationArgs<N extends OperationName> = z.input<(typeof operations)[N]["args"]>;
export type OperationResult<N extends OperationName> = z.output<(typeof operations)[N]["result"]>;
export const operationNames = Object.keys(operations) as OperationName[];
