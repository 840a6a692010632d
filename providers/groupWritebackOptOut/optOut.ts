// The work of GroupWritebackOptOut, on a GraphClient: read the selection page by page and PATCH only the groups
// that are not already as declared (idempotent; a run interrupted and started again re-reads every page but
// writes only what the interrupted run had not written). Also used by tools/benchOptOut.ts.
import type { GraphClient } from "../../graph/client";
import { filterLiteral, MAX_IN_VALUES } from "../../graph/groupFilter";
import type { GraphGroup } from "../../graph/schemas";
import type { Progress } from "../common/progress";
import { type GroupSet, type OptOutReport, type OptOutSelection, SAMPLE_SIZE } from "./schema";

/** Microsoft 365 groups: what "all" selects (Microsoft's documented query). */
export const UNIFIED_FILTER = "groupTypes/any(c:c eq 'Unified')";
const SELECT = [
  "id",
  "displayName",
  "groupTypes",
  "onPremisesSyncEnabled",
  "writebackConfiguration",
] as const;

/** Counts a set of ids and keeps the first few. */
class SetBuilder {
  count = 0;
  readonly sample: string[] = [];
  add(id: string): void {
    this.count++;
    if (this.sample.length < SAMPLE_SIZE) this.sample.push(id);
  }
  done(): GroupSet {
    return { count: this.count, sample: [...this.sample] };
  }
}

export interface OptOutPlan {
  groups: OptOutSelection;
  keepEnabled: readonly string[];
  concurrency: number;
  /** $top of each /groups page; default 999. */
  pageSize?: number;
}

export interface RunOptions {
  progress: Progress;
  /** Runs once, before the first PATCH (the live preflight). */
  beforeFirstWrite?: () => Promise<void>;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

const isMicrosoft365 = (group: GraphGroup): boolean =>
  (group.groupTypes ?? []).some((type) => type.toLowerCase() === "unified");

/** The groups with these ids, `in` clauses of at most 15 ids; missing ones reported. */
async function* groupsById(
  graph: GraphClient,
  ids: readonly string[],
): AsyncGenerator<{ groups: GraphGroup[]; missing: string[] }> {
  for (const chunk of chunks(ids, MAX_IN_VALUES)) {
    const found = await graph.listGroups({
      filter: `id in (${chunk.map(filterLiteral).join(", ")})`,
      select: SELECT,
    });
    const seen = new Set(found.map((group) => group.id.toLowerCase()));
    yield { groups: found, missing: chunk.filter((id) => !seen.has(id)) };
  }
}

/** The selection, page by page (an id list in chunks of 15), with the ids Graph does not know. */
function selectionPages(
  graph: GraphClient,
  plan: OptOutPlan,
): AsyncGenerator<{ groups: GraphGroup[]; missing: string[] }> {
  const selection = plan.groups;
  if (selection !== "all" && "ids" in selection) return groupsById(graph, selection.ids);
  const filter = selection === "all" ? UNIFIED_FILTER : selection.filter;
  return (async function* () {
    for await (const page of graph.groupPages({ filter, select: SELECT, top: plan.pageSize ?? 999 })) {
      yield { groups: page.groups, missing: [] };
    }
  })();
}

/** Runs `work` over the items, at most `concurrency` at once; after a failure no new item starts, and it throws. */
async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      try {
        await work(items[next++] as T);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const results = await Promise.allSettled(
    Array.from({ length: Math.min(concurrency, items.length) }, worker),
  );
  const failure = results.find((result) => result.status === "rejected");
  if (failure) throw failure.reason;
}

type Verdict = "optOut" | "alreadyOptedOut" | "onPremises" | "notMicrosoft365";

function verdict(group: GraphGroup): Verdict {
  // First: a group synced from AD (a security or distribution group there) is AD's to change, whatever its type.
  if (group.onPremisesSyncEnabled === true) return "onPremises";
  if (!isMicrosoft365(group)) return "notMicrosoft365";
  return group.writebackConfiguration?.isEnabled === false ? "alreadyOptedOut" : "optOut";
}

const plural = (count: number, what: string): string =>
  `${count.toLocaleString("en-US")} ${what}${count === 1 ? "" : "s"}`;

/** Sets isEnabled = false on the selection (keepEnabled excepted) and isEnabled = true on keepEnabled. */
export async function runOptOut(
  graph: GraphClient,
  plan: OptOutPlan,
  options: RunOptions,
): Promise<OptOutReport> {
  const { progress } = options;
  let prepared: Promise<void> | undefined;
  const beforeWrite = (): Promise<void> => (prepared ??= options.beforeFirstWrite?.() ?? Promise.resolve());
  const keep = new Set(plan.keepEnabled);
  const sets = {
    optedOut: new SetBuilder(),
    alreadyOptedOut: new SetBuilder(),
    skippedOnPremises: new SetBuilder(),
    skippedNotMicrosoft365: new SetBuilder(),
    notFound: new SetBuilder(),
    reEnabled: new SetBuilder(),
    keptEnabled: new SetBuilder(),
  };

  // keepEnabled first: a group kept is never opted out, not even for a moment.
  for await (const { groups, missing } of groupsById(graph, [...keep])) {
    for (const id of missing) sets.notFound.add(id);
    const toEnable: GraphGroup[] = [];
    for (const group of groups) {
      const what = verdict(group);
      if (what === "notMicrosoft365") sets.skippedNotMicrosoft365.add(group.id);
      else if (what === "onPremises") sets.skippedOnPremises.add(group.id);
      else if (group.writebackConfiguration?.isEnabled === true) sets.keptEnabled.add(group.id);
      else toEnable.push(group);
    }
    if (toEnable.length > 0) await beforeWrite();
    await inParallel(toEnable, plan.concurrency, async (group) => {
      await graph.updateGroupWriteback(group.id, { isEnabled: true });
      sets.reEnabled.add(group.id);
    });
  }
  if (keep.size > 0) {
    progress(
      `keepEnabled: ${plural(sets.reEnabled.count, "group")} set to isEnabled = true, ` +
        `${sets.keptEnabled.count.toLocaleString("en-US")} already enabled`,
    );
  }

  let pages = 0;
  let selected = 0;
  for await (const { groups, missing } of selectionPages(graph, plan)) {
    pages++;
    selected += groups.length;
    for (const id of missing) sets.notFound.add(id);
    const toOptOut: GraphGroup[] = [];
    let skipped = 0;
    for (const group of groups) {
      const id = group.id.toLowerCase();
      if (keep.has(id)) continue;
      const what = verdict(group);
      if (what === "optOut") toOptOut.push(group);
      else {
        if (what !== "alreadyOptedOut") skipped++;
        ({
          alreadyOptedOut: sets.alreadyOptedOut,
          onPremises: sets.skippedOnPremises,
          notMicrosoft365: sets.skippedNotMicrosoft365,
        })[what].add(group.id);
      }
    }
    if (toOptOut.length > 0) await beforeWrite();
    // Every PATCH of a page ends before the next page is read: an interrupted run has finished whole pages.
    await inParallel(toOptOut, plan.concurrency, async (group) => {
      await graph.updateGroupWriteback(group.id, { isEnabled: false });
      sets.optedOut.add(group.id);
    });
    progress(
      `page ${pages}: ${plural(groups.length, "group")} read (${selected.toLocaleString("en-US")} so far), ` +
        `${toOptOut.length.toLocaleString("en-US")} opted out, ` +
        `${(groups.length - toOptOut.length - skipped).toLocaleString("en-US")} already opted out or kept, ` +
        `${skipped.toLocaleString("en-US")} skipped`,
    );
  }
  const report: OptOutReport = {
    selected,
    optedOut: sets.optedOut.done(),
    alreadyOptedOut: sets.alreadyOptedOut.done(),
    skippedOnPremises: sets.skippedOnPremises.done(),
    skippedNotMicrosoft365: sets.skippedNotMicrosoft365.done(),
    notFound: sets.notFound.done(),
    reEnabled: sets.reEnabled.done(),
    keptEnabled: sets.keptEnabled.done(),
    pages,
  };
  progress(summary(report));
  return report;
}

/** One line: what the run changed and what it skipped, and why. */
export function summary(report: OptOutReport): string {
  const parts = [
    `${plural(report.optedOut.count, "Microsoft 365 group")} opted out of writeback (isEnabled = false)`,
    `${report.alreadyOptedOut.count.toLocaleString("en-US")} already opted out (not written)`,
  ];
  if (report.reEnabled.count + report.keptEnabled.count > 0)
    parts.push(
      `keepEnabled: ${report.reEnabled.count.toLocaleString("en-US")} set to isEnabled = true, ` +
        `${report.keptEnabled.count.toLocaleString("en-US")} already enabled`,
    );
  if (report.skippedOnPremises.count > 0)
    parts.push(
      `${plural(report.skippedOnPremises.count, "group")} skipped: mastered on-premises (onPremisesSyncEnabled)`,
    );
  if (report.skippedNotMicrosoft365.count > 0)
    parts.push(
      `${plural(report.skippedNotMicrosoft365.count, "group")} skipped: not Microsoft 365 groups ` +
        `(${report.skippedNotMicrosoft365.sample.slice(0, 3).join(", ")}${report.skippedNotMicrosoft365.count > 3 ? ", …" : ""})`,
    );
  if (report.notFound.count > 0)
    parts.push(
      `${plural(report.notFound.count, "id")} not found in the tenant (${report.notFound.sample.slice(0, 3).join(", ")}${report.notFound.count > 3 ? ", …" : ""})`,
    );
  return `${parts.join("; ")} (${plural(report.selected, "group")} selected, ${plural(report.pages, "page")} read)`;
}

/**
 * What is no longer as declared, read without writing: groups of the selection written back again (isEnabled not
 * false) and keepEnabled groups opted out.
 */
export async function findDrift(graph: GraphClient, plan: OptOutPlan): Promise<GroupSet> {
  const keep = new Set(plan.keepEnabled);
  const drifted = new SetBuilder();
  for await (const { groups } of groupsById(graph, [...keep])) {
    for (const group of groups) {
      if (verdict(group) !== "notMicrosoft365" && verdict(group) !== "onPremises") {
        if (group.writebackConfiguration?.isEnabled === false) drifted.add(group.id);
      }
    }
  }
  for await (const { groups } of selectionPages(graph, plan)) {
    for (const group of groups) {
      if (!keep.has(group.id.toLowerCase()) && verdict(group) === "optOut") drifted.add(group.id);
    }
  }
  return drifted.done();
}

/** onDelete reEnable: isEnabled = true on the selection's opted-out Microsoft 365 groups (keepEnabled excepted). */
export async function reEnableSelection(
  graph: GraphClient,
  plan: OptOutPlan,
  progress: Progress,
): Promise<GroupSet> {
  const keep = new Set(plan.keepEnabled);
  const enabled = new SetBuilder();
  for await (const { groups } of selectionPages(graph, plan)) {
    const opted = groups.filter(
      (group) => !keep.has(group.id.toLowerCase()) && verdict(group) === "alreadyOptedOut",
    );
    await inParallel(opted, plan.concurrency, async (group) => {
      await graph.updateGroupWriteback(group.id, { isEnabled: true });
      enabled.add(group.id);
    });
  }
  progress(
    `re-enabled writeback (isEnabled = true) on ${plural(enabled.count, "Microsoft 365 group")} (onDelete: reEnable)`,
  );
  return enabled.done();
}
