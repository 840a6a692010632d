import { z } from "zod";
import { type AccessRule, distinguishedName } from "../../operations/contract";
import { commonInputs } from "../common/inputs";

export const writebackPermissionInputs = z.strictObject({
  ...commonInputs,
  /**
   * ou (default): the writeback ACE on the OU only, for the connector account (what
   * Set-ADSyncUnifiedGroupWritebackPermissions -ADObjectDN means to do; that cmdlet form throws for OUs).
   * forest: the documented forest-wide Set-ADSyncUnifiedGroupWritebackPermissions; cannot be undone by destroy.
   */
  scope: z.enum(["ou", "forest"]).default("ou"),
  ouDn: distinguishedName,
  /** The AD DS connector account (MSOL_...) that exports the groups. */
  accountDn: distinguishedName,
});
export type WritebackPermissionInputs = z.output<typeof writebackPermissionInputs>;

export interface WritebackPermissionOutputs extends WritebackPermissionInputs {
  /** Live: the exact writeback ACE is present (explicit, on the OU or, for forest, on the domain root). */
  granted: boolean;
  /** The DN the ACE sits on. */
  aclDn: string;
  /** Every ACE the account holds there, for the record. */
  rules: AccessRule[];
}
