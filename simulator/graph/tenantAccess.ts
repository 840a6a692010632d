// The one place the Graph simulator reads and changes the simulated tenant: every Graph request runs in one
// transaction of simulator/transaction.ts, and the Graph section of the state is created here on first use.
import * as crypto from "node:crypto";
import type { GraphFault, GraphTenant, SimState } from "../model";
import { type StateConnection, type Transaction, withState } from "../transaction";
import { armFault, type GraphFaultInput } from "./faults";

/** The journal's server field for Graph requests (they reach the tenant, not a Connect server). */
export const GRAPH_JOURNAL_SERVER = "graph";

/** The applications a new Graph section registers (a writer and a read-only one, to prove permission checks). */
const SEEDED_APPS: ReadonlyArray<{ displayName: string; roles: string[] }> = [
  { displayName: "entra-writeback", roles: ["Group.ReadWrite.All", "Directory.ReadWrite.All"] },
  { displayName: "entra-writeback-reader", roles: ["Group.Read.All"] },
];

function newSecret(): string {
  // Shaped like an Entra client secret value: 40 characters with the "8Q~" marker Entra puts at position 4.
  const body = crypto.randomBytes(30).toString("base64url").replace(/[-_]/g, "x");
  return `${body.slice(0, 3)}8Q~${body.slice(0, 34)}`;
}

/** The state's Graph section, created (tenant id, signing key, seeded apps) when the state has none yet. */
export function ensureGraphTenant(state: SimState): GraphTenant {
  if (!state.graph) {
    state.graph = {
      tenantId: crypto.randomUUID(),
      signingKey: crypto.randomBytes(32).toString("base64url"),
      apps: SEEDED_APPS.map((app) => ({
        clientId: crypto.randomUUID(),
        displayName: app.displayName,
        secret: newSecret(),
        roles: [...app.roles],
      })),
      directorySettings: [],
      faults: [],
    };
  }
  return state.graph;
}

/** Runs fn in one state transaction with the Graph section present (written back when fn changed anything). */
export function withGraphTenant<T>(
  file: string | StateConnection,
  fn: (tx: Transaction, graph: GraphTenant) => T,
): Promise<T> {
  return withState(file, (tx) => fn(tx, ensureGraphTenant(tx.state)));
}

export interface GraphCredentials {
  tenantId: string;
  tenantName: string;
  apps: Array<{ displayName: string; clientId: string; clientSecret: string; roles: string[] }>;
}

/** The tenant id and the registered apps with their secrets (entra-sim graph <state> --credentials). */
export function readGraphCredentials(file: string): Promise<GraphCredentials> {
  return withGraphTenant(file, (tx, graph) => ({
    tenantId: graph.tenantId,
    tenantName: tx.state.tenant.name,
    apps: graph.apps.map((app) => ({
      displayName: app.displayName,
      clientId: app.clientId,
      clientSecret: app.secret,
      roles: [...app.roles],
    })),
  }));
}

/** Arms a Graph fault (journaled as graph.fault.add). */
export function armGraphFault(file: string, input: GraphFaultInput, client = "cli"): Promise<GraphFault> {
  return withGraphTenant(file, (tx, graph) => {
    const fault = armFault(graph, input);
    tx.journal({
      kind: "operation",
      server: GRAPH_JOURNAL_SERVER,
      client,
      operation: "graph.fault.add",
      args: fault,
      outcome: "ok",
    });
    return fault;
  });
}

/** Uploads a certificate (PEM, public part) to an app registration, as a credential for client assertions. */
export function addGraphAppCertificate(
  file: string,
  clientId: string,
  certificatePem: string,
): Promise<void> {
  return withGraphTenant(file, (tx, graph) => {
    const app = graph.apps.find((candidate) => candidate.clientId === clientId.toLowerCase());
    if (!app) throw new Error(`no app registration with client id ${clientId} in the simulated tenant`);
    const thumbprint = new crypto.X509Certificate(certificatePem).fingerprint256;
    app.certificates = [...(app.certificates ?? []), certificatePem];
    tx.journal({
      kind: "operation",
      server: GRAPH_JOURNAL_SERVER,
      client: "cli",
      operation: "graph.app.addCertificate",
      args: { clientId: app.clientId, thumbprintSha256: thumbprint },
      outcome: "ok",
    });
  });
}
