import { z } from "zod";
import { distinguishedName, ouName } from "../../operations/contract";
import { DistinguishedNameError } from "../../operations/dn";
import { splitOuDn } from "../common/dn";
import { commonInputs } from "../common/inputs";
import { preflightInputs } from "../common/preflight";

export const writebackOuInputs = z.strictObject({
  ...commonInputs,
  /** The OU's distinguished name; it must start with OU= and lie inside the connector's sync scope. */
  dn: distinguishedName.superRefine((dn, context) => {
    let name: string;
    try {
      name = splitOuDn(dn).name;
    } catch (error) {
      // Malformed DN text is reported once, by distinguishedName.
      if (!(error instanceof DistinguishedNameError))
        context.addIssue({ code: "custom", message: (error as Error).message });
      return;
    }
    const named = ouName.safeParse(name);
    if (!named.success) {
      context.addIssue({ code: "custom", message: `"${dn}": ${named.error.issues[0]?.message}` });
    }
  }),
  /** Destroy refuses a non-empty OU unless this is true (it would delete the written-back groups in it). */
  allowNonEmptyDelete: z.boolean().default(false),
  /** The OU and account the permission resource uses: checked live before the OU is created (preflight.ts). */
  preflight: preflightInputs.optional(),
});
export type WritebackOuInputs = z.output<typeof writebackOuInputs>;

export interface WritebackOuOutputs extends WritebackOuInputs {
  name: string;
  parentDn: string;
  protectedFromAccidentalDeletion: boolean;
  childCount: number;
  /** The OU existed before this resource was created: it is adopted, and destroy leaves it in place. */
  adopted: boolean;
}
