// CloudSyncMigrationStep: one step of the migration of Group Writeback V2 security groups to Cloud Sync
// (domain/cloudSyncMigration.ts has the steps and their order; docs/cloud-sync-migration.md the design). Each step
// is its own resource, created once: its create reads the server before it writes, so a rerun after an
// interruption repeats nothing that is done and finishes what is not.
import { z } from "zod";
import { CUSTOM_RULE_PRECEDENCE_LIMIT, distinguishedName } from "../../contract/contract";
import { NAMING_EXPRESSIONS, type Naming } from "../../domain/cloudSync";
import { MIGRATION_STEPS } from "../../domain/cloudSyncMigration";
import { defineResource } from "../common/defineResource";
import { commonInputs, deployingStack, syncIdleTimeoutSeconds } from "../common/inputs";
import { v1Inputs } from "../groupWritebackFeature/schema";

const customPrecedence = z
  .number()
  .int()
  .min(0)
  .max(
    CUSTOM_RULE_PRECEDENCE_LIMIT - 1,
    `a custom sync rule takes a precedence from 0 to ${CUSTOM_RULE_PRECEDENCE_LIMIT - 1}`,
  );
const precedence = customPrecedence.nullable().default(null);

/** How Cloud Sync will name and place the groups it takes over: its `cn` and `parentDistinguishedName` (from entra-writeback:cloudSync). */
export const cloudSyncMapping = z.strictObject({
  /** connect: Append("Group_", [objectId]); cloudSync: Cloud Sync's default (renames Connect's names). */
  naming: z.enum(Object.keys(NAMING_EXPRESSIONS) as [Naming, ...Naming[]]).default("cloudSync"),
  /** parentDistinguishedName: the OU Cloud Sync provisions to (with routing rules, their default OU); null: CN=Users. */
  targetOu: distinguishedName.nullable().default(null),
  /** The sAMAccountName mapping expression (null: unmapped, the groups keep theirs). */
  samAccountName: z.string().min(1).nullable().default(null),
  /** The OUs routing rules send groups to (besides targetOu, their default OU). */
  routedOus: z.array(distinguishedName).default([]),
});
export type CloudSyncMapping = z.output<typeof cloudSyncMapping>;

/** The unique precedences (0-99) of the two custom rules; null: the lowest free ones on the server. */
export const syncRulePrecedences = z.strictObject({ inbound: precedence, outbound: precedence });

export const cloudSyncMigrationStepInputs = z.strictObject({
  ...commonInputs,
  step: z.enum(MIGRATION_STEPS),
  /** The writeback OU: where the written-back groups are. */
  writebackOu: distinguishedName,
  /** The irreversible step runs only when this is true (entra-writeback:cloudSyncMigration.confirmDisableGroupWritebackV2). */
  confirmDisableGroupWritebackV2: z.boolean().default(false),
  cloudSync: cloudSyncMapping.default(() => cloudSyncMapping.parse({})),
  syncRulePrecedences: syncRulePrecedences.default(() => syncRulePrecedences.parse({})),
  syncIdleTimeoutSeconds,
  wizardWaitSeconds: v1Inputs.shape.wizardWaitSeconds,
  wizardPollSeconds: v1Inputs.shape.wizardPollSeconds,
  stack: deployingStack,
  /**
   * The irreversible step: the plan's migrated security groups (the component passes the plan step's ids), compared
   * with the server's written-back security groups before GroupWritebackV2 goes off; null: not compared.
   */
  migratedGroupIds: z.array(z.string()).nullable().default(null),
  /**
   * The plan step, once the migration has run: entra-writeback:cloudSync.allowRenameOrMove, which lets a changed
   * mapping rename or move the migrated groups (before Cloud Sync's own check knows them). Not compared in diff.
   */
  allowRenameOrMove: z.boolean().default(false),
  /** The irreversible step: the plan and copyDirectoryObjectIds steps' URNs, for the message that says to run them again. */
  planStepUrns: z.array(z.string()).default([]),
});
export type CloudSyncMigrationStepInputs = z.output<typeof cloudSyncMigrationStepInputs>;

const namedGroups = z.strictObject({
  count: z.number().int().nonnegative(),
  /** The first ones, "display name (DN)". */
  sample: z.array(z.string()),
});
export type NamedGroups = z.output<typeof namedGroups>;

/** What the migration will do, with counts read from the live server and tenant (the plan step's output). */
export const migrationPlan = z.strictObject({
  server: z.string(),
  writebackOu: z.string(),
  groupWritebackV2: z.boolean(),
  stagingModeEnabled: z.boolean(),
  /** The written-back security groups Cloud Sync takes over. */
  securityGroups: namedGroups,
  /** Their cloud object ids: the scope Cloud Sync gets. */
  securityGroupIds: z.array(z.string()),
  /** Of them, those Cloud Sync's default `cn` mapping would rename, and its default container would move. */
  renamedWithoutMapping: namedGroups,
  movedWithoutTargetOu: namedGroups,
  /** Those the declared mapping would rename or move (the stack refuses when any). */
  renamedByDeclaredMapping: namedGroups,
  movedByDeclaredTargetOu: namedGroups,
  /** msDS-ExternalDirectoryObjectID: to copy, already right, and held by another value (cannot be set). */
  directoryObjectIdsToCopy: z.number().int().nonnegative(),
  directoryObjectIdsAlreadySet: z.number().int().nonnegative(),
  directoryObjectIdConflicts: namedGroups,
  /** Every live Microsoft 365 group: v1 writes back all of them once GroupWritebackV2 is off. */
  microsoft365GroupsWrittenBackByV1: z.number().int().nonnegative(),
  /** Those opted out of writeback (isEnabled = false), written back all the same. */
  optedOutMicrosoft365GroupsWrittenBackByV1: namedGroups,
  /** Microsoft 365 groups in the OU now (the rest are added by v1). */
  microsoft365GroupsInOu: z.number().int().nonnegative(),
  confirmed: z.boolean(),
});
export type MigrationPlan = z.output<typeof migrationPlan>;

/** What the syncRules step chose on the server for the two custom rules. */
export const chosenSyncRules = z.strictObject({
  inbound: customPrecedence,
  outbound: customPrecedence,
  /** The identifier of the AD connector of group writeback (from "Out to AD - Group SOAInAAD"). */
  adConnector: z.string().min(1),
});
export type ChosenSyncRules = z.output<typeof chosenSyncRules>;

export const cloudSyncMigrationStepOutputs = cloudSyncMigrationStepInputs.extend({
  /** What the step found and did, one line. */
  summary: z.string(),
  /** The plan step: what the migration will do (null for the other steps). */
  plan: migrationPlan.nullable(),
  /**
   * The syncRules step: the precedences the two custom rules take and the AD connector of group writeback, which the
   * two SyncRule resources after it declare (null for the other steps).
   */
  syncRules: chosenSyncRules.nullable().default(null),
});
export type CloudSyncMigrationStepOutputs = z.output<typeof cloudSyncMigrationStepOutputs>;

export const cloudSyncMigrationStep = defineResource(
  "CloudSyncMigrationStep",
  cloudSyncMigrationStepInputs,
  cloudSyncMigrationStepOutputs,
);
