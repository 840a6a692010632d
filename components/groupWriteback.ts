// GroupWriteback: one writeback configuration for one Entra Connect server, in Microsoft's documented order:
// [the tenant default, then the opt-outs, when `defaults` is declared (no tenant default when only its Connect-side
// keys are and Graph is not configured)] -> scheduler (steady state enabled) -> [the delete rule, in its own pause
// window] -> v2 (inside its own pause/resume window) -> OU -> permission -> v1 (the wizard step, verified) -> [the
// member limit rule disabled]. v1 can never come before v2 unless the stack explicitly skips v2. With
// `cloudSyncMigration`, the v2 resource in release mode (it only reads the flag) and the migration's steps come first
// (docs/cloud-sync-migration.md).
import * as pulumi from "@pulumi/pulumi";
import type { Target } from "../contract/target";
import { defaultOf } from "../providers/common/defineResource";
import type { PreflightInputs } from "../providers/common/preflight";
import { GroupWritebackFeature } from "../providers/groupWritebackFeature/resource";
import { GroupWritebackOptOut } from "../providers/groupWritebackOptOut/resource";
import type { OptOutSelectionInput } from "../providers/groupWritebackOptOut/schema";
import type { PendingExportsReport } from "../providers/groupWritebackFeature/schema";
import { SchedulerState } from "../providers/schedulerState/resource";
import { SyncRule } from "../providers/syncRule/resource";
import { syncRuleInputs } from "../providers/syncRule/schema";
import { UnifiedGroupWritebackDefault } from "../providers/unifiedGroupWritebackDefault/resource";
import { WritebackOU } from "../providers/writebackOu/resource";
import { WritebackPermission } from "../providers/writebackPermission/resource";
import { deleteOutOfScopeGroupsRule, OUT_TO_AD_MEMBER_LIMIT } from "../domain/groupWritebackRules";
// Types only: a stack that declares no migration or Cloud Sync does not load their components (required on use).
import type { CloudSyncMigration } from "./cloudSyncMigration";
import {
  type CloudSyncMigrationSettings,
  connectSideOnly,
  type GroupWritebackSettings,
  groupWritebackSettings,
  writebackDefaults,
} from "./schema";
import type { CloudSyncGroupProvisioning, CloudSyncGroupProvisioningArgs } from "./cloudSync";
import { NAMESPACE } from "./stackConfig";

/**
 * The arguments of one GroupWriteback: the stack configuration keys (docs/configuration.md has each key's rule and
 * default, from components/schema.ts). Values may be outputs of other resources; the switches that decide which
 * resources exist (`groupWritebackV2`) and how they are wired are plain values.
 */
export interface GroupWritebackArgs {
  /** The Entra Connect server: the simulator, this machine (local), or a remote server over WinRM or SSH. */
  target: pulumi.Input<Target>;
  /** The OU written-back groups go to (its DN); created if missing, and it must be inside the connector's sync scope. */
  writebackOu: pulumi.Input<string>;
  /** The AD DS connector account (CN=MSOL_...) that exports groups and gets the writeback rights. */
  connectorAccountDn: pulumi.Input<string>;
  /** objectId (default): CN=Group_<objectId>; displayName: the wizard's display-name DN option. */
  dnFormat?: GroupWritebackSettings["dnFormat"];
  /**
   * enable (default): turn GroupWritebackV2 on before v1 (refused on current tenants);
   * require: only verify it is on; skip: do not manage it, accepting that v1 alone writes back every M365 group.
   * Plain: it decides whether the v2 resource exists.
   */
  groupWritebackV2?: GroupWritebackSettings["groupWritebackV2"];
  /** active (default) or staging: the server's staging mode must match; staging reports pending exports. */
  role?: GroupWritebackSettings["role"];
  /** ou (default): the writeback ACE on the OU; forest: the documented forest-wide cmdlet (no undo). */
  permissions?: GroupWritebackSettings["permissions"];
  /** How long to wait for a running sync cycle before changing anything. Default 600 s. */
  syncIdleTimeoutSeconds?: pulumi.Input<number>;
  /** 0 (default): fail with the wizard steps when v1 is not configured; otherwise wait this long for an admin. */
  wizardWaitSeconds?: pulumi.Input<number>;
  /** How often to look for the wizard step while waiting. Default 10 s. */
  wizardPollSeconds?: pulumi.Input<number>;
  /** Let destroy delete the OU even when it holds written-back groups. Default false. */
  allowNonEmptyOuDeletion?: pulumi.Input<boolean>;
  /** Turn GroupWritebackV2 off on destroy (tenant-wide, irreversible). Default false: retain. */
  disableV2OnDestroy?: pulumi.Input<boolean>;
  /**
   * How many opted-out Microsoft 365 groups a person has reviewed and accepts in the OU (v1 wrote them back before
   * v2 was on). Default 0: any such group leaves the stack not converged.
   */
  acknowledgedOptedOutGroups?: pulumi.Input<number>;
  /**
   * The default writeback behaviour, declared before anything on the server. The tenant default lives in Microsoft
   * Graph (stack configuration `graph` and `graphClientSecret`): declared unless Graph is not configured and only the
   * Connect-side keys are given (deleteRulePrecedence, disableMemberLimitRule, revertRulesOnDestroy). Plain: it
   * decides which resources exist.
   */
  defaults?: {
    /** NewUnifiedGroupWritebackDefault. Default false: new Microsoft 365 groups are not written back. */
    newUnifiedGroupWritebackDefault?: pulumi.Input<boolean>;
    /** Put back the tenant's earlier value on destroy. Default false: retain. */
    restoreTenantDefaultOnDestroy?: pulumi.Input<boolean>;
    /** Existing Microsoft 365 groups to opt out: "all", {ids} or {filter}. Plain: it decides whether the resource exists. */
    optOut?: OptOutSelectionInput;
    /** Groups kept in writeback (isEnabled = true), never opted out. */
    keepEnabled?: pulumi.Input<string[]>;
    /** Re-enable the opted-out groups on destroy. Default false: retain. */
    reEnableOptOutsOnDestroy?: pulumi.Input<boolean>;
    /** Microsoft's delete rule at this precedence (0-99, unique). Plain: it decides whether the rule exists. */
    deleteRulePrecedence?: number;
    /** Disable "Out to AD – Group Writeback Member Limit" after v1. Plain: it decides whether the resource exists. */
    disableMemberLimitRule?: boolean;
    /** Remove the delete rule and enable the member limit rule again on destroy. Default false: retain. */
    revertRulesOnDestroy?: pulumi.Input<boolean>;
  };
  /**
   * Migrate the written-back security groups to Cloud Sync (docs/cloud-sync-migration.md): the migration's steps run
   * first, in the documented order, after the GroupWritebackV2 resource, which then only reads the flag (release mode:
   * the migration turns it off; its delete never does); the scheduler, OU, permission and v1 resources come after the
   * migration. Plain: it decides which resources exist.
   */
  cloudSyncMigration?: {
    [K in keyof CloudSyncMigrationSettings]?: pulumi.Input<Partial<CloudSyncMigrationSettings[K]>>;
  };
  /**
   * Cloud Sync group provisioning to one AD domain (Microsoft Graph), side by side with this server's writeback:
   * neither depends on the other. Plain: it decides whether the Cloud Sync resources exist. See docs/cloud-sync.md.
   */
  cloudSync?: CloudSyncGroupProvisioningArgs;
}

// Every key of the settings is an arg, and every arg a key of the settings (checked by the compiler).
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : never) : never;
const sameKeys: SameKeys<GroupWritebackArgs, GroupWritebackSettings> = true;
void sameKeys;

type Settings = typeof groupWritebackSettings.shape;

/** An arg, or the default its schema applies (components/schema.ts, from the provider's schema). */
function orDefault<K extends keyof GroupWritebackArgs & keyof Settings>(
  args: GroupWritebackArgs,
  key: K,
): NonNullable<GroupWritebackArgs[K]> {
  return (args[key] ?? defaultOf(groupWritebackSettings.shape[key])) as NonNullable<GroupWritebackArgs[K]>;
}

/**
 * The migration's view of the Cloud Sync mapping: the naming, the target OU (routing rules: their default OU, and
 * the OUs their routes lead to), and the sAMAccountName mapping: what would rename or move a migrated group.
 */
function migrationMapping(cloudSync: CloudSyncGroupProvisioningArgs | undefined): pulumi.Input<{
  naming: "cloudSync" | "connect";
  targetOu: string | null;
  samAccountName: string | null;
  routedOus: string[];
}> {
  return pulumi.output(cloudSync?.targetOu ?? null).apply((targetOu) => ({
    naming: cloudSync?.naming ?? "cloudSync",
    targetOu:
      targetOu === null ? null : typeof targetOu === "string" ? targetOu : (targetOu.defaultOu ?? null),
    samAccountName: cloudSync?.samAccountName ?? null,
    routedOus:
      targetOu === null || typeof targetOu === "string"
        ? []
        : (targetOu.routes ?? []).map((route) => route.ou ?? "").filter((ou) => ou !== ""),
  }));
}

export class GroupWriteback extends pulumi.ComponentResource {
  /** The Entra Connect build (Microsoft.Synchronize.ServerConfigurationVersion). */
  readonly serverVersion: pulumi.Output<string>;
  readonly computerName: pulumi.Output<string>;
  /** GroupWritebackV2: "enabled", "disabled", or "skipped" when the stack does not manage it. */
  readonly v2State: pulumi.Output<string>;
  /** Group writeback v1 as the wizard configured it: "configured" or "not configured". */
  readonly v1State: pulumi.Output<string>;
  readonly writebackOu: pulumi.Output<string>;
  readonly writtenBackGroupCount: pulumi.Output<number>;
  /** Staging role: what the AD connector will export once the server is active. */
  readonly pendingExports: pulumi.Output<PendingExportsReport | null>;
  readonly pendingManualSteps: pulumi.Output<string[]>;
  /** What needs a person before this configuration is converged (empty when nothing does). */
  readonly needsAttention: pulumi.Output<string[]>;

  /** The tenant's writeback default (declared with `defaults`). */
  readonly tenantDefault?: UnifiedGroupWritebackDefault;
  /** The existing groups opted out of writeback (declared with `defaults.optOut`). */
  readonly optOut?: GroupWritebackOptOut;
  readonly scheduler: SchedulerState;
  readonly v2?: GroupWritebackFeature;
  readonly ou: WritebackOU;
  readonly permission: WritebackPermission;
  readonly v1: GroupWritebackFeature;
  /** Microsoft's delete rule (declared with `defaults.deleteRulePrecedence`). */
  readonly deleteRule?: SyncRule;
  /** "Out to AD – Group Writeback Member Limit" disabled (declared with `defaults.disableMemberLimitRule`). */
  readonly memberLimitRule?: SyncRule;
  /** The migration to Cloud Sync (declared with `cloudSyncMigration`). */
  readonly migration?: CloudSyncMigration;
  /** What the migration will do, with live counts; null without `cloudSyncMigration`. */
  readonly cloudSyncMigrationPlan: pulumi.Output<unknown>;
  /** Cloud Sync group provisioning (declared with `cloudSync`). */
  readonly cloudSync?: CloudSyncGroupProvisioning;

  constructor(name: string, args: GroupWritebackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("entra-writeback:index:GroupWriteback", name, {}, opts);
    const role = orDefault(args, "role");
    const v2Mode = orDefault(args, "groupWritebackV2");
    const syncIdleTimeoutSeconds = orDefault(args, "syncIdleTimeoutSeconds");
    const target = args.target;
    // Checked live by the first resource that changes anything, before it does (providers/common/preflight.ts).
    const preflight: pulumi.Input<PreflightInputs> = pulumi.output({
      writebackOu: args.writebackOu,
      connectorAccountDn: args.connectorAccountDn,
    });
    // Names this stack's pause windows on the server and its entries in the simulator's journal.
    const stack = `${pulumi.getProject()}/${pulumi.getStack()}`;

    // The tenant default lives in Microsoft Graph: declared unless the stack has no Graph and declares only the
    // Connect-side defaults (docs/defaults.md).
    const graphConfigured = pulumi.runtime.getConfig(`${NAMESPACE}:graph`) !== undefined;
    if (args.defaults && (graphConfigured || !connectSideOnly(args.defaults))) {
      const defaults = writebackDefaults.shape;
      // First, before the scheduler is paused: Microsoft changes the default before enabling group writeback.
      this.tenantDefault = new UnifiedGroupWritebackDefault(
        `${name}-tenant-default`,
        {
          newUnifiedGroupWritebackDefault:
            args.defaults.newUnifiedGroupWritebackDefault ??
            defaultOf(defaults.newUnifiedGroupWritebackDefault)!,
          onDelete: pulumi
            .output(
              args.defaults.restoreTenantDefaultOnDestroy ??
                defaultOf(defaults.restoreTenantDefaultOnDestroy)!,
            )
            .apply((restore) => (restore ? "restore" : "retain")),
          target,
          preflight,
        },
        { parent: this },
      );
    }

    if (args.defaults?.optOut !== undefined) {
      // Then the existing groups: Microsoft's second step, after the tenant default and before enabling writeback.
      this.optOut = new GroupWritebackOptOut(
        `${name}-opt-out`,
        {
          groups: args.defaults.optOut,
          // Absent: the resource's own defaults (no group kept; destroy retains the opt-outs).
          ...(args.defaults.keepEnabled !== undefined ? { keepEnabled: args.defaults.keepEnabled } : {}),
          ...(args.defaults.reEnableOptOutsOnDestroy !== undefined
            ? {
                onDelete: pulumi
                  .output(args.defaults.reEnableOptOutsOnDestroy)
                  .apply((reEnable): "reEnable" | "retain" => (reEnable ? "reEnable" : "retain")),
              }
            : {}),
          target,
          preflight,
        },
        { parent: this, dependsOn: this.tenantDefault ? [this.tenantDefault] : [] },
      );
    }
    const defaultsFirst = [this.tenantDefault, this.optOut].filter((each) => each !== undefined);

    if (args.cloudSyncMigration) {
      if (!args.cloudSync) {
        throw new pulumi.RunError(
          "GroupWriteback: cloudSyncMigration is declared without cloudSync: the migration ends with Cloud Sync " +
            "taking the groups over; declare cloudSync (docs/cloud-sync-migration.md)",
        );
      }
      if (args.disableV2OnDestroy === true) {
        // With the migration the v2 resource only reads the flag and its delete never turns it off (release mode,
        // below); the migration turns it off, after its rules and with its confirmation. A stored v2 delete also leaves
        // the flag when a migration step was checked in the same deployment (providers/groupWritebackFeature/v2.ts);
        // this refuses the declaration itself.
        throw new pulumi.RunError(
          "GroupWriteback: cloudSyncMigration is declared with disableV2OnDestroy true, which asks the GroupWritebackV2 " +
            "resource to turn v2 off when it leaves the stack; with the migration that resource only reads v2 and the " +
            "migration turns v2 off itself, after its rules and with its confirmation. Nothing was changed. Run `pulumi " +
            "config set entra-writeback:disableV2OnDestroy false`, then pulumi up again (docs/cloud-sync-migration.md)",
        );
      }
      // The GroupWritebackV2 resource stays declared (same name and URN) in release mode: it only reads the flag, which
      // the migration turns off. Its first up with the migration updates a stored onDelete disable to retain, before
      // any step (the first step depends on it): no later delete (pulumi destroy, --target) can turn v2 off before
      // the migration's rules and without its confirmation. A stack whose v2 resource already left the state (a
      // migration begun or finished by an earlier version) gets it created: a read-only adoption.
      if (v2Mode !== "skip") {
        this.v2 = new GroupWritebackFeature(
          `${name}-v2`,
          { target, version: "v2", mode: "release", onDelete: "retain", syncIdleTimeoutSeconds, stack },
          // It only reads: first, waiting for nothing, so no failure before it leaves a stored disable in place.
          { parent: this },
        );
      }
      // First (after the tenant default and the released v2): the scheduler resource would otherwise end the
      // migration's pause.
      const migration = args.cloudSyncMigration;
      const { CloudSyncMigration } = require("./cloudSyncMigration") as typeof import("./cloudSyncMigration");
      this.migration = new CloudSyncMigration(
        `${name}-cloud-sync-migration`,
        {
          target,
          writebackOu: args.writebackOu,
          stack,
          ...(migration.confirmDisableGroupWritebackV2 !== undefined
            ? { confirmDisableGroupWritebackV2: migration.confirmDisableGroupWritebackV2 }
            : {}),
          cloudSync: migrationMapping(args.cloudSync),
          ...(args.cloudSync.allowRenameOrMove !== undefined
            ? { allowRenameOrMove: args.cloudSync.allowRenameOrMove }
            : {}),
          ...(migration.syncRulePrecedences !== undefined
            ? { syncRulePrecedences: migration.syncRulePrecedences }
            : {}),
          syncIdleTimeoutSeconds,
          wizardWaitSeconds: orDefault(args, "wizardWaitSeconds"),
          wizardPollSeconds: orDefault(args, "wizardPollSeconds"),
        },
        { parent: this, dependsOn: [...defaultsFirst, ...(this.v2 ? [this.v2] : [])] },
      );
    }
    const beforeScheduler = this.migration ? [this.migration.last] : defaultsFirst;

    this.scheduler = new SchedulerState(
      `${name}-scheduler`,
      { target, syncCycleEnabled: true, role, syncIdleTimeoutSeconds, stack },
      { parent: this, dependsOn: beforeScheduler },
    );
    // The sync rules undo on destroy only when asked (SyncRule onDelete: revert).
    const rulesOnDelete = pulumi
      .output(args.defaults?.revertRulesOnDestroy)
      .apply((revert) =>
        revert === undefined ? defaultOf(syncRuleInputs.shape.onDelete)! : revert ? "revert" : "retain",
      );
    const deleteRulePrecedence = args.defaults?.deleteRulePrecedence;
    if (deleteRulePrecedence !== undefined) {
      // Where Microsoft's procedure puts it: with the scheduler paused, before group writeback is enabled, so the
      // first cycles with writeback on already delete the groups that fall out of its scope (docs/defaults.md).
      const { name: ruleName, disabled, ...definition } = deleteOutOfScopeGroupsRule(deleteRulePrecedence);
      this.deleteRule = new SyncRule(
        `${name}-delete-rule`,
        {
          target,
          name: ruleName,
          disabled,
          definition,
          onDelete: rulesOnDelete,
          syncIdleTimeoutSeconds,
          stack,
        },
        { parent: this, dependsOn: [this.scheduler] },
      );
    }
    const afterScheduler = this.deleteRule ? [this.deleteRule] : [this.scheduler];

    // With the migration, the v2 resource is declared above, in release mode (the migration turns the flag off).
    let afterV2: pulumi.Resource[] = afterScheduler;
    if (v2Mode !== "skip" && !this.migration) {
      this.v2 = new GroupWritebackFeature(
        `${name}-v2`,
        {
          target,
          version: "v2",
          mode: v2Mode,
          onDelete: pulumi
            .output(orDefault(args, "disableV2OnDestroy"))
            .apply((disable) => (disable ? "disable" : "retain")),
          syncIdleTimeoutSeconds,
          preflight,
          stack,
        },
        { parent: this, dependsOn: afterScheduler },
      );
      afterV2 = [this.v2];
    }

    this.ou = new WritebackOU(
      `${name}-ou`,
      {
        target,
        writebackOu: args.writebackOu,
        allowNonEmptyOuDeletion: orDefault(args, "allowNonEmptyOuDeletion"),
        preflight,
      },
      { parent: this, dependsOn: afterV2 },
    );

    this.permission = new WritebackPermission(
      `${name}-permission`,
      {
        target,
        permissions: orDefault(args, "permissions"),
        writebackOu: this.ou.writebackOu,
        connectorAccountDn: args.connectorAccountDn,
      },
      { parent: this, dependsOn: [this.ou] },
    );

    this.v1 = new GroupWritebackFeature(
      `${name}-v1`,
      {
        target,
        version: "v1",
        writebackOu: this.ou.writebackOu,
        dnFormat: orDefault(args, "dnFormat"),
        requireV2: v2Mode !== "skip" && !this.migration,
        role,
        wizardWaitSeconds: orDefault(args, "wizardWaitSeconds"),
        wizardPollSeconds: orDefault(args, "wizardPollSeconds"),
        acknowledgedOptedOutGroups: orDefault(args, "acknowledgedOptedOutGroups"),
        syncIdleTimeoutSeconds,
        // Without defaults, the preview says how many existing groups get written back (docs/defaults.md).
        warnWithoutDefaults: args.defaults === undefined,
        // The migration's plan said what v1 alone writes back before GroupWritebackV2 went off: no skip warning.
        ...(this.migration ? { migratedToCloudSync: true } : {}),
      },
      { parent: this, dependsOn: [...afterV2, this.permission] },
    );

    if (args.defaults?.disableMemberLimitRule === true) {
      // After v1: "the default synchronization rule that limits the group size is created when group writeback is
      // enabled, you must complete the following steps after you enable group writeback".
      this.memberLimitRule = new SyncRule(
        `${name}-member-limit-rule`,
        {
          target,
          name: OUT_TO_AD_MEMBER_LIMIT,
          disabled: true,
          onDelete: rulesOnDelete,
          syncIdleTimeoutSeconds,
          stack,
        },
        { parent: this, dependsOn: [this.v1] },
      );
    }
    if (args.cloudSync) {
      // Side by side: Cloud Sync provisions security groups, Connect writes back Microsoft 365 groups (v1). With the
      // migration, it is step 7: its group ids resolve only once the migration's last step is done, so nothing of
      // Cloud Sync is created before; the migrated groups join the declared ones.
      const migrated = this.migration?.migratedGroupIds;
      const cloudSyncArgs: CloudSyncGroupProvisioningArgs = migrated
        ? {
            ...args.cloudSync,
            groupIds: pulumi
              .all([args.cloudSync.groupIds, migrated])
              .apply(([declared, ids]) => [...new Set([...(declared ?? []), ...ids])]),
          }
        : args.cloudSync;
      const { CloudSyncGroupProvisioning } = require("./cloudSync") as typeof import("./cloudSync");
      this.cloudSync = new CloudSyncGroupProvisioning(`${name}-cloud-sync`, cloudSyncArgs, { parent: this });
    }

    this.serverVersion = this.scheduler.connectVersion;
    this.computerName = this.scheduler.computerName;
    // With the migration, the outputs register only once its last step is done, which turned v2 off (or found it
    // off); the released v2 resource's own value is as of its last update or refresh.
    const migrationDone = this.migration?.last.summary;
    this.v2State = migrationDone
      ? migrationDone.apply(() => "disabled")
      : this.v2
        ? this.v2.enabled.apply((on) => (on ? "enabled" : "disabled"))
        : pulumi.output("skipped");
    this.v1State = this.v1.configured.apply((on) => (on ? "configured" : "not configured"));
    this.writebackOu = this.ou.writebackOu;
    this.writtenBackGroupCount = this.v1.writtenBackGroupCount.apply((count) => count ?? 0);
    this.pendingExports = this.v1.pendingExports.apply((report) => report ?? null);
    this.pendingManualSteps = this.v1.pendingManualSteps.apply((steps) => steps ?? []);
    this.needsAttention = this.v1.needsAttention.apply((items) => items ?? []);
    this.cloudSyncMigrationPlan = this.migration ? this.migration.planOutput : pulumi.output(null);

    this.registerOutputs({
      serverVersion: this.serverVersion,
      computerName: this.computerName,
      v2State: this.v2State,
      v1State: this.v1State,
      writebackOu: this.writebackOu,
      writtenBackGroupCount: this.writtenBackGroupCount,
      pendingExports: this.pendingExports,
      pendingManualSteps: this.pendingManualSteps,
      needsAttention: this.needsAttention,
      cloudSyncMigrationPlan: this.cloudSyncMigrationPlan,
    });
  }
}
