// Shared helpers for the Graph tests: a simulated tenant served over HTTPS on loopback, and clients on it.
import { Agent, fetch as undiciFetch } from "undici";
import type { OperationEntry } from "../../../simulator/journal";
import { GraphClient, type RetryInfo, type RetryOptions } from "../../../graph";
import {
  readGraphCredentials,
  startGraphSimulator,
  type RunningGraphSimulator,
} from "../../../simulator/graph";
import type { InitOptions } from "../../../simulator";
import { configureProviders } from "../../../providers/common/connection";
import * as fs from "node:fs";
import * as path from "node:path";
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
  const clients: GraphClient[] = [];
  return {
    sim,
    graph,
    tenantId: credentials.tenantId,
    writer,
    reader: app("entra-writeback-reader"),
    waits,
    retries,
    client: (overrides = {}) => {
      const client = new GraphClient(
        {
          tenantId: credentials.tenantId,
          clientId: overrides.clientId ?? writer.clientId,
          clientSecret: overrides.clientSecret ?? writer.clientSecret,
          authorityHost: graph.authorityHost,
          graphEndpoint: graph.graphEndpoint,
          trustedCertificatePem: graph.certificatePem,
        },
        {
          retry: {
            sleep: async (ms) => {
              waits.push(ms);
            },
            onRetry: (info) => retries.push(info),
            ...overrides.retry,
          },
        },
      );
      clients.push(client);
      return client;
    },
    async cleanup() {
      await Promise.all(clients.map((client) => client.close()));
      await graph.stop();
      await sim.cleanup();
    },
  };
}

/** fetch trusting exactly the simulator's certificate (what the client's trustedCertificatePem does). */
function rawFetch(g: GraphSim, url: string, init: RequestInit): Promise<Response> {
  const agent = new Agent({ connect: { ca: g.graph.certificatePem } });
  return undiciFetch(url, { ...(init as object), dispatcher: agent } as Parameters<
    typeof undiciFetch
  >[1]).finally(() => void agent.close()) as unknown as Promise<Response>;
}

/** A raw token request, for asserting the wire format. */
export async function rawToken(
  g: GraphSim,
  form: Record<string, string>,
  tenant = g.tenantId,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await rawFetch(g, `${g.graph.authorityHost}/${tenant}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A raw Graph request with an optional bearer token. */
export async function rawGraph(
  g: GraphSim,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const response = await rawFetch(g, `${g.graph.graphEndpoint}${path}`, {
    method,
    headers: {
      ...(options.token !== undefined ? { Authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { "Content-Type": "application/json" } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  // JSON when the answer says so; otherwise the text as sent (the $count segment's text/plain).
  const json = /^application\/json\b/.test(response.headers.get("content-type") ?? "");
  return {
    status: response.status,
    headers: response.headers,
    body: text === "" ? undefined : json ? JSON.parse(text) : text,
  };
}

/** A token for the writer app, through the wire protocol. */
export async function writerToken(g: GraphSim): Promise<string> {
  const { body } = await rawToken(g, {
    grant_type: "client_credentials",
    client_id: g.writer.clientId,
    client_secret: g.writer.clientSecret,
    scope: `${g.graph.graphEndpoint}/.default`,
  });
  return body.access_token as string;
}

export function graphEntries(g: GraphSim): OperationEntry[] {
  return g.sim
    .journal()
    .filter((entry): entry is OperationEntry => entry.kind === "operation" && entry.server === "graph");
}

/**
 * Configures this process's providers for `g`'s simulated Graph, as the engine passes entra-writeback:graph and
 * graphClientSecret; the simulator's CA goes into the tenant's directory as graph.trustedCaFile.
 */
export function configureProvidersFor(
  g: GraphSim,
  app: { clientId: string; clientSecret: string } = g.writer,
): void {
  const caFile = path.join(g.sim.dir, "graph-ca.pem");
  fs.writeFileSync(caFile, g.graph.certificatePem);
  configureProviders({
    graph: JSON.stringify({
      tenantId: g.tenantId,
      clientId: app.clientId,
      authorityHost: g.graph.authorityHost,
      graphEndpoint: g.graph.graphEndpoint,
      trustedCaFile: caFile,
    }),
    graphClientSecret: app.clientSecret,
  });
}
