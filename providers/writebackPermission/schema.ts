import { z } from "zod";
import { accessRule, distinguishedName } from "../../contract/contract";
import { defineResource } from "../common/defineResource";
import { commonInputs } from "../common/inputs";

export const writebackPermissionInputs = z.strictObject({
  ...commonInputs,
  /**
   * ou (default): the writeback ACE on the OU only, for the connector account (what
   * Set-ADSyncUnifiedGroupWritebackPermissions -ADObjectDN means to do; that cmdlet form throws for OUs).
   * forest: the documented forest-wide Set-ADSyncUnifiedGroupWritebackPermissions; cannot be undone by destroy.
   */
  permissions: z.enum(["ou", "forest"]).default("ou"),
  /** The writeback OU, on which the ACE is granted. */
  writebackOu: distinguishedName,
  /** The AD DS connector account (MSOL_...) that exports the groups. */
  connectorAccountDn: distinguishedName,
});
export type WritebackPermissionInputs = z.output<typeof writebackPermissionInputs>;

export const writebackPermissionOutputs = writebackPermissionInputs.extend({
  /** Live: the exact writeback ACE is present (explicit, on the OU or, for forest, on the domain root). */
  granted: z.boolean(),
  /** The DN the ACE sits on. */
  aclDn: z.string(),
  /** Every ACE the account holds there, for the record. */
  rules: z.array(accessRule),
});
export type WritebackPermissionOutputs = z.output<typeof writebackPermissionOutputs>;

export const writebackPermission = defineResource(
  "WritebackPermission",
  writebackPermissionInputs,
  writebackPermissionOutputs,
  // The stack config's names, in every layer since issue 10.
  { renamed: { ouDn: "writebackOu", accountDn: "connectorAccountDn", scope: "permissions" } },
);
