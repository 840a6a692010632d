import * as pulumi from "@pulumi/pulumi";
import type { SyncPolicyType } from "../../operations/contract";
import type { Target } from "../../operations/target";
import { ShellResource } from "../common/shell";
import { PROVIDER_VERSION } from "../common/version";

export interface SchedulerStateArgs {
  /** The Entra Connect server (stack config entra-writeback:target). */
  target: pulumi.Input<Target>;
  /** The scheduler's steady state. Default true; destroy never leaves it disabled. */
  syncCycleEnabled?: pulumi.Input<boolean>;
  /** active (default): the server must not be in staging mode; staging: it must be. */
  role?: pulumi.Input<"active" | "staging">;
  /** A sync cycle to start after this resource enabled the scheduler. Default none. */
  startSyncCycleAfterEnable?: pulumi.Input<SyncPolicyType | null>;
  /** How long to wait for a running sync cycle before giving up. Default 600 s. */
  syncIdleTimeoutSeconds?: pulumi.Input<number>;
  /** project/stack: whose pause windows are this stack's own when it finds one open (the component sets it). */
  stack?: pulumi.Input<string>;
}

/** The Entra Connect sync scheduler (Get-/Set-ADSyncScheduler) and the server's staging-mode role. */
export class SchedulerState extends ShellResource {
  declare readonly syncCycleEnabled: pulumi.Output<boolean>;
  declare readonly computerName: pulumi.Output<string>;
  declare readonly connectVersion: pulumi.Output<string>;
  declare readonly stagingModeEnabled: pulumi.Output<boolean>;
  declare readonly schedulerSuspended: pulumi.Output<boolean>;

  constructor(name: string, args: SchedulerStateArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "SchedulerState",
      name,
      {
        ...args,
        providerVersion: PROVIDER_VERSION,
        computerName: undefined,
        connectVersion: undefined,
        stagingModeEnabled: undefined,
        schedulerSuspended: undefined,
      },
      opts,
    );
  }
}
