import * as pulumi from "@pulumi/pulumi";
import type { Target } from "../../operations/target";
import type { PreflightInputs } from "../common/preflight";
import { ShellResource } from "../common/shell";
import { PROVIDER_VERSION } from "../common/version";

export interface WritebackOuArgs {
  /** The Entra Connect server (stack config entra-writeback:target). */
  target: pulumi.Input<Target>;
  /** The OU's distinguished name, e.g. OU=Entra Writeback,OU=Groups,DC=contoso,DC=com. Changing it replaces the OU. */
  dn: pulumi.Input<string>;
  /** Let destroy delete the OU even when it holds objects (the written-back groups). Default false. */
  allowNonEmptyDelete?: pulumi.Input<boolean>;
  /** The OU and connector account the permission uses, checked live before the OU is created. */
  preflight?: pulumi.Input<PreflightInputs>;
}

/** The writeback OU in Active Directory, protected from accidental deletion; an existing OU is adopted. */
export class WritebackOU extends ShellResource {
  declare readonly dn: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly parentDn: pulumi.Output<string>;
  declare readonly protectedFromAccidentalDeletion: pulumi.Output<boolean>;
  declare readonly childCount: pulumi.Output<number>;
  declare readonly adopted: pulumi.Output<boolean>;

  constructor(name: string, args: WritebackOuArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "WritebackOU",
      name,
      {
        ...args,
        providerVersion: PROVIDER_VERSION,
        name: undefined,
        parentDn: undefined,
        protectedFromAccidentalDeletion: undefined,
        childCount: undefined,
        adopted: undefined,
      },
      opts,
    );
  }
}
