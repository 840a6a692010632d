// One client per target per provider process: the engine runs every dynamic resource of a deployment in
// one Node process, so PowerShell sessions are shared and calls to one server are serialized by its backend.
import type { EntraConnectClient } from "../../contract/backend";
import { createDeploymentClient } from "../../backends/select";
import { target as targetSchema } from "../../contract/target";
import { configValue, type ProviderSettings, providerSettings } from "./settings";

let settings: ProviderSettings = providerSettings.parse({});
const clients = new Map<string, EntraConnectClient>();
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
  settings = parsed.data;
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
  const open = [...clients.values()];
  clients.clear();
  await Promise.allSettled(open.map((client) => client.close()));
}

/** Only for unit tests: use this client for the given target. */
export function useClientForTests(rawTarget: unknown, client: EntraConnectClient): void {
  clients.set(JSON.stringify(targetSchema.parse(rawTarget)), client);
}
