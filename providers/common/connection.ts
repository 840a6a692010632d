// One client per target per provider process: the engine runs every dynamic resource of a deployment in
// one Node process, so PowerShell sessions are shared and calls to one server are serialized by its backend.
import * as fs from "node:fs";
import type { EntraConnectClient } from "../../contract/backend";
import { GraphClient, type RetryInfo, type RetryOptions } from "../../graph";
import { createDeploymentClient } from "../../backends/select";
import { target as targetSchema } from "../../contract/target";
import { configValue, type GraphSettings, type ProviderSettings, providerSettings } from "./settings";

let settings: ProviderSettings = providerSettings.parse({});
const clients = new Map<string, EntraConnectClient>();
let graph: GraphClient | undefined;
/** The stack (project/stack) this provider process deploys: one process serves one deployment of one stack. */
let deploymentStack: string | undefined;

/** Providers report the stack from their inputs; the simulator records it in its journal with every call. */
export function noteDeploymentStack(stack: string | undefined): void {
  if (stack !== undefined) deploymentStack = stack;
}

/** This process's stack, for the pause-window marker; "<project>/(stack unknown)" before any input named it. */
export function deploymentOwner(): string {
  return deploymentStack ?? `${process.env.PULUMI_PROJECT || "entra-writeback"}/(stack unknown)`;
}

/** The per-call timeout (entra-writeback:callTimeoutSeconds), for the pause window's lease. */
export function callTimeoutSeconds(): number {
  return settings.callTimeoutSeconds;
}

/** Called once per provider process with the stack configuration the engine passes to `configure`. */
export function configureProviders(raw: Record<string, string | undefined>): void {
  const values: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(raw)) if (text) values[key] = configValue(key, text);
  const parsed = providerSettings.safeParse(values);
  if (!parsed.success) {
    // The program refuses these values before it declares anything; this guards other callers.
    throw new Error(
      `invalid provider settings: ${parsed.error.issues.map((i) => `entra-writeback:${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  }
  // The engine configures each provider shell text once; a shell stored by an older version passes no Graph
  // keys, so it keeps the Graph settings another shell of the same process was given.
  const keepGraph = raw.graph === undefined && raw.graphClientSecret === undefined;
  // Every resource type's shell configures the process once, possibly while another type's Graph calls are in
  // flight: the client is replaced only when the Graph settings differ (closing it would cut those calls).
  const sameGraph =
    JSON.stringify([parsed.data.graph, parsed.data.graphClientSecret]) ===
    JSON.stringify([settings.graph, settings.graphClientSecret]);
  if (!keepGraph && !sameGraph && graph) {
    void graph.close();
    graph = undefined;
  }
  settings = keepGraph
    ? { ...parsed.data, graph: settings.graph, graphClientSecret: settings.graphClientSecret }
    : parsed.data;
}

function readSettingFile(key: string, file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(
      `cannot read entra-writeback:${key} (${file}): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; ` +
        `set it to a readable PEM file with \`pulumi config set --path entra-writeback:${key} <path>\``,
      { cause: error },
    );
  }
}

/** Whether the stack configures Microsoft Graph (entra-writeback:graph). */
export function graphConfigured(): boolean {
  return settings.graph !== undefined;
}

/** The Microsoft Graph client of this provider process (entra-writeback:graph and graphClientSecret). */
export function graphClient(resource: string): GraphClient {
  if (graph) return graph;
  const configured = settings.graph;
  if (!configured) {
    throw new Error(
      `${resource} needs Microsoft Graph, and entra-writeback:graph is not set: set graph.tenantId and graph.clientId ` +
        "with `pulumi config set --path`, and the app's secret with `pulumi config set --secret " +
        "entra-writeback:graphClientSecret` (see docs/defaults.md)",
    );
  }
  graph = newGraphClient(configured, settings.graphClientSecret, resource);
  return graph;
}

/**
 * A Microsoft Graph client of its own, for one short read that must not wait through the usual retries (the
 * no-defaults count): `retry` bounds its retries. The caller closes it.
 */
export function boundedGraphClient(
  resource: string,
  retry: Pick<RetryOptions, "maxRetries" | "maxDelayMs">,
): GraphClient {
  if (!settings.graph) return graphClient(resource); // throws: what to set
  return newGraphClient(settings.graph, settings.graphClientSecret, resource, retry);
}

/** A Microsoft Graph client from the stack's Graph settings; each retry wait is printed, naming `resource`. */
export function newGraphClient(
  configured: GraphSettings,
  clientSecret: string | undefined,
  resource: string,
  bounds: Pick<RetryOptions, "maxRetries" | "maxDelayMs"> = {},
): GraphClient {
  const { certificateFile, trustedCaFile, ...connection } = configured;
  const retry = {
    ...bounds,
    onRetry: (info: RetryInfo) =>
      console.log(
        `[entra-writeback] ${resource}: Microsoft Graph ${info.reason === "connection" ? "dropped the connection of" : `answered ${info.reason} to`} ` +
          `${info.method} ${info.url.replace(/^https?:\/\/[^/]+/, "").split("?")[0]}: waiting ${Math.ceil(info.delayMs / 1000)} s` +
          `${info.retryAfter ? " (its Retry-After)" : ""} before retry ${info.attempt}`,
      ),
  };
  return new GraphClient(
    {
      ...connection,
      ...(clientSecret !== undefined ? { clientSecret } : {}),
      ...(certificateFile !== undefined
        ? { certificatePem: readSettingFile("graph.certificateFile", certificateFile) }
        : {}),
      ...(trustedCaFile !== undefined
        ? { trustedCertificatePem: readSettingFile("graph.trustedCaFile", trustedCaFile) }
        : {}),
    },
    { retry },
  );
}

export function clientFor(rawTarget: unknown): EntraConnectClient {
  const target = targetSchema.parse(rawTarget);
  const key = JSON.stringify(target);
  let client = clients.get(key);
  if (!client) {
    client = createDeploymentClient(target, {
      password: settings.password,
      callTimeoutSeconds: settings.callTimeoutSeconds,
      client: "pulumi",
      stack: () => deploymentStack,
      log: (line) => console.log(`[entra-writeback] ${line}`),
    });
    clients.set(key, client);
  }
  return client;
}

/** Closes every session; used by tests and at process exit. */
export async function closeClients(): Promise<void> {
  const open: Array<{ close(): Promise<void> }> = [...clients.values()];
  clients.clear();
  if (graph) open.push(graph);
  graph = undefined;
  await Promise.allSettled(open.map((client) => client.close()));
}

/** Only for unit tests: use this client for the given target. */
export function useClientForTests(rawTarget: unknown, client: EntraConnectClient): void {
  clients.set(JSON.stringify(targetSchema.parse(rawTarget)), client);
}
