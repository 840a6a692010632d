// CloudSyncMigration: Microsoft's migration of Group Writeback V2 security groups to Cloud Sync
// (https://learn.microsoft.com/en-us/entra/identity/hybrid/cloud-sync/migrate-group-writeback) as a chain of
// resources, one per step, in the documented order (domain/cloudSyncMigration.ts): each depends on the one before, so
// `pulumi up` runs them in order and stops at the first that cannot go on (a wizard step, the confirmation of the
// irreversible step); the next `up` starts where it stopped. Step 7, Cloud Sync itself, is the Cloud Sync component
// (components/cloudSync.ts), which GroupWriteback declares after the last step. docs/cloud-sync-migration.md explains the design.
import * as pulumi from "@pulumi/pulumi";
import type { Target } from "../contract/target";
import { MIGRATION_STEPS, type MigrationStep } from "../domain/cloudSyncMigration";
import { CloudSyncMigrationStep } from "../providers/cloudSyncMigration/resource";
import type { CloudSyncMigrationStepInputs, MigrationPlan } from "../providers/cloudSyncMigration/schema";

export interface CloudSyncMigrationArgs {
  target: pulumi.Input<Target>;
  /** The writeback OU, where the written-back groups are. */
  writebackOu: pulumi.Input<string>;
  /** project/stack: the owner of the migration's pause window on the server. */
  stack: string;
  /** The irreversible step (GroupWritebackV2 off) runs only when true. */
  confirmDisableGroupWritebackV2?: pulumi.Input<boolean>;
  /** How Cloud Sync will name and place the groups (from entra-writeback:cloudSync: naming, targetOu). */
  cloudSync?: pulumi.Input<Partial<CloudSyncMigrationStepInputs["cloudSync"]>>;
  /** The precedences of the two custom sync rules (null or absent: the lowest free ones). */
  syncRulePrecedences?: pulumi.Input<Partial<CloudSyncMigrationStepInputs["syncRulePrecedences"]>>;
  syncIdleTimeoutSeconds?: pulumi.Input<number>;
  wizardWaitSeconds?: pulumi.Input<number>;
  wizardPollSeconds?: pulumi.Input<number>;
}

/** Which settings each step reads: a change to another one is no change to the step. */
const STEP_SETTINGS: Partial<Record<MigrationStep, readonly ("confirm" | "cloudSync" | "precedences")[]>> = {
  plan: ["confirm", "cloudSync"],
  syncRules: ["precedences"],
  // The irreversible step puts back a rule removed since steps 3 and 4, with the declared precedence.
  disableGroupWritebackV2: ["confirm", "precedences"],
};

export class CloudSyncMigration extends pulumi.ComponentResource {
  /** What the migration will do, with live counts (the plan step's output). */
  readonly plan: pulumi.Output<MigrationPlan | null>;
  /** The migrated security groups' object ids, once the last step is done: Cloud Sync's scope. */
  readonly migratedGroupIds: pulumi.Output<string[]>;
  /** Each step and what it found and did, in order. */
  readonly steps: pulumi.Output<{ step: string; summary: string }[]>;
  /** The last step: what comes after the migration depends on it. */
  readonly last: CloudSyncMigrationStep;

  constructor(name: string, args: CloudSyncMigrationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("entra-writeback:index:CloudSyncMigration", name, {}, opts);
    const made: CloudSyncMigrationStep[] = [];
    let previous: CloudSyncMigrationStep | undefined;
    for (const step of MIGRATION_STEPS) {
      const settings = STEP_SETTINGS[step] ?? [];
      const resource: CloudSyncMigrationStep = new CloudSyncMigrationStep(
        `${name}-${step}`,
        {
          target: args.target,
          step,
          writebackOu: args.writebackOu,
          stack: args.stack,
          ...(settings.includes("confirm") && args.confirmDisableGroupWritebackV2 !== undefined
            ? { confirmDisableGroupWritebackV2: args.confirmDisableGroupWritebackV2 }
            : {}),
          ...(settings.includes("cloudSync") && args.cloudSync !== undefined
            ? { cloudSync: args.cloudSync }
            : {}),
          ...(settings.includes("precedences") && args.syncRulePrecedences !== undefined
            ? { syncRulePrecedences: args.syncRulePrecedences }
            : {}),
          ...(args.syncIdleTimeoutSeconds !== undefined
            ? { syncIdleTimeoutSeconds: args.syncIdleTimeoutSeconds }
            : {}),
          ...(args.wizardWaitSeconds !== undefined ? { wizardWaitSeconds: args.wizardWaitSeconds } : {}),
          ...(args.wizardPollSeconds !== undefined ? { wizardPollSeconds: args.wizardPollSeconds } : {}),
        } as ConstructorParameters<typeof CloudSyncMigrationStep>[1],
        { parent: this, dependsOn: previous ? [previous] : [] },
      );
      made.push(resource);
      previous = resource;
    }
    this.last = previous as CloudSyncMigrationStep;
    this.plan = (made[0] as CloudSyncMigrationStep).plan.apply((plan) => plan ?? null);
    // Resolved only when the last step is done, so what takes these ids waits for the whole migration.
    this.migratedGroupIds = pulumi
      .all([this.plan, this.last.summary])
      .apply(([plan]) => plan?.securityGroupIds ?? []);
    this.steps = pulumi
      .all(made.map((resource) => pulumi.all([resource.step, resource.summary])))
      .apply((pairs) => pairs.map(([step, summary]) => ({ step, summary })));
    this.registerOutputs({ plan: this.plan, steps: this.steps });
  }
}
