// The migration's plan: what it will do, with counts from the live server and tenant, said before anything
// changes (preview and update), and the refusals of a migration that would rename, move or lose a group.
import type { EntraConnectClient } from "../../contract/backend";
import type { GroupDirectoryObjectId } from "../../contract/contract";
import { NAMING_EXPRESSIONS } from "../../domain/cloudSync";
import {
  CLOUD_SYNC_MIGRATION_DOC,
  CLOUD_SYNC_STEP_TITLE,
  CONFIRM_KEY,
  cloudSyncCommonName,
  cloudSyncDefaultContainer,
  MIGRATION_STEPS,
  nameAndContainer,
  STEP_TITLES,
} from "../../domain/cloudSyncMigration";
import { sameDn } from "../common/dn";
import { domainRootOf } from "../common/dn";
import { SAMPLE_SIZE } from "../groupWritebackFeature/hazards";
import type { CloudSyncMapping, MigrationPlan, NamedGroups } from "./schema";

/** The stack configuration key of the migration (entra-writeback:cloudSyncMigration). */
export const MIGRATION_KEY = "entra-writeback:cloudSyncMigration";
/** Where the Cloud Sync mapping is declared (entra-writeback:cloudSync, docs/cloud-sync.md). */
export const CLOUD_SYNC_KEY = "entra-writeback:cloudSync";

function named(groups: readonly { dn: string | null; displayName: string }[]): NamedGroups {
  return {
    count: groups.length,
    sample: groups
      .slice(0, SAMPLE_SIZE)
      .map((group) => (group.dn ? `${group.displayName} (${group.dn})` : group.displayName)),
  };
}

function listed(set: NamedGroups): string {
  if (set.count === 0) return "";
  const more = set.count - set.sample.length;
  return `: ${set.sample.join(", ")}${more > 0 ? ` and ${more} more` : ""}`;
}

function groupsText(count: number, what = "group"): string {
  return `${count} ${what}${count === 1 ? "" : "s"}`;
}

function wouldRename(mapping: CloudSyncMapping["naming"], group: GroupDirectoryObjectId): boolean {
  const { cn } = nameAndContainer(group.dn);
  const wanted = cloudSyncCommonName(mapping, {
    displayName: group.displayName,
    objectId: group.cloudObjectId,
  });
  return cn.toLowerCase() !== wanted.toLowerCase();
}

function wouldMove(targetOu: string, group: GroupDirectoryObjectId): boolean {
  return !sameDn(nameAndContainer(group.dn).container, targetOu);
}

export interface PlanInputs {
  writebackOu: string;
  cloudSync: CloudSyncMapping;
  confirmDisableGroupWritebackV2: boolean;
}

/** Reads the server, AD and the tenant (read-only operations) and works out what the migration will do. */
export async function readPlan(client: EntraConnectClient, inputs: PlanInputs): Promise<MigrationPlan> {
  const { server, features } = await client.call("getServerState", {});
  const { groups } = await client.call("listGroupDirectoryObjectIds", { dn: inputs.writebackOu });
  const tenant = await client.call("getCloudGroupWriteback", {
    dn: inputs.writebackOu,
    sampleSize: SAMPLE_SIZE,
  });
  const defaultContainer = cloudSyncDefaultContainer(domainRootOf(inputs.writebackOu));
  const targetOu = inputs.cloudSync.targetOu ?? defaultContainer;
  const conflicts = groups.filter(
    (group) =>
      group.externalDirectoryObjectId !== null &&
      group.externalDirectoryObjectId.toLowerCase() !== group.adminDescription.toLowerCase(),
  );
  const inOu = tenant.inOu;
  return {
    server: server.computerName,
    writebackOu: inputs.writebackOu,
    groupWritebackV2: features.groupWritebackV2,
    stagingModeEnabled: server.stagingModeEnabled,
    securityGroups: named(groups),
    securityGroupIds: groups.map((group) => group.cloudObjectId),
    renamedWithoutMapping: named(groups.filter((group) => wouldRename("cloudSync", group))),
    movedWithoutTargetOu: named(groups.filter((group) => wouldMove(defaultContainer, group))),
    renamedByDeclaredMapping: named(groups.filter((group) => wouldRename(inputs.cloudSync.naming, group))),
    movedByDeclaredTargetOu: named(groups.filter((group) => wouldMove(targetOu, group))),
    directoryObjectIdsToCopy: groups.filter((group) => group.externalDirectoryObjectId === null).length,
    directoryObjectIdsAlreadySet:
      groups.length - conflicts.length - groups.filter((g) => g.externalDirectoryObjectId === null).length,
    directoryObjectIdConflicts: named(
      conflicts.map((group) => ({
        dn: group.dn,
        displayName: `${group.displayName} [msDS-ExternalDirectoryObjectID ${group.externalDirectoryObjectId ?? ""}]`,
      })),
    ),
    microsoft365GroupsWrittenBackByV1: tenant.microsoft365Groups,
    optedOutMicrosoft365GroupsWrittenBackByV1: {
      count: tenant.optedOutMicrosoft365Groups.count,
      sample: named(tenant.optedOutMicrosoft365Groups.sample).sample,
    },
    microsoft365GroupsInOu: inOu ? inOu.writtenBack - inOu.security.count : 0,
    confirmed: inputs.confirmDisableGroupWritebackV2,
  };
}

/**
 * Why the migration must not run as declared; empty when it may. Each says what to change. After the migration
 * (`afterMigration`), only what the mapping would do to the migrated groups counts: the identifiers are step 1's.
 */
export function planRefusals(
  plan: MigrationPlan,
  mapping: CloudSyncMapping,
  afterMigration = false,
): string[] {
  const refusals: string[] = [];
  if (plan.renamedByDeclaredMapping.count > 0) {
    refusals.push(
      `Cloud Sync's cn mapping for naming ${mapping.naming} (${NAMING_EXPRESSIONS[mapping.naming]}) would RENAME ` +
        `${groupsText(plan.renamedByDeclaredMapping.count, "written-back security group")}${listed(plan.renamedByDeclaredMapping)}. ` +
        `Set ${CLOUD_SYNC_KEY}.naming to ${mapping.naming === "connect" ? "cloudSync" : "connect"}, ` +
        "the mapping that keeps the names the groups have.",
    );
  }
  if (plan.movedByDeclaredTargetOu.count > 0) {
    refusals.push(
      `Cloud Sync's target container ${mapping.targetOu ?? "(not declared: Cloud Sync's default, CN=Users)"} would MOVE ` +
        `${groupsText(plan.movedByDeclaredTargetOu.count, "written-back security group")}${listed(plan.movedByDeclaredTargetOu)}. ` +
        `Set ${CLOUD_SYNC_KEY}.targetOu to ${plan.writebackOu}, the OU they are in.`,
    );
  }
  if (mapping.samAccountName !== null && plan.securityGroups.count > 0) {
    // The plan cannot work the expression out; Cloud Sync writes it over every matched group's name.
    refusals.push(
      `Cloud Sync's sAMAccountName mapping (${mapping.samAccountName}) would overwrite the sAMAccountName of ` +
        `${groupsText(plan.securityGroups.count, "written-back security group")}${listed(plan.securityGroups)} ` +
        `(their pre-Windows 2000 names). Set ${CLOUD_SYNC_KEY}.samAccountName to null (unmapped), so they keep theirs.`,
    );
  }
  const elsewhere = mapping.routedOus.filter((ou) => !sameDn(ou, plan.writebackOu));
  if (elsewhere.length > 0 && plan.securityGroups.count > 0) {
    // Which group a route matches depends on its attributes in Entra ID: any of them may move.
    refusals.push(
      `Cloud Sync's routing rules can MOVE written-back security groups to ${elsewhere.join("; ")}: any of the ` +
        `${groupsText(plan.securityGroups.count, "group")} whose attribute matches such a route${listed(plan.securityGroups)}. ` +
        `Set ${CLOUD_SYNC_KEY}.targetOu to ${plan.writebackOu}, the OU they are in (or route only to it).`,
    );
  }
  if (!afterMigration && plan.directoryObjectIdConflicts.count > 0) {
    refusals.push(
      `${groupsText(plan.directoryObjectIdConflicts.count, "written-back security group")} already carry another ` +
        `msDS-ExternalDirectoryObjectID than their adminDescription, so it cannot be set and Cloud Sync would not ` +
        `match them (it would create duplicates)${listed(plan.directoryObjectIdConflicts)}. Check which cloud group ` +
        "each belongs to, correct or clear the value (Set-ADGroup -Clear msDS-ExternalDirectoryObjectID).",
    );
  }
  return refusals;
}

export function refusalMessage(plan: MigrationPlan, refusals: readonly string[]): string {
  return (
    `REFUSED: the migration of Group Writeback V2 to Cloud Sync on ${plan.server} would rename, move or lose ` +
    `written-back groups, so it does not start; nothing was changed.\n${refusals.map((refusal) => `  - ${refusal}`).join("\n")}\n` +
    "Then run pulumi preview again."
  );
}

/** After the migration: a changed cloudSync that would rename or move the migrated groups. */
export function refusalAfterMigrationMessage(plan: MigrationPlan, refusals: readonly string[]): string {
  return (
    `REFUSED: the migration to Cloud Sync has run on ${plan.server}, and the changed ${CLOUD_SYNC_KEY} would rename ` +
    `or move the groups it migrated, which Cloud Sync's own check does not know until its job has exported them; ` +
    `nothing was changed.\n${refusals.map((refusal) => `  - ${refusal}`).join("\n")}\n` +
    `Or, to do it on purpose, set ${CLOUD_SYNC_KEY}.allowRenameOrMove to true and run pulumi up again (then set it ` +
    "back to false)."
  );
}

/** The plan in words: what each step will do to how many groups. Printed in preview and in the update. */
export function planMessage(plan: MigrationPlan, mapping: CloudSyncMapping): string {
  const security = plan.securityGroups.count;
  const optedOut = plan.optedOutMicrosoft365GroupsWrittenBackByV1;
  const added = Math.max(plan.microsoft365GroupsWrittenBackByV1 - plan.microsoft365GroupsInOu, 0);
  const lines = [
    `PLAN: migration of Group Writeback V2 security groups to Cloud Sync on ${plan.server} (${CLOUD_SYNC_MIGRATION_DOC}), writeback OU ${plan.writebackOu}:`,
    `  - Cloud Sync takes over ${groupsText(security, "written-back security group")}${listed(plan.securityGroups)}; ` +
      `it matches them by msDS-ExternalDirectoryObjectID: ${plan.directoryObjectIdsToCopy} to copy from adminDescription, ` +
      `${plan.directoryObjectIdsAlreadySet} already set, ${plan.directoryObjectIdConflicts.count} that cannot be set${listed(plan.directoryObjectIdConflicts)}.`,
    `  - Without the name-keeping cn mapping Cloud Sync would rename ${groupsText(plan.renamedWithoutMapping.count)} ` +
      `(to <display name>_<last 12 of the objectId>), and without the target OU it would move ${groupsText(plan.movedWithoutTargetOu.count)} ` +
      `to its default container. Declared (${CLOUD_SYNC_KEY}): naming ${mapping.naming}, target ${mapping.targetOu ?? "(Cloud Sync's default)"}: ` +
      `${plan.renamedByDeclaredMapping.count} renamed, ${plan.movedByDeclaredTargetOu.count} moved.`,
    `  - Once GroupWritebackV2 is off (irreversible), Connect's group writeback v1 writes back EVERY Microsoft 365 group, ` +
      `whatever its writeback setting: ${groupsText(plan.microsoft365GroupsWrittenBackByV1, "Microsoft 365 group")}, ` +
      `including ${groupsText(optedOut.count, "opted-out group")} (writebackConfiguration.isEnabled = false)${listed(optedOut)}; ` +
      `${plan.microsoft365GroupsInOu} are in the OU now, ${added} will be added.`,
    `  - Order: ${[...MIGRATION_STEPS.slice(1).map((step) => STEP_TITLES[step]), CLOUD_SYNC_STEP_TITLE].join(" -> ")}.`,
    plan.groupWritebackV2
      ? plan.confirmed
        ? `  - GroupWritebackV2 off: CONFIRMED by ${MIGRATION_KEY}.${CONFIRM_KEY}.`
        : `  - GroupWritebackV2 off: NOT CONFIRMED. The migration stops before it until ${MIGRATION_KEY}.${CONFIRM_KEY} is true.`
      : "  - GroupWritebackV2 is already off for the tenant.",
  ];
  return lines.join("\n");
}
