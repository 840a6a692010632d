// The readable report `entra-sim show` prints: what an admin would look at on the server, in AD and in the tenant.
import { dnKey, isAtOrBelow } from "../domain/dn";
import { windowDescription } from "../domain/syncWindow";
import type { JournalEntry } from "./journal";
import type { AdGroup, Server, SimState } from "./model";
import { schedulerView } from "./operations";
import { groupsNotWrittenBack } from "./syncCycle";
import { objectIdFromAnchor } from "./writebackRules";

const LIST_LIMIT = 15;

function onOff(value: boolean): string {
  return value ? "on" : "off";
}

function limited<T>(items: readonly T[], render: (item: T) => string, indent: string): string[] {
  const lines = items.slice(0, LIST_LIMIT).map((item) => `${indent}${render(item)}`);
  if (items.length > LIST_LIMIT) lines.push(`${indent}... and ${items.length - LIST_LIMIT} more`);
  return lines;
}

export function writtenBackGroupsUnder(state: SimState, containerDn: string): AdGroup[] {
  const key = dnKey(containerDn);
  const groups: AdGroup[] = [];
  for (const [candidate, object] of Object.entries(state.domain.objects)) {
    if (
      object.objectClass === "group" &&
      objectIdFromAnchor(object.adminDescription) &&
      isAtOrBelow(candidate, key)
    ) {
      groups.push(object);
    }
  }
  return groups.sort((a, b) => a.dn.localeCompare(b.dn));
}

function serverLines(state: SimState, server: Server): string[] {
  const scheduler = schedulerView(state, server);
  const writeback = server.groupWriteback;
  const lines = [
    `Server ${server.name}: Entra Connect ${server.connectVersion}, ${server.stagingModeEnabled ? "STAGING mode" : "active"}`,
    `  Scheduler: SyncCycleInProgress=${scheduler.syncCycleInProgress}, SchedulerSuspended=${scheduler.schedulerSuspended}, ` +
      `next ${scheduler.nextSyncCyclePolicyType} cycle at ${scheduler.nextSyncCycleStartTimeInUtc}`,
  ];
  if (server.syncWindow) {
    const window = server.syncWindow;
    lines.push(
      `  Pause window: ${window.owner}, for ${windowDescription(window)}, ` +
        `opened ${window.openedAtUtc}, lapses ${window.expiresAtUtc}`,
    );
  }
  if (server.currentCycle) {
    lines.push(
      `  Running: ${server.currentCycle.policyType} cycle (${server.currentCycle.trigger}) until ${server.currentCycle.endsAt}`,
    );
  }
  if (server.lastCycle) {
    const last = server.lastCycle;
    lines.push(
      `  Last cycle: ${last.policyType} completed ${last.completedAt}: ${last.added} added, ${last.updated} updated, ` +
        `${last.deleted} deleted, ${last.pendingExports} pending, ${last.exportErrors} export errors`,
    );
  }
  lines.push(
    `  AD connector ${server.adConnector.name}, account ${server.adConnector.accountDn}`,
    `  Sync scope: include ${server.adConnector.includedContainers.join("; ")}; exclude ${server.adConnector.excludedContainers.join("; ") || "nothing"}`,
  );
  if (writeback.optionalFeatureGroupWriteBack && writeback.containerDn !== null) {
    lines.push(
      `  Group writeback (v1, wizard): enabled, OU ${writeback.containerDn}, DN format ${writeback.displayNameDn ? "<display name>_<last 12 of objectId>" : "Group_<objectId>"}`,
    );
    const written = writtenBackGroupsUnder(state, writeback.containerDn);
    lines.push(`  Written back under the OU: ${written.length}`);
    lines.push(
      ...limited(written, (group) => `${group.dn}  [${group.groupCategory}] ${group.displayName}`, "    "),
    );
  } else {
    lines.push("  Group writeback (v1, wizard): disabled");
    if (writeback.cleanupContainerDn)
      lines.push(
        `  Pending cleanup: written-back groups under ${writeback.cleanupContainerDn} are deleted by the next cycle`,
      );
  }
  // A group the current rules do not write back may still be in AD: v1 wrote it back before v2 was on, or v2
  // froze it (opted out, soft-deleted). Say where it is, so the report agrees with the directory.
  const container = writeback.containerDn ?? writeback.cleanupContainerDn;
  const inAd = new Map(
    (container ? writtenBackGroupsUnder(state, container) : []).map((group) => [
      objectIdFromAnchor(group.adminDescription),
      group,
    ]),
  );
  const decided = groupsNotWrittenBack(state, server);
  const absent = decided.filter(({ group }) => !inAd.has(group.objectId));
  const present = decided.filter(({ group }) => inAd.has(group.objectId));
  lines.push(`  Not written back: ${absent.length}`);
  lines.push(
    ...limited(
      absent,
      ({ group, reason }) => `${group.displayName} (${group.type}, ${group.objectId}): ${reason}`,
      "    ",
    ),
  );
  if (present.length > 0) {
    lines.push(`  In the OU, but not written back by the current rules: ${present.length}`);
    lines.push(
      ...limited(
        present,
        ({ group, reason, action }) =>
          `${inAd.get(group.objectId)?.dn} ${group.displayName} (${group.type}): ${reason}; ` +
          (action === "delete" ? "the next cycle deletes it" : "it stays in AD, no longer updated"),
        "    ",
      ),
    );
  }
  lines.push(`  Pending exports: ${server.pendingExports.length}`);
  lines.push(...limited(server.pendingExports, (pending) => `${pending.modification} ${pending.dn}`, "    "));
  lines.push(`  Export errors: ${server.exportErrors.length}`);
  lines.push(
    ...limited(
      server.exportErrors,
      (error) => `${error.modification} ${error.dn}: ${error.errorType}: ${error.message}`,
      "    ",
    ),
  );
  return lines;
}

export function journalLine(entry: JournalEntry): string {
  if (entry.kind === "event") {
    return `${entry.at} ${entry.server ?? "-"} event ${entry.event} ${JSON.stringify(entry.details)}`;
  }
  const outcome = entry.outcome === "ok" ? "ok" : `error ${entry.code}: ${entry.message}`;
  const who = entry.stack !== undefined ? `${entry.client} (${entry.stack})` : entry.client;
  return `${entry.at} ${entry.server} ${who} ${entry.operation} ${JSON.stringify(entry.args)} -> ${outcome}`;
}

export function renderSummary(
  file: string,
  state: SimState,
  journal: readonly JournalEntry[],
  journalLines: number,
): string {
  const tenant = state.tenant;
  const features = tenant.features;
  const m365 = tenant.groups.filter((group) => group.type === "m365").length;
  const lines = [
    `State ${file} (schema ${state.schemaVersion}), clock ${state.clock.mode === "real" ? "real" : `simulated, now ${state.clock.now}`}, cycles last ${state.settings.syncSeconds} s`,
    `Tenant ${tenant.name} (${tenant.era} era): ${m365} Microsoft 365 groups, ${tenant.groups.length - m365} security groups`,
    `  Features: PasswordHashSync=${onOff(features.passwordHashSync)}, ForcePasswordChangeOnLogOn=${onOff(features.forcePasswordChangeOnLogOn)}, ` +
      `UserWriteback=${onOff(features.userWriteback)}, DeviceWriteback=${onOff(features.deviceWriteback)}, ` +
      `UnifiedGroupWriteback=${onOff(features.unifiedGroupWriteback)}, GroupWritebackV2=${onOff(features.groupWritebackV2)}` +
      (tenant.v2EverDisabled ? " (disabled once: cannot be re-enabled)" : ""),
    `  Scheduler (shared by all servers): SyncCycleEnabled=${tenant.scheduler.syncCycleEnabled}, MaintenanceEnabled=${tenant.scheduler.maintenanceEnabled}, ` +
      `CustomizedSyncCycleInterval=${tenant.scheduler.customizedSyncCycleInterval ?? "(none)"}`,
    `Domain ${state.domain.dnsName} (${state.domain.rootDn}): ${Object.keys(state.domain.objects).length} objects`,
  ];
  for (const server of state.servers) lines.push(...serverLines(state, server));
  if (state.faults.length > 0) {
    lines.push(
      `Faults armed: ${state.faults.map((f) => `${f.operation} x${f.remaining} (${f.kind})`).join(", ")}`,
    );
  }
  const tail = journal.slice(-journalLines);
  lines.push(`Journal: last ${tail.length} of ${journal.length} entries`);
  lines.push(...tail.map((entry) => `  ${journalLine(entry)}`));
  return lines.join("\n");
}
