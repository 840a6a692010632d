// The settings of one GroupWriteback: the stack configuration keys (namespace entra-writeback) and the component's
// args are the same keys. Each is the schema of the resource input (or provider setting) it becomes, so its rule
// and its default have one home, in the provider's schema; here it only gets the description that
// docs/configuration.md is generated from (`npm run docs:config`).
import { z } from "zod";
import { target } from "../contract/target";
import { defaultOf, documented } from "../providers/common/defineResource";
import { v1Inputs, v2Inputs } from "../providers/groupWritebackFeature/schema";
import { syncIdleTimeoutSeconds } from "../providers/common/inputs";
import { groupWritebackOptOutInputs } from "../providers/groupWritebackOptOut/schema";
import { schedulerStateInputs } from "../providers/schedulerState/schema";
import { syncRuleDefinition } from "../providers/syncRule/schema";
import { unifiedGroupWritebackDefaultInputs } from "../providers/unifiedGroupWritebackDefault/schema";
import { writebackOuInputs } from "../providers/writebackOu/schema";
import { writebackPermissionInputs } from "../providers/writebackPermission/schema";
import { cloudSyncMigrationStepInputs } from "../providers/cloudSyncMigration/schema";
import { cloudSyncSettings } from "./cloudSyncSettings";

const v2Mode = v2Inputs.shape.mode;
// "release" is the component's own (while cloudSyncMigration is declared), never a value of the key.
const v2ConfigMode = v2Mode.unwrap().exclude(["release"]);
const tenantDefault = unifiedGroupWritebackDefaultInputs.shape;
const optOut = groupWritebackOptOutInputs.shape;

/**
 * The defaults declared before group writeback is enabled: in Graph the tenant default, then the opt-outs; on the
 * Connect server Microsoft's delete rule (before enabling) and the member limit rule (after v1).
 */
export const writebackDefaults = z
  .strictObject({
    /** UnifiedGroupWritebackDefault's value: false, as Microsoft's procedure sets it. */
    newUnifiedGroupWritebackDefault: tenantDefault.newUnifiedGroupWritebackDefault,
    /** Put back the tenant's earlier value on destroy (UnifiedGroupWritebackDefault onDelete: restore). */
    restoreTenantDefaultOnDestroy: z.boolean().default(defaultOf(tenantDefault.onDelete) === "restore"),
    /** Existing Microsoft 365 groups to opt out (GroupWritebackOptOut groups): "all", {ids: [...]} or {filter: "..."}. */
    optOut: optOut.groups.optional(),
    /** Groups kept in writeback (GroupWritebackOptOut keepEnabled; none when absent); needs optOut. */
    keepEnabled: optOut.keepEnabled.unwrap().optional(),
    /** Re-enable the opted-out groups on destroy (GroupWritebackOptOut onDelete: reEnable; absent: its default, retain). */
    reEnableOptOutsOnDestroy: z.boolean().optional(),
    /**
     * Microsoft's delete rule ("In from AAD - Group SOAinAAD Delete WriteBackOutOfScope and SoftDelete") at this
     * precedence (0-99, unique on the server, as Microsoft's script asks); not set: no delete rule.
     */
    deleteRulePrecedence: syncRuleDefinition.shape.precedence.optional(),
    /**
     * Disable "Out to AD – Group Writeback Member Limit" once v1 is enabled: groups of up to 250,000 members. Not set:
     * false (the rule stays as Connect made it).
     */
    disableMemberLimitRule: z.boolean().optional(),
    /**
     * On destroy, remove the delete rule and enable the member limit rule again (SyncRule onDelete: revert). Not set:
     * SyncRule's own default (retain).
     */
    revertRulesOnDestroy: z.boolean().optional(),
  })
  .superRefine((defaults, ctx) => {
    if (defaults.optOut === undefined && (defaults.keepEnabled ?? []).length > 0) {
      ctx.addIssue({
        code: "custom",
        path: ["keepEnabled"],
        message: "keepEnabled names groups to keep out of an opt-out: declare optOut with it",
      });
    }
  });

const migrationStep = cloudSyncMigrationStepInputs.shape;

/** The migration of the written-back security groups to Cloud Sync (components/cloudSyncMigration.ts). */
export const cloudSyncMigrationSettings = z.strictObject({
  /** The irreversible step (GroupWritebackV2 off) runs only when true. */
  confirmDisableGroupWritebackV2: migrationStep.confirmDisableGroupWritebackV2,
  /** The two custom sync rules' precedences (null: the lowest free ones below 100). */
  syncRulePrecedences: migrationStep.syncRulePrecedences,
});
export type CloudSyncMigrationSettings = z.output<typeof cloudSyncMigrationSettings>;

export const groupWritebackSettings = z.strictObject({
  target: documented(target, {
    type: "object (below)",
    description: "The Entra Connect server this stack manages.",
  }),
  writebackOu: documented(writebackOuInputs.shape.writebackOu, {
    type: "DN",
    description:
      "The OU written-back groups go to, e.g. `OU=Entra Writeback,OU=Groups,DC=contoso,DC=com`. Created (protected " +
      "from accidental deletion) when missing; an existing OU is adopted. It must be inside the AD connector's sync " +
      "scope. It must be the OU you select in the wizard.",
  }),
  connectorAccountDn: documented(writebackPermissionInputs.shape.connectorAccountDn, {
    type: "DN",
    description:
      "The AD DS connector account (`CN=MSOL_…`) that exports the groups and receives the writeback rights.",
  }),
  dnFormat: documented(v1Inputs.shape.dnFormat, {
    description:
      "`objectId`: groups are named `CN=Group_<objectId>`. `displayName`: the wizard's \"Writeback group " +
      'Distinguished Name with cloud Display Name" option (`CN=<first 51 characters of the display name>_<last 12 ' +
      "of the objectId>`). It can only be chosen when group writeback is first enabled.",
  }),
  groupWritebackV2: documented(
    z.enum([...v2ConfigMode.options, "skip"]).default(v2ConfigMode.parse(defaultOf(v2Mode))),
    {
      description:
        "`enable`: turn the tenant-wide `GroupWritebackV2` on before v1 (current tenants refuse; the error points to " +
        "Cloud Sync). `require`: never change it, only verify it is on. `skip`: do not manage it; v1 then writes back " +
        "**every** Microsoft 365 group, ignoring each group's writeback setting.",
    },
  ),
  role: documented(schedulerStateInputs.shape.role, {
    description:
      "`active`: the server must not be in staging mode. `staging`: it must be; the stack then reports the pending " +
      "exports (see [swing-migration.md](swing-migration.md)).",
  }),
  permissions: documented(writebackPermissionInputs.shape.permissions, {
    description:
      "`ou`: one ACE on the writeback OU for the connector account (generic read/write, create/delete child, " +
      "delete, delete tree on group objects). `forest`: the documented `Set-ADSyncUnifiedGroupWritebackPermissions` " +
      "on every domain; destroy cannot undo it.",
  }),
  syncIdleTimeoutSeconds: documented(syncIdleTimeoutSeconds, {
    description:
      "How long to wait for a running sync cycle before changing the scheduler or the v2 flag. Past it the change " +
      "fails and nothing was changed.",
  }),
  wizardWaitSeconds: documented(v1Inputs.shape.wizardWaitSeconds, {
    description:
      "`0`: when the v1 wizard step is missing, fail with the exact steps. Otherwise print the steps and wait this " +
      "long for an admin to do them, with progress messages.",
  }),
  wizardPollSeconds: documented(v1Inputs.shape.wizardPollSeconds, {
    description: "How often to look for the wizard step while waiting.",
  }),
  allowNonEmptyOuDeletion: documented(writebackOuInputs.shape.allowNonEmptyOuDeletion, {
    description:
      "Let `destroy` delete the OU although it holds written-back groups. Destroy reads it from the stack's state: " +
      "after changing it, run `pulumi up`, then `pulumi destroy`.",
  }),
  disableV2OnDestroy: documented(z.boolean().default(defaultOf(v2Inputs.shape.onDelete) === "disable"), {
    description:
      "Turn `GroupWritebackV2` off on `destroy` (tenant-wide and irreversible). By default destroy retains it. " +
      "Like `allowNonEmptyOuDeletion`, run `pulumi up` after changing it, then `pulumi destroy`. Refused with " +
      "`cloudSyncMigration`, which turns v2 off itself ([cloud-sync-migration.md](cloud-sync-migration.md)).",
  }),
  defaults: documented(writebackDefaults.optional(), {
    type: "object (below)",
    description:
      "The default writeback behaviour, declared before anything on the Connect server (the tenant default needs " +
      "`graph`; the Connect-side keys alone do not): " +
      "`newUnifiedGroupWritebackDefault` (default `false`) sets the tenant's `Group.Unified` " +
      "`NewUnifiedGroupWritebackDefault`, so new Microsoft 365 groups are not written back unless their writeback " +
      "is enabled; `restoreTenantDefaultOnDestroy` (default `false`) puts the earlier value back on destroy. " +
      'Existing groups are not changed by it: `optOut` (`all`, `{ids: [...]}` or `{filter: "<$filter>"}`) sets ' +
      "`writebackConfiguration.isEnabled = false` on the existing Microsoft 365 groups it selects, except the ids in " +
      "`keepEnabled` (set to `true`); `reEnableOptOutsOnDestroy` (default `false`) re-enables them on destroy. " +
      "On the Connect server: `deleteRulePrecedence` (0–99, unique; none by default) creates Microsoft's delete rule " +
      "inside a pause window before group writeback is enabled; `disableMemberLimitRule` (default `false`) disables " +
      '"Out to AD – Group Writeback Member Limit" after v1 is enabled; `revertRulesOnDestroy` (default `false`) ' +
      "undoes both on destroy. See [defaults.md](defaults.md).",
  }),
  acknowledgedOptedOutGroups: documented(v1Inputs.shape.acknowledgedOptedOutGroups, {
    description:
      "How many opted-out Microsoft 365 groups (`writebackConfiguration.isEnabled = false`) you have reviewed and " +
      "accept in the writeback OU. They get there when v1 was enabled in the wizard before `GroupWritebackV2` was " +
      "on: v1 alone writes back every Microsoft 365 group, and turning v2 on later does not remove them. While more " +
      "of them are in the OU than this number, the stack is not converged: the output `needsAttention` says so, " +
      "`preview --refresh --expect-no-changes` and `npm run drift` show the v1 resource, and each preview and " +
      "update prints which groups. Remove them with Microsoft's " +
      "[delete rule](https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-modify-group-writeback) " +
      "(declare it with `defaults.deleteRulePrecedence`) or by hand, or set this key to the number you keep. With `groupWritebackV2: skip` it has no effect (v1 " +
      "alone writes them back by design).",
  }),
  cloudSyncMigration: documented(cloudSyncMigrationSettings.optional(), {
    type: "object (below)",
    description:
      "Migrate the security groups Group Writeback V2 wrote back to Microsoft Entra Cloud Sync, in Microsoft's " +
      "documented order (see [cloud-sync-migration.md](cloud-sync-migration.md)); needs `cloudSync` (the Cloud Sync " +
      "configuration that takes the groups over, declared after the migration's last step, the migrated groups added " +
      "to its `groupIds`); the stack then no longer manages `GroupWritebackV2`. `confirmDisableGroupWritebackV2` " +
      "(default `false`): the irreversible step runs only when true, otherwise the migration stops before it. A " +
      "`cloudSync` whose `naming`, `targetOu` (routes included) or `samAccountName` would rename or move a written-back " +
      "group is refused in the preview. " +
      "`syncRulePrecedences.inbound` / `.outbound` (default: the lowest free below 100).",
  }),
  cloudSync: documented(cloudSyncSettings.optional(), {
    type: "object (below)",
    description:
      "Cloud Sync group provisioning to one AD domain, side by side with this Connect server (needs `graph`): " +
      "`domain`, `targetOu` (a DN, or `{attribute, routes: [{value, ou}], defaultOu}`), `naming` (`cloudSync`: " +
      "`<display name>_<last 12 of objectId>`, or `connect`: `Group_<objectId>`), `samAccountName` (a mapping " +
      "expression; unmapped by default), `groupIds` (the selected security groups), or `allSecurityGroups` " +
      "(`{filters: [{clauses: [{attribute, operator, value}]}]}`: every security group the filters select), " +
      "`deleteThreshold` (500), " +
      "`deleteThresholdEnabled`, `notifications` (`{enabled, recipients}`), `jobState` (`running` | `paused`), " +
      "`releaseQuarantine` (the value the stack prints to release one TooManyDeletes quarantine), " +
      "`provisionOnDemandGroupId`, `applicationTemplateId`, `appRoleId`, `deleteJobOnDestroy`, " +
      "`allowRenameOrMove` (default `false`: a changed `naming`, `targetOu` or `samAccountName` that would rename or " +
      "move the groups the job already provisioned is refused; `true` lets pulumi up do it). See " +
      "[cloud-sync.md](cloud-sync.md).",
  }),
});
export type GroupWritebackSettings = z.output<typeof groupWritebackSettings>;

/**
 * The keys of `defaults` that live on the Connect server: declared alone, they need no Microsoft Graph and the
 * component declares no tenant default unless the stack configures Graph (docs/defaults.md). Every other key of
 * `defaults` is Graph-side.
 */
export const CONNECT_SIDE_DEFAULTS: readonly string[] = [
  "deleteRulePrecedence",
  "disableMemberLimitRule",
  "revertRulesOnDestroy",
];

/** Whether `defaults` declares Connect-side keys only (at least one; keys left undefined do not count). */
export function connectSideOnly(defaults: object): boolean {
  const declared = Object.entries(defaults)
    .filter(([, value]) => value !== undefined)
    .map(([key]) => key);
  return declared.length > 0 && declared.every((key) => CONNECT_SIDE_DEFAULTS.includes(key));
}
