import { z } from "zod";
import { distinguishedName, type GroupSet, type PendingExport } from "../../operations/contract";
import { commonInputs, deployingStack, syncIdleTimeoutSeconds } from "../common/inputs";
import { preflightInputs } from "../common/preflight";

export const v2Inputs = z.strictObject({
  ...commonInputs,
  version: z.literal("v2"),
  /** enable: turn the tenant flag on when it is off; require: only verify that it is on. */
  mode: z.enum(["enable", "require"]).default("enable"),
  /** retain (default): destroy leaves the tenant-wide flag on; disable: the documented, irreversible disable. */
  onDelete: z.enum(["retain", "disable"]).default("retain"),
  syncIdleTimeoutSeconds,
  /** The OU and account the later resources use: checked live before the tenant-wide change (preflight.ts). */
  preflight: preflightInputs.optional(),
  stack: deployingStack,
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
  role: z.enum(["active", "staging"]).default("active"),
  /** 0: fail at once with the wizard steps; otherwise wait this long for an admin to do them. */
  wizardWaitSeconds: z.number().int().min(0).max(86_400).default(0),
  wizardPollSeconds: z.number().int().min(1).max(3600).default(10),
  /**
   * How many opted-out Microsoft 365 groups a person has reviewed and accepts in the OU (written back by v1 before
   * v2 was on). Above it, the resource is not converged.
   */
  acknowledgedOptedOutGroups: z.number().int().min(0).default(0),
  syncIdleTimeoutSeconds,
});

export const featureInputs = z.discriminatedUnion("version", [v2Inputs, v1Inputs]);
export type V2Inputs = z.output<typeof v2Inputs>;
export type V1Inputs = z.output<typeof v1Inputs>;
export type FeatureInputs = z.output<typeof featureInputs>;

export interface V2Outputs extends V2Inputs {
  enabled: boolean;
  connectVersion: string;
  adopted: boolean;
}

export interface PendingExportsReport {
  adds: number;
  updates: number;
  deletes: number;
  objects: PendingExport[];
}

export interface V1Outputs extends V1Inputs {
  /** Live: UnifiedGroupWriteback and Microsoft.OptionalFeature.GroupWriteBack both on. */
  configured: boolean;
  /** Live: Connector.GroupWriteBackContainerDn. */
  containerDn: string | null;
  /** Live: the display-name DN option. */
  displayNameDn: boolean;
  writtenBackGroupCount: number;
  pendingExports: PendingExportsReport | null;
  pendingManualSteps: string[];
  /**
   * Live, with v2 managed: opted-out Microsoft 365 groups in the OU (the current rules would not write them back);
   * null when not known (v2 skipped, v1 not configured, or the tenant could not be read).
   */
  optedOutGroupsInOu: GroupSet | null;
  /** What needs a person before this configuration is converged; empty when nothing does. */
  needsAttention: string[];
}
