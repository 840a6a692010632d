// GroupWritebackFeature: v2 (the tenant flag) or v1 (the wizard configuration), one provider for both.
import type * as pulumi from "@pulumi/pulumi";
import { checkInputs, parseInputs } from "../common/checkInputs";
import { clientFor, noteDeploymentStack } from "../common/connection";
import { diffByKeys } from "../common/diff";
import { progressFor } from "../common/progress";
import { featureInputs, type V1Outputs, type V2Outputs } from "./schema";
import { convergeV1, deleteV1, readV1, v1Drifted } from "./v1";
import { convergeV2, deleteV2, readV2 } from "./v2";

async function converge(raw: unknown, olds?: Partial<V2Outputs>): Promise<V1Outputs | V2Outputs> {
  const inputs = parseInputs(featureInputs, raw, "GroupWritebackFeature");
  if (inputs.version === "v2") noteDeploymentStack(inputs.stack);
  const client = clientFor(inputs.target);
  const progress = progressFor(`GroupWritebackFeature ${inputs.version}`);
  return inputs.version === "v2"
    ? convergeV2(client, inputs, progress, olds?.version === "v2")
    : convergeV1(client, inputs, progress);
}

export const groupWritebackFeatureProvider: Required<Omit<pulumi.dynamic.ResourceProvider, "configure">> = {
  async check(_olds, news) {
    return checkInputs(featureInputs, news);
  },

  async diff(_id, olds, news) {
    // v2 drift: the flag is off. v1 drift: the wizard's OU or DN format differ (see readV1).
    const v2Off = news.version === "v2" && olds.enabled === false;
    const v1Off = news.version === "v1" && v1Drifted(olds, news);
    return diffByKeys(olds, news, {
      replaceKeys: ["target", "version"],
      ignoreKeys: ["stack"],
      extraChanges: v2Off || v1Off,
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
    const outs = props as V1Outputs | V2Outputs;
    const inputs = parseInputs(featureInputs, stripOutputs(outs), "GroupWritebackFeature");
    const client = clientFor(inputs.target);
    const progress = progressFor(`GroupWritebackFeature ${inputs.version}`);
    if (inputs.version === "v2") await deleteV2(client, inputs, progress);
    else deleteV1(client, progress);
  },
};

/** The input keys of stored outputs (outputs = inputs + live values). */
function stripOutputs(outs: V1Outputs | V2Outputs): Record<string, unknown> {
  const {
    enabled: _enabled,
    connectVersion: _connectVersion,
    adopted: _adopted,
    configured: _configured,
    containerDn: _containerDn,
    displayNameDn: _displayNameDn,
    writtenBackGroupCount: _count,
    pendingExports: _pending,
    pendingManualSteps: _steps,
    ...inputs
  } = outs as unknown as Record<string, unknown>;
  return inputs;
}
