import { z } from "zod";
import { distinguishedName, organizationalUnit, ouName } from "../../contract/contract";
import { DistinguishedNameError } from "../../domain/dn";
import { defineResource } from "../common/defineResource";
import { splitOuDn } from "../common/dn";
import { commonInputs } from "../common/inputs";
import { preflightInputs } from "../common/preflight";

export const writebackOuInputs = z.strictObject({
  ...commonInputs,
  /** The OU's distinguished name; it must start with OU= and lie inside the connector's sync scope. */
  writebackOu: distinguishedName.superRefine((dn, context) => {
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
  allowNonEmptyOuDeletion: z.boolean().default(false),
  /** The OU and account the permission resource uses: checked live before the OU is created (preflight.ts). */
  preflight: preflightInputs.optional(),
});
export type WritebackOuInputs = z.output<typeof writebackOuInputs>;

/** The OU as getOrganizationalUnit reports it (the contract). */
const liveOu = organizationalUnit.options[1].shape;

export const writebackOuOutputs = writebackOuInputs.extend({
  /** The OU's name (its first RDN value). */
  name: liveOu.name,
  /** The DN of the OU's parent. */
  parentDn: z.string(),
  protectedFromAccidentalDeletion: liveOu.protectedFromAccidentalDeletion,
  /** Objects in the OU, normally the written-back groups. */
  childCount: liveOu.childCount,
  /** The OU existed before this resource was created: it is adopted, and destroy leaves it in place. */
  adopted: z.boolean(),
});
export type WritebackOuOutputs = z.output<typeof writebackOuOutputs>;

export const writebackOu = defineResource("WritebackOU", writebackOuInputs, writebackOuOutputs, {
  // The OU's DN has one name in every layer (stack config, component, resources) since issue 10.
  renamed: { dn: "writebackOu", allowNonEmptyDelete: "allowNonEmptyOuDeletion" },
});
