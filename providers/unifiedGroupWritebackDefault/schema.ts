// UnifiedGroupWritebackDefault: the tenant's Group.Unified directory setting value NewUnifiedGroupWritebackDefault,
// the writeback setting (writebackConfiguration.isEnabled) new Microsoft 365 groups get when their creation does not
// set one. Microsoft's "Modify Microsoft Entra Connect group writeback default behavior" sets it to false before
// group writeback is enabled.
import { z } from "zod";
import { defineResource } from "../common/defineResource";
import { commonInputs } from "../common/inputs";
import { preflightInputs } from "../common/preflight";

export const GROUP_UNIFIED = "Group.Unified";
export const NEW_UNIFIED_GROUP_WRITEBACK_DEFAULT = "NewUnifiedGroupWritebackDefault";

export const unifiedGroupWritebackDefaultInputs = z.strictObject({
  providerVersion: commonInputs.providerVersion,
  /** NewUnifiedGroupWritebackDefault: false (the documented step) means new Microsoft 365 groups are not written back. */
  newUnifiedGroupWritebackDefault: z.boolean().default(false),
  /** On destroy: `retain` leaves the tenant's value as it is; `restore` puts back the value found at create. */
  onDelete: z.enum(["retain", "restore"]).default("retain"),
  /** The Entra Connect server whose checks must pass before the tenant is changed (the component sets it). */
  target: commonInputs.target.optional(),
  /** The OU and connector account the later resources use: checked live before this tenant-wide change. */
  preflight: preflightInputs.optional(),
});
export type UnifiedGroupWritebackDefaultInputs = z.output<typeof unifiedGroupWritebackDefaultInputs>;

export const unifiedGroupWritebackDefaultOutputs = unifiedGroupWritebackDefaultInputs.extend({
  /** The id of the tenant's one Group.Unified directory setting. */
  settingId: z.string(),
  /**
   * The value before this resource first set it (what `onDelete: restore` puts back); null when the tenant had no
   * Group.Unified setting or no value in it (new groups were then written back, as with true).
   */
  previousValue: z.boolean().nullable(),
  /** This resource created the Group.Unified setting (with every template value) rather than updating one. */
  settingCreated: z.boolean(),
});
export type UnifiedGroupWritebackDefaultOutputs = z.output<typeof unifiedGroupWritebackDefaultOutputs>;

export const unifiedGroupWritebackDefault = defineResource(
  "UnifiedGroupWritebackDefault",
  unifiedGroupWritebackDefaultInputs,
  unifiedGroupWritebackDefaultOutputs,
);
