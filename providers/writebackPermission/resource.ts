import * as pulumi from "@pulumi/pulumi";
import type { AccessRule } from "../../operations/contract";
import type { Target } from "../../operations/target";
import { ShellResource } from "../common/shell";
import { PROVIDER_VERSION } from "../common/version";

export interface WritebackPermissionArgs {
  /** The Entra Connect server (stack config entra-writeback:target). */
  target: pulumi.Input<Target>;
  /** ou (default): one ACE on the writeback OU; forest: the documented forest-wide cmdlet (no undo). */
  scope?: pulumi.Input<"ou" | "forest">;
  /** The writeback OU. */
  ouDn: pulumi.Input<string>;
  /** The AD DS connector account (CN=MSOL_...) that exports the written-back groups. */
  accountDn: pulumi.Input<string>;
}

/**
 * The connector account's group writeback rights: generic read/write, create/delete child, delete and
 * delete tree on group objects below the OU (the ACE Set-ADSyncUnifiedGroupWritebackPermissions grants).
 */
export class WritebackPermission extends ShellResource {
  declare readonly granted: pulumi.Output<boolean>;
  declare readonly aclDn: pulumi.Output<string>;
  declare readonly rules: pulumi.Output<AccessRule[]>;

  constructor(name: string, args: WritebackPermissionArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "WritebackPermission",
      name,
      { ...args, providerVersion: PROVIDER_VERSION, granted: undefined, aclDn: undefined, rules: undefined },
      opts,
    );
  }
}
