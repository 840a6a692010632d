// GroupWritebackFeature: v2 (the tenant flag) or v1 (the wizard configuration), one provider for both.
import type { ProviderImplementation } from "../common/defineResource";
import { containsUnknown } from "../common/checkInputs";
import { boundedGraphClient, clientFor, graphConfigured, noteDeploymentStack } from "../common/connection";
import { diffByKeys } from "../common/diff";
import { progressFor } from "../common/progress";
import { sameDn } from "../common/dn";
import {
  announceOnce,
  optedOutInOuMessage,
  readExposure,
  v1BeforeV2Message,
  v2TurnedOffMessage,
  wizardChangeMessage,
} from "./hazards";
import {
  countInGraph,
  countOnServer,
  GRAPH_COUNT_DEADLINE_MS,
  GRAPH_COUNT_RETRY,
  noDefaultsUncounted,
  noDefaultsWarning,
  withinDeadline,
} from "./defaultsWarning";
import { groupWritebackFeature, type V1Outputs, type V2Outputs } from "./schema";
import { convergeV1, deleteV1, readV1, skipWarning, unacknowledgedOptedOut, v1Drifted } from "./v1";
import { convergeV2, deleteV2, readV2 } from "./v2";

async function converge(raw: unknown, olds?: Partial<V2Outputs>): Promise<V1Outputs | V2Outputs> {
  const inputs = groupWritebackFeature.parse(raw);
  if (inputs.version === "v2") noteDeploymentStack(inputs.stack);
  const client = clientFor(inputs.target);
  const progress = progressFor(`GroupWritebackFeature ${inputs.version}`);
  return inputs.version === "v2"
    ? convergeV2(client, inputs, progress, olds?.version === "v2")
    : convergeV1(client, inputs, progress);
}

/**
 * Hazards a preview must show before anything changes (check runs in preview and before create): v1 enabled in
 * the wizard before v2, and v1 alone with groupWritebackV2 skip. Reads only; never fails the check.
 */
async function announceBeforeChange(olds: Record<string, unknown>, inputs: Record<string, unknown>) {
  if (containsUnknown(inputs.target)) return;
  const client = clientFor(inputs.target);
  const resource = `GroupWritebackFeature ${String(inputs.version)}`;
  if (inputs.version === "v1") {
    // The OU may still be unknown in a preview; the warning needs only the tenant.
    // After the migration to Cloud Sync, v2 off is its documented end state, not a skip to reconsider.
    const warning =
      inputs.migratedToCloudSync === true ? null : await skipWarning(client, inputs.requireV2 !== false);
    if (warning) announceOnce(resource, warning);
    // A stack without defaults, before it enables v1: how many existing groups that writes back.
    if (inputs.warnWithoutDefaults === true && olds.version !== "v1")
      announceOnce(resource, await withoutDefaultsWarning(client, inputs.requireV2 === false));
    return;
  }
  // Release mode reads the flag only: off is the migration's end state, not a hazard.
  if (inputs.version !== "v2" || inputs.mode === "release") return;
  // A v2 resource already in state is hazard 3 (turned off outside the stack), which diff explains.
  if (olds.version === "v2") return;
  const features = await client.call("getCompanyFeatures", {});
  if (features.groupWritebackV2) return;
  const v1 = await client.call("getGroupWritebackV1Config", {});
  if (!(v1.unifiedGroupWriteback && v1.optionalFeatureGroupWriteBack)) return;
  const server = (await client.call("getServerInfo", {})).computerName;
  announceOnce(
    resource,
    v1BeforeV2Message(server, v1.containerDn, await readExposure(client, v1.containerDn)),
  );
}

/** The count from Microsoft Graph when the stack configures it, otherwise from the Connect server. */
async function withoutDefaultsWarning(
  client: ReturnType<typeof clientFor>,
  v1Alone: boolean,
): Promise<string> {
  try {
    if (!graphConfigured()) return noDefaultsWarning(await countOnServer(client), v1Alone);
    // A client of its own with bounded retries and a deadline: the warning never waits long for an unreachable Graph.
    const graph = boundedGraphClient("GroupWritebackFeature v1", GRAPH_COUNT_RETRY);
    try {
      const counts = await withinDeadline(
        countInGraph(graph),
        GRAPH_COUNT_DEADLINE_MS,
        "the count in Microsoft Graph",
      );
      return noDefaultsWarning(
        { ...counts, countedBy: `Microsoft Graph (tenant ${graph.connection.tenantId})` },
        v1Alone,
      );
    } finally {
      // Not awaited: a graceful close waits for a request still under way past the deadline.
      void graph.close().catch(() => undefined);
    }
  } catch (error) {
    return noDefaultsUncounted(error instanceof Error ? error.message : String(error));
  }
}

/** v2 drift: the flag is off (release mode leaves it to the migration: never drift). */
function v2Drifted(olds: Record<string, unknown>, news: Record<string, unknown>): boolean {
  return news.version === "v2" && news.mode !== "release" && olds.enabled === false;
}

/** Hazards diff explains: v2 turned off outside the stack, opted-out groups in the OU, a change only the wizard can make. */
async function announceInDiff(olds: Record<string, unknown>, news: Record<string, unknown>) {
  const resource = `GroupWritebackFeature ${String(news.version)}`;
  if (containsUnknown(olds.target)) return;
  const client = clientFor(olds.target);
  if (v2Drifted(olds, news)) {
    const v1 = await client.call("getGroupWritebackV1Config", {});
    const server = (await client.call("getServerInfo", {})).computerName;
    announceOnce(
      resource,
      v2TurnedOffMessage(server, v1.containerDn, await readExposure(client, v1.containerDn)),
    );
    return;
  }
  if (news.version !== "v1" || olds.configured !== true) return;
  const v1 = olds as unknown as V1Outputs;
  const declaredOu =
    typeof news.writebackOu === "string" && !containsUnknown(news.writebackOu) ? news.writebackOu : null;
  const dnFormatChanged = typeof news.dnFormat === "string" && news.dnFormat !== v1.dnFormat;
  const ouChanged = declaredOu !== null && !sameDn(declaredOu, v1.writebackOu);
  if ((dnFormatChanged || ouChanged) && sameDn(v1.containerDn, v1.writebackOu)) {
    announceOnce(
      resource,
      wizardChangeMessage({
        currentOu: v1.writebackOu,
        declaredOu: declaredOu ?? v1.writebackOu,
        currentDnFormat: v1.dnFormat,
        declaredDnFormat: dnFormatChanged ? String(news.dnFormat) : v1.dnFormat,
        writtenBack: v1.writtenBackGroupCount ?? 0,
      }),
    );
  }
  if (
    news.requireV2 !== false &&
    unacknowledgedOptedOut(v1, news.acknowledgedOptedOutGroups as number | undefined)
  ) {
    announceOnce(
      resource,
      optedOutInOuMessage(
        v1.writebackOu,
        v1.optedOutGroupsInOu!,
        Number(news.acknowledgedOptedOutGroups ?? 0),
      ),
    );
  }
}

export const groupWritebackFeatureProvider: ProviderImplementation = {
  async check(olds, news) {
    const result = groupWritebackFeature.check(news);
    if (!result.failures?.length) {
      await announceBeforeChange(olds ?? {}, result.inputs ?? news).catch(() => undefined);
    }
    return result;
  },

  async diff(_id, olds, news) {
    // v2 drift: the flag is off (not in release mode). v1 drift: the wizard's OU or DN format differ (see readV1), or opted-out groups
    // sit in the OU beyond what a person acknowledged.
    const v2Off = v2Drifted(olds, news);
    const v1Off = news.version === "v1" && v1Drifted(olds, news);
    const unacknowledged =
      news.version === "v1" &&
      olds.configured === true &&
      news.requireV2 !== false &&
      unacknowledgedOptedOut(olds, news.acknowledgedOptedOutGroups as number | undefined);
    await announceInDiff(olds, news).catch(() => undefined);
    return diffByKeys(olds, news, {
      replaceKeys: ["target", "version"],
      dnKeys: ["writebackOu"],
      // What the v2 step checks before it changes anything; the OU and permission resources own these values.
      ignoreKeys: ["preflight", "stack", "warnWithoutDefaults", "migratedToCloudSync"],
      extraChanges: v2Off || v1Off || unacknowledged,
    });
  },

  async create(raw) {
    const outs = await converge(raw);
    return { id: `groupwriteback-${outs.version}`, outs };
  },

  async read(id, props) {
    const olds = props as V1Outputs | V2Outputs;
    const client = clientFor(olds.target);
    const live = olds.version === "v2" ? await readV2(client, olds) : await readV1(client, olds);
    return { id, props: live };
  },

  async update(_id, olds, news) {
    return { outs: await converge(news, olds as Partial<V2Outputs>) };
  },

  async delete(_id, props) {
    const inputs = groupWritebackFeature.inputsOf(props);
    const client = clientFor(inputs.target);
    const progress = progressFor(`GroupWritebackFeature ${inputs.version}`);
    if (inputs.version === "v2") await deleteV2(client, inputs, progress);
    else deleteV1(client, progress);
  },
};
