import * as pulumi from "@pulumi/pulumi";
import type { GroupSet } from "../../operations/contract";
import type { Target } from "../../operations/target";
import type { PreflightInputs } from "../common/preflight";
import { ShellResource } from "../common/shell";
import { PROVIDER_VERSION } from "../common/version";
import type { PendingExportsReport } from "./schema";

interface CommonArgs {
  /** The Entra Connect server (stack config entra-writeback:target). */
  target: pulumi.Input<Target>;
  /** How long to wait for a running sync cycle. Default 600 s. */
  syncIdleTimeoutSeconds?: pulumi.Input<number>;
}

export interface GroupWritebackV2Args extends CommonArgs {
  version: "v2";
  /** enable (default): turn GroupWritebackV2 on when it is off; require: only verify it is on. */
  mode?: pulumi.Input<"enable" | "require">;
  /** retain (default): destroy leaves the tenant-wide flag on; disable: turn it off (irreversible). */
  onDelete?: pulumi.Input<"retain" | "disable">;
  /** The OU and connector account the later resources use, checked live before the tenant-wide change. */
  preflight?: pulumi.Input<PreflightInputs>;
  /** project/stack: names this stack's pause window on the server (the component sets it). */
  stack?: pulumi.Input<string>;
}

export interface GroupWritebackV1Args extends CommonArgs {
  version: "v1";
  /** The writeback OU the wizard must have selected. */
  writebackOu: pulumi.Input<string>;
  /** objectId (default): CN=Group_<objectId>; displayName: the wizard's display-name DN option. */
  dnFormat?: pulumi.Input<"objectId" | "displayName">;
  /**
   * Refuse unless GroupWritebackV2 is on. Default true; false only when the stack explicitly skips v2,
   * accepting that v1 alone writes back every Microsoft 365 group.
   */
  requireV2?: pulumi.Input<boolean>;
  /** active (default) reports written-back groups; staging also reports the pending exports. */
  role?: pulumi.Input<"active" | "staging">;
  /** 0 (default): fail with the wizard steps when they are missing; otherwise wait this long for them. */
  wizardWaitSeconds?: pulumi.Input<number>;
  /** How often to look for the wizard step while waiting. Default 10 s. */
  wizardPollSeconds?: pulumi.Input<number>;
  /** Opted-out Microsoft 365 groups a person accepts in the OU (written back before v2 was on). Default 0. */
  acknowledgedOptedOutGroups?: pulumi.Input<number>;
}

export type GroupWritebackFeatureArgs = GroupWritebackV2Args | GroupWritebackV1Args;

/**
 * Group writeback: v2 is the tenant-wide GroupWritebackV2 flag (set with the scheduler paused); v1 is the
 * wizard's configuration, which this resource verifies (and waits for) but never changes itself.
 */
export class GroupWritebackFeature extends ShellResource {
  declare readonly version: pulumi.Output<"v1" | "v2">;
  /** v2: whether GroupWritebackV2 is on. */
  declare readonly enabled: pulumi.Output<boolean | undefined>;
  declare readonly connectVersion: pulumi.Output<string | undefined>;
  /** v2: the flag was already on and adopted. */
  declare readonly adopted: pulumi.Output<boolean | undefined>;
  /** v1: the wizard enabled group writeback. */
  declare readonly configured: pulumi.Output<boolean | undefined>;
  declare readonly containerDn: pulumi.Output<string | null | undefined>;
  declare readonly displayNameDn: pulumi.Output<boolean | undefined>;
  declare readonly writtenBackGroupCount: pulumi.Output<number | undefined>;
  declare readonly pendingExports: pulumi.Output<PendingExportsReport | null | undefined>;
  declare readonly pendingManualSteps: pulumi.Output<string[] | undefined>;
  /** v1: opted-out Microsoft 365 groups in the OU (count and sample), when v2 is managed. */
  declare readonly optedOutGroupsInOu: pulumi.Output<GroupSet | null | undefined>;
  /** v1: what needs a person before the configuration is converged. */
  declare readonly needsAttention: pulumi.Output<string[] | undefined>;

  constructor(name: string, args: GroupWritebackFeatureArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs =
      args.version === "v2"
        ? { enabled: undefined, connectVersion: undefined, adopted: undefined }
        : {
            configured: undefined,
            containerDn: undefined,
            displayNameDn: undefined,
            writtenBackGroupCount: undefined,
            pendingExports: undefined,
            pendingManualSteps: undefined,
            optedOutGroupsInOu: undefined,
            needsAttention: undefined,
          };
    super("GroupWritebackFeature", name, { ...args, providerVersion: PROVIDER_VERSION, ...outputs }, opts);
  }
}
