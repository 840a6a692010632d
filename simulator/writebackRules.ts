// Which cloud groups a server writes back, as what, and under which DN (https://learn.microsoft.com/en-us/entra/identity/hybrid/connect/how-to-connect-group-writeback-v2, https://learn.microsoft.com/en-us/entra/identity/hybrid/connect/how-to-connect-group-writeback-enable).
import { DISPLAY_NAME_CN_MAX, displayNameCommonName } from "../domain/cloudSyncMigration";
import { escapeDnValue } from "../domain/dn";
import type { CloudGroup, Server, Tenant } from "./model";
import { type DeleteRuleEffect, deleteRuleEffect, noFlowRulesInPlace } from "./syncRules";

export type GroupCategory = "Distribution" | "Security";

export interface WritebackFlags {
  /** Original group writeback: the wizard's optional feature on this server and the tenant's UnifiedGroupWriteback. */
  v1: boolean;
  /** GroupWritebackV2, tenant-wide. */
  v2: boolean;
  /** What the server's custom delete rule deletes instead of keeping (none without it). */
  deleteRule?: DeleteRuleEffect;
  /** The two custom rules of the migration to Cloud Sync are in place: security groups are joined, nothing flows. */
  noFlow?: boolean;
}

export type WritebackDecision =
  /** Written back (created or kept up to date) with this category. */
  | { action: "write"; category: GroupCategory }
  /** Not written back; a group already in AD stays there untouched (v2: opted out or soft-deleted). */
  | { action: "keep"; reason: string }
  /** Not written back; a group already in AD is deleted. */
  | { action: "delete"; reason: string };

export function writebackFlags(tenant: Tenant, server: Server): WritebackFlags {
  return {
    v1: server.groupWriteback.optionalFeatureGroupWriteBack && tenant.features.unifiedGroupWriteback,
    v2: tenant.features.groupWritebackV2,
    deleteRule: deleteRuleEffect(server.syncRules),
    noFlow: noFlowRulesInPlace(server.syncRules),
  };
}

export function decideWriteback(group: CloudGroup, flags: WritebackFlags): WritebackDecision {
  if (!flags.v1) return { action: "delete", reason: "group writeback (v1) is not enabled on this server" };
  // The writeback rules' scope is cloudMastered = true: a group synced from AD is never written back to it.
  if (group.onPremisesSyncEnabled === true)
    return { action: "keep", reason: "mastered on-premises (synced from Active Directory)" };
  // The migration's rules (https://learn.microsoft.com/en-us/entra/identity/hybrid/cloud-sync/migrate-group-writeback):
  // a live cloud security group (cloud-mastered, no mail) is joined without flow, so Connect neither updates nor
  // deletes its AD copy, whether v2 is on or off. A deleted cloud group leaves the Entra connector's scope: unchanged.
  if (flags.noFlow && group.type === "security" && group.deleted === "none") {
    return {
      action: "keep",
      reason: "joined without flow (the cloudNoFlow rules of the migration to Cloud Sync)",
    };
  }
  if (!flags.v2) {
    // v1 alone ignores writebackConfiguration.isEnabled and knows only Microsoft 365 groups.
    if (group.deleted !== "none") return { action: "delete", reason: `${group.deleted}-deleted in Entra ID` };
    if (group.type === "security") {
      return { action: "delete", reason: "security groups are written back only with Group Writeback V2" };
    }
    return { action: "write", category: "Distribution" };
  }
  if (group.deleted === "hard") return { action: "delete", reason: "hard-deleted in Entra ID" };
  // v2 freezes rather than deletes (https://learn.microsoft.com/en-us/entra/identity/hybrid/connect/how-to-connect-group-writeback-v2): the AD copy stays until the cloud group is hard-deleted.
  // With Microsoft's custom delete rule (https://learn.microsoft.com/en-us/entra/identity/hybrid/connect/how-to-connect-modify-group-writeback)
  // such groups are deleted from AD instead.
  if (group.deleted === "soft") {
    if (flags.deleteRule?.softDeleted)
      return { action: "delete", reason: "soft-deleted in Entra ID (the custom delete rule deletes it)" };
    return { action: "keep", reason: "soft-deleted in Entra ID (an AD copy stays until it is hard-deleted)" };
  }
  const outOfScope = (reason: string): WritebackDecision =>
    flags.deleteRule?.outOfScope
      ? { action: "delete", reason: `${reason} (the custom delete rule deletes it)` }
      : { action: "keep", reason };
  if (group.type === "m365") {
    if (group.writebackEnabled === false)
      return outOfScope("writeback disabled on the group (isEnabled = false)");
    return { action: "write", category: categoryOf(group) };
  }
  if (group.writebackEnabled === true) return { action: "write", category: "Security" };
  return outOfScope("security group not enabled for writeback (isEnabled is not true)");
}

function categoryOf(group: CloudGroup): GroupCategory {
  return group.onPremisesGroupType === undefined || group.onPremisesGroupType === "universalDistributionGroup"
    ? "Distribution"
    : "Security";
}

/** The cloud anchor Connect stores in adminDescription. */
export function cloudAnchor(objectId: string): string {
  return `Group_${objectId}`;
}

const ANCHOR_PATTERN =
  /^Group_([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;

export function objectIdFromAnchor(adminDescription: string | null): string | null {
  if (adminDescription === null) return null;
  return ANCHOR_PATTERN.exec(adminDescription)?.[1]?.toLowerCase() ?? null;
}

/** The maximum display-name length the "Out to AD - Group SOAInAAD - DN" rule keeps (not on a public Microsoft page: see docs/simulator.md, DN). */
export const DISPLAY_NAME_DN_MAX = DISPLAY_NAME_CN_MAX;

/** The RDN value of a written-back group. */
export function writebackCommonName(
  group: Pick<CloudGroup, "objectId" | "displayName">,
  displayNameDn: boolean,
): string {
  if (!displayNameDn) return cloudAnchor(group.objectId);
  return displayNameCommonName(group.displayName, group.objectId);
}

export function writebackDn(
  group: Pick<CloudGroup, "objectId" | "displayName">,
  containerDn: string,
  displayNameDn: boolean,
): string {
  return `CN=${escapeDnValue(writebackCommonName(group, displayNameDn))},${containerDn}`;
}
