// Shared helpers for the Graph tests: a simulated tenant served over HTTPS on loopback, and clients on it.
import { GraphClient, type RetryInfo, type RetryOptions } from "../../../graph";
import {
  readGraphCredentials,
  startGraphSimulator,
  type RunningGraphSimulator,
} from "../../../simulator/graph";
import type { InitOptions } from "../../../simulator";
import { newSim, type Sim } from "../simulator/testSupport";

export interface GraphSim {
  sim: Sim;
  graph: RunningGraphSimulator;
  tenantId: string;
  writer: { clientId: string; clientSecret: string };
  reader: { clientId: string; clientSecret: string };
  /** Every wait the retry middleware asked for, in ms (the sleep is instant). */
  waits: number[];
  retries: RetryInfo[];
  client(options?: { clientId?: string; clientSecret?: string; retry?: RetryOptions }): GraphClient;
  cleanup(): Promise<void>;
}

export async function newGraphSim(options: InitOptions = {}): Promise<GraphSim> {
  const sim = await newSim(options);
  const graph = await startGraphSimulator({ stateFile: sim.file });
  const credentials = await readGraphCredentials(sim.file);
  const app = (name: string): { clientId: string; clientSecret: string } => {
    const found = credentials.apps.find((each) => each.displayName === name);
    if (!found) throw new Error(`no app ${name}`);
    return { clientId: found.clientId, clientSecret: found.clientSecret };
  };
  const writer = app("entra-writeback");
  const waits: number[] = [];
  const retries: RetryInfo[] = [];
  return {
    sim,
    graph,
    tenantId: credentials.tenantId,
    writer,
    reader: app("entra-writeback-reader"),
    waits,
    retries,
    client: (overrides = {}) =>
      new GraphClient(
        {
          tenantId: credentials.tenantId,
          clientId: overrides.clientId ?? writer.clientId,
          clientSecret: overrides.clientSecret ?? writer.clientSecret,
          authorityHost: graph.authorityHost,
          graphEndpoint: graph.graphEndpoint,
          trustedCertificatePem: graph.certificatePem,
        },
        {
          retry: overrides.retry ?? {
            sleep: async (ms) => {
              waits.push(ms);
            },
            onRetry: (info) => retries.push(info),
          },
        },
      ),
    async cleanup() {
      await graph.stop();
      await sim.cleanup();
    },
  };
}
