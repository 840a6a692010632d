// The stack keys that reach a simulated Microsoft Graph (simulator/graph) serving a lab server's tenant: one home for
// what every e2e file that declares Graph-side resources needs (docs/graph.md, "Configuration").
import * as fs from "node:fs";
import * as path from "node:path";
import { readGraphCredentials, type RunningGraphSimulator } from "../../../simulator/graph";

export interface GraphKeys {
  tenantId: string;
  /** The `entra-writeback:graph` value (JSON): tenant, the entra-writeback app, the simulator's endpoints and CA. */
  graph: string;
  /** The `entra-writeback:graphClientSecret` value (set it as a secret). */
  clientSecret: string;
}

/** Writes the simulator's CA certificate beside the state file and returns the keys of the entra-writeback app. */
export async function graphKeysFor(stateFile: string, simulator: RunningGraphSimulator): Promise<GraphKeys> {
  const caFile = path.join(path.dirname(stateFile), "graph-ca.pem");
  fs.writeFileSync(caFile, simulator.certificatePem);
  const credentials = await readGraphCredentials(stateFile);
  const app = credentials.apps.find((each) => each.displayName === "entra-writeback")!;
  return {
    tenantId: credentials.tenantId,
    graph: JSON.stringify({
      tenantId: credentials.tenantId,
      clientId: app.clientId,
      authorityHost: simulator.authorityHost,
      graphEndpoint: simulator.graphEndpoint,
      trustedCaFile: caFile,
    }),
    clientSecret: app.clientSecret,
  };
}
