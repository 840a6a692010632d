// A trivial dynamic resource for the smoke test: its outputs report which Node runs the provider process.
import * as pulumi from "@pulumi/pulumi";

interface ProbeInputs {
  label: string;
}
interface ProbeOutputs extends ProbeInputs {
  nodeVersion: string;
  providerPid: number;
}

const provider: pulumi.dynamic.ResourceProvider<ProbeInputs, ProbeOutputs> = {
  async create(inputs) {
    return {
      id: `probe-${inputs.label}`,
      outs: { ...inputs, nodeVersion: process.version, providerPid: process.pid },
    };
  },
  async read(id, props) {
    if (!props) return { id: "" };
    return { id, props, inputs: { label: props.label } as ProbeOutputs };
  },
  async diff(_id, olds, news) {
    return { changes: olds.label !== news.label, replaces: olds.label !== news.label ? ["label"] : [] };
  },
  async update(_id, _olds, news) {
    return { outs: { ...news, nodeVersion: process.version, providerPid: process.pid } };
  },
  async delete() {},
};

export class NodeRuntimeProbe extends pulumi.dynamic.Resource {
  declare readonly nodeVersion: pulumi.Output<string>;
  declare readonly providerPid: pulumi.Output<number>;
  constructor(name: string, args: ProbeInputs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      { ...args, nodeVersion: undefined, providerPid: undefined },
      opts,
      "entra-writeback",
      "NodeRuntimeProbe",
    );
  }
}
