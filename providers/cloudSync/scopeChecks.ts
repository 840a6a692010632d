// The documented limits of "Selected security groups", checked against the live groups before any change: only
// cloud security groups (not mail-enabled, not Microsoft 365, not synced from AD), at most 10,000 groups and 250,000
// direct members in all, no group over 50,000 members. One message names every offending group.
import { LIMITS } from "../../domain/cloudSync";
import { isNotFound, type ScopeGroup, type SynchronizationApi } from "../../graph/synchronization";
import type { Progress } from "../common/progress";
import { CloudSyncRefusal } from "./graph";

const number = (value: number) => value.toLocaleString("en-US");

/** At most `width` calls at a time, results in input order. */
async function inPool<T, R>(items: readonly T[], width: number, call: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await call(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}

function refusal(group: ScopeGroup): string | null {
  if (group.securityEnabled !== true)
    return "not a security group (Cloud Sync provisions security groups only; distribution groups are not supported)";
  if (group.mailEnabled === true) return "mail-enabled (mail-enabled security groups are not supported)";
  if (group.groupTypes?.includes("Unified"))
    return "a Microsoft 365 group (they stay with Connect Sync's group writeback)";
  if (group.onPremisesSyncEnabled === true)
    return "synced from on-premises AD (Cloud Sync provisions cloud groups only)";
  return null;
}

export interface ScopeCheck {
  memberCount: number;
  /** Of `applied`, the groups gone from Entra ID: left out (said), not refused. */
  gone: string[];
}

/**
 * Passed checks of this provider process, by group set, for a short while: the configuration checks the scope before
 * its first change and the scope resource checks it again before assigning, in the same deployment.
 */
const passed = new Map<string, { atMs: number; result: ScopeCheck }>();
const REUSE_MS = 120_000;

/** Reads every selected group and its member count; throws one message naming each group that breaks a limit. */
export async function checkScopeGroups(
  sync: SynchronizationApi,
  groupIds: readonly string[],
  progress: Progress,
  /** Groups assigned before: one of them no longer in the tenant was deleted since (not a typo). */
  applied: ReadonlySet<string> = new Set(),
): Promise<ScopeCheck> {
  const sorted = (ids: Iterable<string>) =>
    [...ids]
      .map((id) => id.toLowerCase())
      .sort()
      .join(",");
  // The result names the groups gone since they were assigned, so it depends on `applied` too.
  const key = `${sorted(groupIds)}|${sorted(applied)}`;
  const earlier = passed.get(key);
  if (earlier && Date.now() - earlier.atMs < REUSE_MS) return earlier.result;
  const result = await readAndCheck(sync, groupIds, progress, applied);
  passed.set(key, { atMs: Date.now(), result });
  return result;
}

async function readAndCheck(
  sync: SynchronizationApi,
  groupIds: readonly string[],
  progress: Progress,
  applied: ReadonlySet<string>,
): Promise<ScopeCheck> {
  const problems: string[] = [];
  if (groupIds.length > LIMITS.selectedGroups)
    problems.push(
      `${number(groupIds.length)} groups are selected: at most ${number(LIMITS.selectedGroups)} can be (declare all security groups with attribute filters, entra-writeback:cloudSync.allSecurityGroups, for more)`,
    );
  if (groupIds.length > 200)
    progress(`checking the ${number(groupIds.length)} selected groups against Cloud Sync's limits`);
  const read = await inPool(groupIds, 8, async (id) => {
    try {
      const group = await sync.scopeGroup(id);
      const reason = refusal(group);
      const members = reason === null ? await sync.memberCount(id) : 0;
      return { id, group, reason, members };
    } catch (error) {
      if (isNotFound(error)) return { id, group: null, reason: "no such group in the tenant", members: 0 };
      throw error;
    }
  });
  let total = 0;
  const gone: string[] = [];
  for (const each of read) {
    if (each.group === null && applied.has(each.id.toLowerCase())) {
      gone.push(each.id);
      progress(
        `${each.id} no longer exists in Entra ID (deleted since it was selected): left out of the scope, ` +
          "nothing to assign",
      );
      continue;
    }
    const name = each.group ? `${each.group.displayName ?? "(no display name)"} (${each.id})` : each.id;
    if (each.reason !== null) problems.push(`${name}: ${each.reason}`);
    else if (each.members > LIMITS.groupMembers)
      problems.push(
        `${name}: ${number(each.members)} members, more than the ${number(LIMITS.groupMembers)} Cloud Sync supports`,
      );
    total += each.members;
  }
  if (total > LIMITS.selectedMembers)
    problems.push(
      `the selected groups have ${number(total)} direct members in all: at most ${number(LIMITS.selectedMembers)} are supported with selected security groups`,
    );
  if (problems.length > 0) {
    throw new CloudSyncRefusal(
      `the Cloud Sync group scope breaks Microsoft's limits; nothing was changed:\n${problems.map((line) => `  - ${line}`).join("\n")}\n` +
        "Remove these groups from the selected groups (entra-writeback:cloudSync.groupIds), then run again.",
    );
  }
  return { memberCount: total, gone };
}
