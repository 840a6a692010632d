// GroupWritebackOptOut: writebackConfiguration.isEnabled = false on existing Microsoft 365 groups through Microsoft
// Graph (docs/defaults.md). The work is in optOut.ts; here the dynamic provider's methods.
import type { ProviderImplementation } from "../common/defineResource";
import { containsUnknown } from "../common/checkInputs";
import { clientFor } from "../common/connection";
import { diffByKeys } from "../common/diff";
import { withGraph } from "../common/graphAccess";
import { preflight } from "../common/preflight";
import { progressFor } from "../common/progress";
import { findDrift, type OptOutPlan, reEnableSelection, runOptOut } from "./optOut";
import {
  groupWritebackOptOut,
  type GroupSet,
  type GroupWritebackOptOutInputs,
  type GroupWritebackOptOutOutputs,
} from "./schema";

const KIND = "GroupWritebackOptOut";
const progress = progressFor(KIND);
/** The application permission per-group writeback needs (Microsoft's script connects with it). */
export const REQUIRED_PERMISSION = "Group.ReadWrite.All";
const NO_GROUPS: GroupSet = { count: 0, sample: [] };

function planOf(inputs: GroupWritebackOptOutInputs): OptOutPlan {
  return {
    groups: inputs.groups,
    keepEnabled: inputs.keepEnabled,
    concurrency: inputs.concurrency,
    pageSize: inputs.pageSize,
  };
}

function describeSelection(inputs: GroupWritebackOptOutInputs): string {
  if (inputs.groups === "all") return "every Microsoft 365 group";
  if ("ids" in inputs.groups) return `${inputs.groups.ids.length} listed groups`;
  return `the groups matching ${inputs.groups.filter}`;
}

function ids(set: GroupSet): string {
  const more = set.count - set.sample.length;
  return `${set.sample.join(", ")}${more > 0 ? ` and ${more.toLocaleString("en-US")} more` : ""}`;
}

/** The message a refresh that found drift prints in the preview: which groups, and what repairs them. */
export function driftMessage(drifted: GroupSet): string {
  return (
    `${drifted.count.toLocaleString("en-US")} group${drifted.count === 1 ? " is" : "s are"} no longer as declared ` +
    "(a selected Microsoft 365 group opted back in to writeback, or a keepEnabled group opted out, outside the " +
    `stack): ${ids(drifted)}. \`pulumi up --refresh\` sets them back; to keep a group in writeback, add its id to ` +
    "keepEnabled."
  );
}

async function ensure(raw: unknown): Promise<GroupWritebackOptOutOutputs> {
  const inputs = groupWritebackOptOut.parse(raw);
  const doing = `cannot opt ${describeSelection(inputs)} out of group writeback`;
  const report = await withGraph(KIND, REQUIRED_PERMISSION, doing, (graph) =>
    runOptOut(graph, planOf(inputs), {
      progress,
      // A tenant-wide change: the checks the later resources would fail run before its first write (preflight.ts).
      beforeFirstWrite: async () => {
        if (inputs.target !== undefined)
          await preflight(clientFor(inputs.target), inputs.preflight, "opting groups out of writeback");
      },
    }),
  );
  return { ...inputs, report, drifted: NO_GROUPS };
}

export const groupWritebackOptOutProvider: ProviderImplementation = {
  async check(_olds, news) {
    return groupWritebackOptOut.check(news);
  },

  async diff(_id, olds, news) {
    const drifted = (olds as Partial<GroupWritebackOptOutOutputs>).drifted ?? NO_GROUPS;
    if (drifted.count > 0 && !containsUnknown(news)) progress(driftMessage(drifted));
    return diffByKeys(olds, news, {
      replaceKeys: [],
      ignoreKeys: ["target", "preflight", "concurrency", "pageSize"],
      extraChanges: drifted.count > 0,
    });
  },

  async create(raw) {
    const outs = await ensure(raw);
    return { id: "group-writeback-opt-out", outs };
  },

  async read(id, props) {
    const olds = props as GroupWritebackOptOutOutputs;
    const inputs = groupWritebackOptOut.inputsOf(olds);
    const drifted = await withGraph(
      KIND,
      REQUIRED_PERMISSION,
      `cannot read the writeback setting of ${describeSelection(inputs)}`,
      (graph) => findDrift(graph, planOf(inputs)),
    );
    if (drifted.count > 0) progress(driftMessage(drifted));
    return { id, props: { ...olds, drifted } };
  },

  async update(_id, _olds, news) {
    return { outs: await ensure(news) };
  },

  async delete(_id, props) {
    const olds = props as GroupWritebackOptOutOutputs;
    const inputs = groupWritebackOptOut.inputsOf(olds);
    if (inputs.onDelete === "retain") {
      progress(
        `leaving ${describeSelection(inputs)} opted out of group writeback (writebackConfiguration.isEnabled = false; ` +
          `onDelete: retain): they stay out of Active Directory. To re-enable them on destroy, declare ` +
          "onDelete: reEnable, run pulumi up, then destroy.",
      );
      return;
    }
    await withGraph(
      KIND,
      REQUIRED_PERMISSION,
      `cannot re-enable writeback on ${describeSelection(inputs)}`,
      (graph) => reEnableSelection(graph, planOf(inputs), progress),
    );
  },
};
