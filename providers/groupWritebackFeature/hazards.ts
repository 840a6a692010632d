// The dangers Microsoft documents for group writeback, in words a person can act on, with counts from the live
// tenant (getCloudGroupWriteback). Each message says what happened or will happen, how many groups (and which),
// and what a person can do. Providers print them in preview (check, diff) and in the update.
import type { EntraConnectClient } from "../../contract/backend";
import type { CloudGroupWriteback, GroupSet } from "../../contract/contract";
import { DELETE_RULE_NAME } from "../../domain/groupWritebackRules";

/** How many groups a message names before "and N more". */
export const SAMPLE_SIZE = 10;

export const MODIFY_WRITEBACK_DOC =
  "https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-modify-group-writeback";
export const DISABLE_WRITEBACK_DOC =
  "https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-group-writeback-disable";
export const CLOUD_SYNC_MIGRATION_DOC =
  "https://learn.microsoft.com/entra/identity/hybrid/cloud-sync/migrate-group-writeback";

/** The tenant's groups by writeback setting, or why they could not be read (the hazard is shown anyway). */
export type Exposure = { ok: true; counts: CloudGroupWriteback } | { ok: false; reason: string };

export async function readExposure(client: EntraConnectClient, dn: string | null): Promise<Exposure> {
  try {
    return { ok: true, counts: await client.call("getCloudGroupWriteback", { dn, sampleSize: SAMPLE_SIZE }) };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

export function countsUnavailable(exposure: Exposure): string {
  return exposure.ok ? "" : ` (The group counts could not be read from the tenant: ${exposure.reason})`;
}

/** "Legal (CN=...), Sales and 3 more". */
export function describeSet(set: GroupSet): string {
  const names = set.sample.map((group) =>
    group.dn ? `${group.displayName} (${group.dn})` : group.displayName,
  );
  const more = set.count - set.sample.length;
  if (names.length === 0) return "";
  return more > 0 ? `${names.join(", ")} and ${more} more` : names.join(", ");
}

function groups(count: number, what = "group"): string {
  return `${count} ${what}${count === 1 ? "" : "s"}`;
}

/** The opted-out Microsoft 365 groups in the OU, with a sample: the ones v1 wrote back that should not be in AD. */
export function optedOutInOu(exposure: Exposure): GroupSet | null {
  return exposure.ok ? (exposure.counts.inOu?.optedOutMicrosoft365 ?? null) : null;
}

/** The stack key that declares Microsoft's delete rule (components/schema.ts, docs/defaults.md). */
export const DELETE_RULE_KEY = "entra-writeback:defaults.deleteRulePrecedence";

const REMEDIES = (ou: string) =>
  `What you can do: (a) add Microsoft's documented delete rule "${DELETE_RULE_NAME}" (${MODIFY_WRITEBACK_DOC}) ` +
  `with this stack: \`pulumi config set --path ${DELETE_RULE_KEY} 50\` (a precedence from 0 to 99 that no other ` +
  "sync rule on the server has; a taken one is refused with the lowest free one), then pulumi up; the rule makes " +
  "the next sync cycle a full one, which deletes the groups disabled for writeback from Active Directory; or (b) " +
  `delete them from ${ou} by hand (Remove-ADGroup), after checking nothing on-premises uses them. Then, or if you ` +
  "decide to keep them, set entra-writeback:acknowledgedOptedOutGroups to the number you accept and run pulumi " +
  "up: until then the stack stays not converged (output needsAttention, and the drift report).";

/**
 * Hazard: v1 was enabled in the wizard while GroupWritebackV2 was off, so v1 alone wrote back every Microsoft
 * 365 group. Shown before v2 is turned on (preview, and the update that turns it on).
 */
export function v1BeforeV2Message(server: string, ou: string | null, exposure: Exposure): string {
  const set = optedOutInOu(exposure);
  const where = ou ?? "the writeback OU";
  const found =
    set === null
      ? ""
      : set.count === 0
        ? ` No Microsoft 365 group that opted out of writeback is in ${where}.`
        : ` ${groups(set.count, "Microsoft 365 group")} that opted out of writeback (writebackConfiguration.isEnabled = false) ` +
          `${set.count === 1 ? "is" : "are"} in ${where} and should not be in Active Directory: ${describeSet(set)}.`;
  return (
    `HAZARD: group writeback v1 was enabled in the wizard on ${server} while GroupWritebackV2 was off. Until v2 is ` +
    "on, v1 alone writes back EVERY Microsoft 365 group, ignoring each group's writeback setting." +
    found +
    " Turning GroupWritebackV2 on (this stack does it) stops that, but it does not remove the groups already " +
    "written back: v2 leaves them in Active Directory." +
    (set !== null && set.count > 0 ? ` ${REMEDIES(where)}` : "") +
    countsUnavailable(exposure)
  );
}

/** The state that stays after v2 is on: opted-out groups in the OU that no person has acknowledged. */
export function optedOutInOuMessage(ou: string, set: GroupSet, acknowledged: number): string {
  return (
    `NOT CONVERGED: ${groups(set.count, "Microsoft 365 group")} that opted out of writeback ` +
    `(writebackConfiguration.isEnabled = false) ${set.count === 1 ? "is" : "are"} in ${ou}, where the current rules ` +
    `would not write ${set.count === 1 ? "it" : "them"} back (typically: v1 wrote them back before GroupWritebackV2 ` +
    `was on): ${describeSet(set)}. entra-writeback:acknowledgedOptedOutGroups is ${acknowledged}. ${REMEDIES(ou)}`
  );
}

/** Hazard: groupWritebackV2 skip, with v2 off: v1 alone writes back every Microsoft 365 group. */
export function skipMessage(exposure: Exposure): string {
  const counts = exposure.ok
    ? ` On this tenant that is all ${groups(exposure.counts.microsoft365Groups, "Microsoft 365 group")}, ` +
      `including the ${exposure.counts.optedOutMicrosoft365Groups.count} that opted out of writeback ` +
      `(writebackConfiguration.isEnabled = false)` +
      (exposure.counts.optedOutMicrosoft365Groups.count > 0
        ? `: ${describeSet(exposure.counts.optedOutMicrosoft365Groups)}.`
        : ".") +
      (exposure.counts.writebackEnabledSecurityGroups > 0
        ? ` The ${groups(exposure.counts.writebackEnabledSecurityGroups, "security group")} enabled for writeback ` +
          `${exposure.counts.writebackEnabledSecurityGroups === 1 ? "is" : "are"} not written back (v1 writes back ` +
          "Microsoft 365 groups only)."
        : "")
    : countsUnavailable(exposure);
  return (
    "groupWritebackV2 is skip and GroupWritebackV2 is off: group writeback v1 alone writes back EVERY Microsoft 365 " +
    "group, ignoring each group's writeback setting." +
    counts +
    " If that is not what you want, do not do the wizard step; provision groups with Microsoft Entra Cloud Sync " +
    `instead (${CLOUD_SYNC_MIGRATION_DOC}).`
  );
}

/** Hazard: GroupWritebackV2 was on when the stack last ran and was turned off outside it. */
export function v2TurnedOffMessage(server: string, ou: string | null, exposure: Exposure): string {
  let consequences: string;
  if (exposure.ok) {
    const optedOut = exposure.counts.optedOutMicrosoft365Groups;
    const inOu = exposure.counts.inOu;
    const notYetInAd = inOu ? optedOut.count - inOu.optedOutMicrosoft365.count : optedOut.count;
    consequences =
      ` On the next sync cycle, v1 alone writes back every Microsoft 365 group, ignoring each group's writeback ` +
      `setting: the ${groups(optedOut.count, "Microsoft 365 group")} that opted out (${notYetInAd} not yet in ` +
      `Active Directory)${optedOut.count > 0 ? `: ${describeSet(optedOut)}` : ""}.` +
      (inOu
        ? ` And it DELETES the ${groups(inOu.security.count, "security group")} v2 wrote back to ${ou}` +
          `${inOu.security.count > 0 ? `: ${describeSet(inOu.security)}` : ""}.`
        : "");
  } else {
    consequences =
      " On the next sync cycle, v1 alone writes back every Microsoft 365 group, ignoring each group's writeback " +
      `setting, and deletes the security groups v2 wrote back.${countsUnavailable(exposure)}`;
  }
  return (
    `GroupWritebackV2 was on when this stack last ran and has been turned off outside it, on the tenant of ${server}. ` +
    `Microsoft documents turning it off as irreversible (${CLOUD_SYNC_MIGRATION_DOC}).${consequences}` +
    " This needs a person. Options: (1) stop the next cycle now: pause the scheduler on the server with " +
    "`Set-ADSyncScheduler -SyncCycleEnabled $false`, and do not run pulumi up meanwhile (this stack turns the " +
    "scheduler back on); (2) re-enable GroupWritebackV2 with pulumi up if the tenant still allows it (current " +
    "tenants refuse; the stack then says so); (3) migrate the security groups to Microsoft Entra Cloud Sync " +
    `(Group Provision to Active Directory, ${CLOUD_SYNC_MIGRATION_DOC}), then set entra-writeback:groupWritebackV2 ` +
    "to skip, accepting that v1 alone writes back every Microsoft 365 group."
  );
}

const announced = new Set<string>();

/**
 * Prints a hazard once per provider process: the engine may call check and diff more than once for a resource in
 * one run (refresh, then the step), and one clear statement is easier to read than several.
 */
export function announceOnce(resource: string, message: string): void {
  const line = `[entra-writeback] ${resource}: ${message}`;
  if (announced.has(line)) return;
  announced.add(line);
  console.log(line);
}

/** Hazard: an edit of writebackOu or dnFormat after v1 is enabled; only the wizard can apply it, at a cost. */
export function wizardChangeMessage(change: {
  currentOu: string;
  declaredOu: string;
  currentDnFormat: string;
  declaredDnFormat: string;
  writtenBack: number;
}): string {
  const edits = [
    change.declaredOu !== change.currentOu ? `writebackOu ${change.currentOu} -> ${change.declaredOu}` : null,
    change.declaredDnFormat !== change.currentDnFormat
      ? `dnFormat ${change.currentDnFormat} -> ${change.declaredDnFormat}`
      : null,
  ].filter((edit): edit is string => edit !== null);
  const restore = [
    change.declaredOu !== change.currentOu ? `writebackOu back to ${change.currentOu}` : null,
    change.declaredDnFormat !== change.currentDnFormat ? `dnFormat back to ${change.currentDnFormat}` : null,
  ].filter((edit): edit is string => edit !== null);
  return (
    `CHANGE NEEDS A PERSON: ${edits.join(" and ")}. Group writeback v1 is enabled, and Entra Connect chooses its OU ` +
    "and DN format only when group writeback is enabled in the wizard, so pulumi up cannot apply this change: it " +
    "will stop at this resource with the wizard steps. Applying it means a person disables group writeback in the " +
    `wizard, which DELETES all ${groups(change.writtenBack)} written back to ${change.currentOu} from Active ` +
    `Directory on the next sync cycle (${DISABLE_WRITEBACK_DOC}), then enables it again with the new settings; ` +
    "the groups are then created again as new objects (new SIDs: permissions granted to the old ones are lost). " +
    `To keep the current configuration, set entra-writeback:${restore.join(" and entra-writeback:")}.`
  );
}
