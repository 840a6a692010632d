// CloudSyncMigration: Microsoft's migration of Group Writeback V2 security groups to Cloud Sync
// (https://learn.microsoft.com/en-us/entra/identity/hybrid/cloud-sync/migrate-group-writeback) as a chain of
// resources, one per step, in the documented order (domain/cloudSyncMigration.ts): each depends on the one before, so
// `pulumi up` runs them in order and stops at the first that cannot go on (a wizard step, the confirmation of the
// irreversible step); the next `up` starts where it stopped. Step 7, Cloud Sync itself, is the Cloud Sync component
// (components/cloudSync.ts), which GroupWriteback declares after the last step. docs/cloud-sync-migration.md explains the design.
import * as pulumi from "@pulumi/pulumi";
import type { Target } from "../contract/target";
import { MIGRATION_STEPS, type MigrationStep } from "../domain/cloudSyncMigration";
import {
  NO_FLOW_INBOUND_RULE_NAME,
  NO_FLOW_OUTBOUND_RULE_NAME,
  noFlowInboundRule,
  noFlowOutboundRule,
} from "../domain/groupWritebackRules";
import type { NewSyncRuleArgs } from "../contract/contract";
import { CloudSyncMigrationStep } from "../providers/cloudSyncMigration/resource";
import { SyncRule } from "../providers/syncRule/resource";
import type {
  ChosenSyncRules,
  CloudSyncMigrationStepInputs,
  MigrationPlan,
} from "../providers/cloudSyncMigration/schema";

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
  /** entra-writeback:cloudSync.allowRenameOrMove: once the migration has run, lets a changed mapping rename or move. */
  allowRenameOrMove?: pulumi.Input<boolean>;
  /** The precedences of the two custom sync rules (null or absent: the lowest free ones). */
  syncRulePrecedences?: pulumi.Input<Partial<CloudSyncMigrationStepInputs["syncRulePrecedences"]>>;
  syncIdleTimeoutSeconds?: pulumi.Input<number>;
  wizardWaitSeconds?: pulumi.Input<number>;
  wizardPollSeconds?: pulumi.Input<number>;
}

/** Which settings each step reads: a change to another one is no change to the step. */
const STEP_SETTINGS: Partial<
  Record<MigrationStep, readonly ("confirm" | "cloudSync" | "precedences" | "allowRenameOrMove")[]>
> = {
  plan: ["confirm", "cloudSync", "allowRenameOrMove"],
  syncRules: ["precedences"],
  // The irreversible step puts back a rule removed since steps 3 and 4 at the precedence its SyncRule resource has:
  // the one the syncRules step chose (below), not the declared one.
  disableGroupWritebackV2: ["confirm"],
};

/**
 * The two cloudNoFlow rules as SyncRule declares them (name, Disabled, the definition), with what the syncRules step
 * chose on the server: Microsoft's tables (domain/groupWritebackRules.ts) at those precedences, on that AD connector.
 */
export function cloudNoFlowRules(chosen: ChosenSyncRules): {
  inbound: { name: string; disabled: boolean; definition: Omit<NewSyncRuleArgs, "name" | "disabled"> };
  outbound: { name: string; disabled: boolean; definition: Omit<NewSyncRuleArgs, "name" | "disabled"> };
} {
  const split = ({ name, disabled, ...definition }: NewSyncRuleArgs) => ({ name, disabled, definition });
  return {
    inbound: split(noFlowInboundRule(chosen.inbound)),
    outbound: split(noFlowOutboundRule(chosen.outbound, chosen.adConnector)),
  };
}

/** The plan output's status once every step is done. */
export const MIGRATION_DONE_STATUS =
  "done: every step of the migration ran; the counts above were read before it ran (GroupWritebackV2, staging mode " +
  "and the identifiers to copy have changed since), see docs/cloud-sync-migration.md";

/** The syncRules step's choice; a step stored before it had one cannot declare the rules, and says what to do. */
function chosenOf(chosen: ChosenSyncRules | null | undefined): ChosenSyncRules {
  if (chosen) return chosen;
  // An update of the step reads them from the server (providers/cloudSyncMigration/provider.ts); only a deployment
  // that leaves the step out (--target) gets here.
  throw new pulumi.RunError(
    "CloudSyncMigration: the syncRules step in this stack's state has no chosen precedences (it was made by an " +
      "earlier version of the project), and this deployment does not update it. Run pulumi up without --target: " +
      "the step reads the two rules' precedences from the server and changes nothing on it.",
  );
}

export class CloudSyncMigration extends pulumi.ComponentResource {
  /** What the migration will do, with live counts (the plan step's output). */
  readonly plan: pulumi.Output<MigrationPlan | null>;
  /**
   * The plan as the stack output shows it: once the last step is done, `status` says that its counts are the ones
   * read before the migration ran (GroupWritebackV2, staging mode and the identifiers to copy have changed since).
   */
  readonly planOutput: pulumi.Output<(MigrationPlan & { status: string }) | null>;
  /** The migrated security groups' object ids, once the last step is done: Cloud Sync's scope. */
  readonly migratedGroupIds: pulumi.Output<string[]>;
  /** Each step and what it found and did, in order. */
  readonly steps: pulumi.Output<{ step: string; summary: string }[]>;
  /** The last step: what comes after the migration depends on it. */
  readonly last: CloudSyncMigrationStep;
  /** Steps 3 and 4: the two cloudNoFlow rules, made inside the migration's held window (domain/syncWindow.ts). */
  readonly rules: { inbound: SyncRule; outbound: SyncRule };

  constructor(name: string, args: CloudSyncMigrationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("entra-writeback:index:CloudSyncMigration", name, {}, opts);
    const made: CloudSyncMigrationStep[] = [];
    let previous: pulumi.Resource | undefined;
    let rules: CloudSyncMigration["rules"] | undefined;
    let chosen: pulumi.Output<ChosenSyncRules> | undefined;
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
          ...(settings.includes("allowRenameOrMove") && args.allowRenameOrMove !== undefined
            ? { allowRenameOrMove: args.allowRenameOrMove }
            : {}),
          ...(settings.includes("precedences") && args.syncRulePrecedences !== undefined
            ? { syncRulePrecedences: args.syncRulePrecedences }
            : {}),
          ...(step === "disableGroupWritebackV2" && chosen
            ? { syncRulePrecedences: chosen.apply(({ inbound, outbound }) => ({ inbound, outbound })) }
            : {}),
          // The irreversible step compares the server's written-back groups with the plan's, and says how to read
          // the plan again (and copy the new groups' identifiers) when they differ.
          ...(step === "disableGroupWritebackV2"
            ? {
                migratedGroupIds: made[0]!.plan.apply((plan) => plan?.securityGroupIds ?? null),
                planStepUrns: [made[0]!.urn, made[1]!.urn],
              }
            : {}),
          ...(args.syncIdleTimeoutSeconds !== undefined
            ? { syncIdleTimeoutSeconds: args.syncIdleTimeoutSeconds }
            : {}),
          ...(args.wizardWaitSeconds !== undefined ? { wizardWaitSeconds: args.wizardWaitSeconds } : {}),
          ...(args.wizardPollSeconds !== undefined ? { wizardPollSeconds: args.wizardPollSeconds } : {}),
        } as ConstructorParameters<typeof CloudSyncMigrationStep>[1],
        // The first step waits for what the migration waits for (the component's: the released v2 resource's update).
        { parent: this, dependsOn: previous ? [previous] : (opts?.dependsOn ?? []) },
      );
      made.push(resource);
      previous = resource;
      if (step === "syncRules") {
        // The step read the server and chose the precedences and the AD connector; the rules themselves are
        // SyncRule resources, in the documented order, inside the window the migration holds (no pause of their
        // own: the scheduler stays off until schedulerOn). Destroy retains them, as the migration's page leaves them.
        chosen = resource.syncRules.apply(chosenOf);
        const declared = chosen.apply(cloudNoFlowRules);
        const ruleArgs = (which: "inbound" | "outbound") => ({
          target: args.target,
          name: which === "inbound" ? NO_FLOW_INBOUND_RULE_NAME : NO_FLOW_OUTBOUND_RULE_NAME,
          disabled: false,
          definition: declared.apply((rules) => rules[which].definition),
          onDelete: "retain" as const,
          stack: args.stack,
          ...(args.syncIdleTimeoutSeconds !== undefined
            ? { syncIdleTimeoutSeconds: args.syncIdleTimeoutSeconds }
            : {}),
        });
        const inbound = new SyncRule(`${name}-rule-inbound`, ruleArgs("inbound"), {
          parent: this,
          dependsOn: [resource],
        });
        const outbound = new SyncRule(`${name}-rule-outbound`, ruleArgs("outbound"), {
          parent: this,
          dependsOn: [inbound],
        });
        rules = { inbound, outbound };
        previous = outbound;
      }
    }
    this.rules = rules!;
    this.last = made[made.length - 1] as CloudSyncMigrationStep;
    this.plan = (made[0] as CloudSyncMigrationStep).plan.apply((plan) => plan ?? null);
    // Resolved only when the last step is done, so what takes these ids waits for the whole migration.
    this.migratedGroupIds = pulumi
      .all([this.plan, this.last.summary])
      .apply(([plan]) => plan?.securityGroupIds ?? []);
    this.planOutput = pulumi
      .all([this.plan, this.last.summary])
      .apply(([plan]) => (plan ? { ...plan, status: MIGRATION_DONE_STATUS } : null));
    this.steps = pulumi
      .all(made.map((resource) => pulumi.all([resource.step, resource.summary])))
      .apply((pairs) => pairs.map(([step, summary]) => ({ step, summary })));
    this.registerOutputs({ plan: this.plan, steps: this.steps });
  }
}
