// The operation contract: the only way providers talk to an Entra Connect server.
// Every operation has a zod schema for its arguments and one for its result; both backends
// (PowerShell for real servers, the simulator for the lab and the tests) implement exactly these.
import { z } from "zod";

export const distinguishedName = z
  .string()
  .trim()
  .min(3, "a distinguished name such as OU=Groups,DC=contoso,DC=com")
  .refine((dn) => /^[A-Za-z][A-Za-z0-9-]*=/.test(dn) && !dn.includes("\u0000") && !/[\r\n]/.test(dn), {
    message: "must be a distinguished name such as OU=Groups,DC=contoso,DC=com",
  });

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
    args: z.strictObject({ name: z.string().min(1).max(64), parentDn: distinguishedName }),
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
} as const;

export type OperationName = keyof typeof operations;
export type OperationArgs<N extends OperationName> = z.input<(typeof operations)[N]["args"]>;
export type OperationResult<N extends OperationName> = z.output<(typeof operations)[N]["result"]>;
export const operationNames = Object.keys(operations) as OperationName[];
