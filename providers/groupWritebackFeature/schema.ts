import { z } from "zod";
import {
  distinguishedName,
  groupSet,
  groupWritebackV1Config,
  pendingExport,
  serverInfo,
} from "../../contract/contract";
import { defineResource } from "../common/defineResource";
import { commonInputs, deployingStack, syncIdleTimeoutSeconds } from "../common/inputs";
import { preflightInputs } from "../common/preflight";

const v2Fields = z.strictObject({
  ...commonInputs,
  version: z.literal("v2"),
  /**
   * enable: turn the tenant flag on when it is off; require: only verify that it is on. release (the component sets
   * it while entra-writeback:cloudSyncMigration is declared): the migration owns the flag; this resource only reads
   * and reports it, never writes it, shows no drift whether it is on or off, and its delete never turns it off
   * (onDelete must be retain). Not a value of entra-writeback:groupWritebackV2.
   */
  mode: z.enum(["enable", "require", "release"]).default("enable"),
  /** retain (default): destroy leaves the tenant-wide flag on; disable: the documented, irreversible disable. */
  onDelete: z.enum(["retain", "disable"]).default("retain"),
  /** How long to wait for a running sync cycle before the pause window. */
  syncIdleTimeoutSeconds,
  /** The OU and account the later resources use: checked live before the tenant-wide change (preflight.ts). */
  preflight: preflightInputs.optional(),
  /** project/stack: names this stack's pause window on the server (the component sets it). */
  stack: deployingStack,
});

export const v2Inputs = v2Fields.superRefine((inputs, context) => {
  if (inputs.mode === "release" && inputs.onDelete === "disable") {
    context.addIssue({
      code: "custom",
      path: ["onDelete"],
      message:
        'mode "release" leaves GroupWritebackV2 to the migration to Cloud Sync, which turns it off itself: onDelete ' +
        'must be "retain"',
    });
  }
});

export const v1Inputs = z.strictObject({
  ...commonInputs,
  version: z.literal("v1"),
  /** The OU the wizard must have as the writeback container. */
  writebackOu: distinguishedName,
  /** objectId: CN=Group_<objectId>; displayName: the wizard's display-name DN option. */
  dnFormat: z.enum(["objectId", "displayName"]).default("objectId"),
  /** Refuse unless GroupWritebackV2 is on (false only when the stack explicitly skips v2). */
  requireV2: z.boolean().default(true),
  /** active reports written-back groups; staging also reports the pending exports. */
  role: z.enum(["active", "staging"]).default("active"),
  /** 0: fail at once with the wizard steps; otherwise wait this long for an admin to do them. */
  wizardWaitSeconds: z.number().int().min(0).max(86_400).default(0),
  /** How often to look for the wizard step while waiting. */
  wizardPollSeconds: z.number().int().min(1).max(3600).default(10),
  /**
   * How many opted-out Microsoft 365 groups a person has reviewed and accepts in the OU (written back by v1 before
   * v2 was on). Above it, the resource is not converged.
   */
  acknowledgedOptedOutGroups: z.number().int().min(0).default(0),
  /** How long to wait for a running sync cycle. */
  syncIdleTimeoutSeconds,
  /**
   * The stack declares no defaults (the component sets it): until v1 is in the stack's state, check warns how many
   * existing Microsoft 365 groups group writeback will write back. Not compared in diff.
   */
  warnWithoutDefaults: z.boolean().default(false),
  /**
   * The stack migrated its security groups to Cloud Sync (entra-writeback:cloudSyncMigration; the component sets it):
   * GroupWritebackV2 is off because the migration turned it off, after its plan said what v1 then writes back, so
   * check does not warn about v1 alone as it does for groupWritebackV2 skip. Not compared in diff.
   */
  migratedToCloudSync: z.boolean().default(false),
});

export const featureInputs = z.discriminatedUnion("version", [v2Inputs, v1Inputs]);
export type V2Inputs = z.output<typeof v2Inputs>;
export type V1Inputs = z.output<typeof v1Inputs>;
export type FeatureInputs = z.output<typeof featureInputs>;

export const v2Outputs = v2Fields.extend({
  /** v2: whether GroupWritebackV2 is on. */
  enabled: z.boolean(),
  connectVersion: serverInfo.shape.connectVersion,
  /** v2: the flag was already on and adopted. */
  adopted: z.boolean(),
});
export type V2Outputs = z.output<typeof v2Outputs>;

export const pendingExportsReport = z.strictObject({
  adds: z.number(),
  updates: z.number(),
  deletes: z.number(),
  objects: z.array(pendingExport),
});
export type PendingExportsReport = z.output<typeof pendingExportsReport>;

export const v1Outputs = v1Inputs.extend({
  /** v1, live: UnifiedGroupWriteback and Microsoft.OptionalFeature.GroupWriteBack both on (the wizard enabled it). */
  configured: z.boolean(),
  /** v1, live: Connector.GroupWriteBackContainerDn. */
  containerDn: groupWritebackV1Config.shape.containerDn,
  /** v1, live: the display-name DN option. */
  displayNameDn: groupWritebackV1Config.shape.displayNameDn,
  writtenBackGroupCount: z.number(),
  pendingExports: pendingExportsReport.nullable(),
  pendingManualSteps: z.array(z.string()),
  /**
   * v1, live, with v2 managed: opted-out Microsoft 365 groups in the OU (the current rules would not write them
   * back); null when not known (v2 skipped, v1 not configured, or the tenant could not be read).
   */
  optedOutGroupsInOu: groupSet.nullable(),
  /** v1: what needs a person before this configuration is converged; empty when nothing does. */
  needsAttention: z.array(z.string()),
});
export type V1Outputs = z.output<typeof v1Outputs>;

export const featureOutputs = z.discriminatedUnion("version", [v2Outputs, v1Outputs]);

export const groupWritebackFeature = defineResource("GroupWritebackFeature", featureInputs, featureOutputs);
