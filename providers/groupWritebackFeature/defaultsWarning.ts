// A stack that declares no `defaults` enables group writeback as before, but its preview says what that costs: how
// many existing Microsoft 365 groups the enabled writeback writes back to AD, counted in the live tenant (Microsoft
// Graph when the stack configures it, otherwise the tenant as the Entra Connect server sees it). Microsoft's procedure
// warns about exactly this before enabling group writeback ("Modify Microsoft Entra Connect group writeback default
// behavior"); docs/defaults.md. Printed by the v1 resource's check while v1 is not in the stack's state yet.
import type { EntraConnectClient } from "../../contract/backend";
import type { GraphClient } from "../../graph";

/** The tenant's Microsoft 365 groups as group writeback sees them, and where they were counted. */
export interface WritebackExposure {
  microsoft365Groups: number;
  optedOut: number;
  /** "Microsoft Graph (tenant …)" or "the Entra Connect server (…)". */
  countedBy: string;
}

/** The Graph read: Microsoft 365 groups, and what decides whether one is written back. */
export const UNIFIED_GROUPS_FILTER = "groupTypes/any(c:c eq 'Unified')";

/** Counts in Microsoft Graph: cloud Microsoft 365 groups, and those opted out (writebackConfiguration.isEnabled false). */
export async function countInGraph(graph: GraphClient): Promise<Omit<WritebackExposure, "countedBy">> {
  let microsoft365Groups = 0;
  let optedOut = 0;
  for await (const page of graph.groupPages({
    filter: UNIFIED_GROUPS_FILTER,
    select: ["id", "onPremisesSyncEnabled", "writebackConfiguration"],
  })) {
    for (const group of page.groups) {
      if (group.onPremisesSyncEnabled === true) continue; // mastered in AD: never written back
      microsoft365Groups++;
      if (group.writebackConfiguration?.isEnabled === false) optedOut++;
    }
  }
  return { microsoft365Groups, optedOut };
}

/**
 * The count is a warning, not a step: it must not hold the preview through the Graph client's usual retries (about
 * a minute when Graph is unreachable). One retry, waiting at most 2 s, and 15 s in all; then the warning says the
 * count failed and why.
 */
export const GRAPH_COUNT_RETRY = { maxRetries: 1, maxDelayMs: 2_000 } as const;
export const GRAPH_COUNT_DEADLINE_MS = 15_000;

/** `work`, or a rejection saying `what` took longer than `ms`. */
export async function withinDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)),
      ms,
    );
    timer.unref();
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Counts as the Connect server sees the tenant (getCloudGroupWriteback). */
export async function countOnServer(client: EntraConnectClient): Promise<WritebackExposure> {
  const tenant = await client.call("getCloudGroupWriteback", { dn: null, sampleSize: 0 });
  return {
    microsoft365Groups: tenant.microsoft365Groups,
    optedOut: tenant.optedOutMicrosoft365Groups.count,
    countedBy: `the Entra Connect server (${client.description}; entra-writeback:graph is not set)`,
  };
}

const ADVICE =
  "Microsoft's procedure changes the default writeback behaviour before enabling group writeback " +
  '("Modify Microsoft Entra Connect group writeback default behavior"): declare entra-writeback:defaults (see ' +
  "docs/defaults.md) to set the tenant default and opt groups out first, or go ahead if all of them belong in AD.";

/**
 * The warning's text. `v1Alone`: the stack skips v2, and v1 alone writes back every Microsoft 365 group, opted out
 * or not.
 */
export function noDefaultsWarning(exposure: WritebackExposure, v1Alone: boolean): string {
  const written = v1Alone ? exposure.microsoft365Groups : exposure.microsoft365Groups - exposure.optedOut;
  const which = v1Alone
    ? `every one of the tenant's ${exposure.microsoft365Groups} existing Microsoft 365 groups (groupWritebackV2 is skip: v1 alone ignores each group's writeback setting)`
    : `${written} of the tenant's ${exposure.microsoft365Groups} existing Microsoft 365 groups (all but the ${exposure.optedOut} opted out of writeback)`;
  return (
    `NO DEFAULTS DECLARED: group writeback will write back ${which} to Active Directory; counted by ` +
    `${exposure.countedBy}. ${ADVICE}`
  );
}

/** When the count fails: the warning without a number (it never blocks the preview). */
export function noDefaultsUncounted(reason: string): string {
  return (
    "NO DEFAULTS DECLARED: group writeback will write back the tenant's existing Microsoft 365 groups that are not " +
    `opted out; counting them failed (${reason.split("\n")[0]}). ${ADVICE}`
  );
}
