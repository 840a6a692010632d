// The migration of Group Writeback V2 security groups to Microsoft Entra Cloud Sync, as Microsoft documents it
// (https://learn.microsoft.com/en-us/entra/identity/hybrid/cloud-sync/migrate-group-writeback): the steps in their
// order, and the names Cloud Sync gives the groups it takes over. One home for what the providers, the component
// and the docs say about it.
import type { Naming } from "./cloudSync";
import { firstRdn, parentDn } from "./dn";

export const CLOUD_SYNC_MIGRATION_DOC =
  "https://learn.microsoft.com/entra/identity/hybrid/cloud-sync/migrate-group-writeback";

/** Steps 1 to 6 in the documented order; each is one resource of the migration, run after the one before it. */
export const MIGRATION_STEPS = [
  "plan",
  "copyDirectoryObjectIds",
  "stagingOn",
  "schedulerOff",
  "syncRules",
  "initialCycleBeforeV2Off",
  "disableGroupWritebackV2",
  "initialCycleAfterV2Off",
  "schedulerOn",
  "stagingOff",
] as const;
export type MigrationStep = (typeof MIGRATION_STEPS)[number];

/** What each step does, for progress lines, errors and docs/cloud-sync-migration.md. */
export const STEP_TITLES: Record<MigrationStep, string> = {
  plan: "plan: what the migration will do, with live counts",
  copyDirectoryObjectIds: "step 1: copy adminDescription into msDS-ExternalDirectoryObjectID",
  stagingOn: "step 2: staging mode on (wizard)",
  schedulerOff: "step 2: sync scheduler off",
  syncRules: "steps 3 and 4: the cloudNoFlow sync rules",
  initialCycleBeforeV2Off: "step 5: Initial sync cycle",
  disableGroupWritebackV2: "step 5: GroupWritebackV2 off (irreversible)",
  initialCycleAfterV2Off: "step 5: Initial sync cycle again",
  schedulerOn: "step 5: sync scheduler on",
  stagingOff: "step 6: staging mode off (wizard)",
};

/** Step 7 is not a step resource: it is the Cloud Sync component (components/cloudSync.ts), after the last step. */
export const CLOUD_SYNC_STEP_TITLE = "step 7: Cloud Sync group provisioning (the cloudSync resources)";

/** The stack configuration key that confirms the irreversible step (entra-writeback:cloudSyncMigration.<this>). */
export const CONFIRM_KEY = "confirmDisableGroupWritebackV2";

/** The display-name length both Connect's display-name DN option and Cloud Sync's default `cn` keep. */
export const DISPLAY_NAME_CN_MAX = 51;

/** `<first 51 characters of the trimmed display name>_<last 12 of the objectId>`. */
export function displayNameCommonName(displayName: string, objectId: string): string {
  return `${displayName.trim().slice(0, DISPLAY_NAME_CN_MAX)}_${objectId.slice(-12)}`;
}

/** The CN (unescaped value) a naming (domain/cloudSync.ts: its `cn` expression) gives a group. */
export function cloudSyncCommonName(
  naming: Naming,
  group: { displayName: string; objectId: string },
): string {
  return naming === "connect"
    ? `Group_${group.objectId}`
    : displayNameCommonName(group.displayName, group.objectId);
}

/** Where Cloud Sync puts groups when no `parentDistinguishedName` mapping says otherwise (INFERRED, research §2.4). */
export function cloudSyncDefaultContainer(domainRootDn: string): string {
  return `CN=Users,${domainRootDn}`;
}

/** A written-back group as the plan sees it. */
export interface MigratingGroup {
  dn: string;
  cloudObjectId: string;
  displayName: string;
}

/** The group's CN value and its container, from its DN. */
export function nameAndContainer(dn: string): { cn: string; container: string } {
  return { cn: firstRdn(dn).value, container: parentDn(dn) ?? "" };
}

/**
 * What the migration's pause window is for (its marker's `change`). The window is held (syncWindow.ts,
 * openHeldWindow), so the SyncRule resources declared inside it (steps 3 and 4) run within it and leave the
 * scheduler off.
 */
export const MIGRATION_WINDOW_CHANGE = "migrating Group Writeback V2 security groups to Cloud Sync";

/**
 * The claim (providers/common/claims.ts) a migration step's check makes in the provider process: this deployment
 * declares the migration, so the GroupWritebackV2 resource leaving the stack in it must not turn the flag off (the
 * migration does, after its rules and with its confirmation), whatever its stored onDelete says.
 */
export const MIGRATION_DECLARED_CLAIM = "cloudSyncMigration declared";

/**
 * The claim the migration's step 5 (schedulerOn) makes in its check when it has not run yet: this deployment resumes the
 * scheduler the migration holds off, before SchedulerState (which depends on the last step), so SchedulerState's diff
 * leaves it to the step. Without it (the key dropped, --target leaving the steps out, step 5 already done and the
 * window open again) SchedulerState plans its change, and its update refuses to end the migration's window.
 */
export const MIGRATION_RESUMES_CLAIM = "cloudSyncMigration resumes the scheduler";
