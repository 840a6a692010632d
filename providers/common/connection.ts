// One client per target per provider process: the engine runs every dynamic resource of a deployment in
// one Node process, so PowerShell sessions are shared and calls to one server are serialized by its backend.
import { type Backend, EntraConnectClient } from "../../operations/backend";
import { type Target, target as targetSchema } from "../../operations/target";
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
    // The PowerShell backend times each call itself, after it leaves the per-server queue; a client-side
    // timer would also count the wait in that queue and give up on calls that still run later.
    const clientTimeoutMs = target.kind === "simulator" ? settings.callTimeoutSeconds * 1000 : 0;
    // One deployment per provider process: the server itself is read once (see rememberServerReads).
    client = new EntraConnectClient(createBackend(target), {
      callTimeoutMs: clientTimeoutMs,
      rememberServerReads: true,
    });
    clients.set(key, client);
  }
  return client;
}

function createBackend(target: Target): Backend {
  if (target.kind === "simulator") {
    const { createSimulatorBackend } =
      require("../../simulator/backend") as typeof import("../../simulator/backend");
    return createSimulatorBackend({
      stateFile: target.stateFile,
      server: target.server,
      client: "pulumi",
      stack: () => deploymentStack,
    });
  }
  // Without a password, WinRM uses the current Windows identity (Kerberos).
  const { createPowerShellBackend } =
    require("../../powershell/backend") as typeof import("../../powershell/backend");
  return createPowerShellBackend({
    target,
    password: settings.password,
    callTimeoutMs: settings.callTimeoutSeconds * 1000,
    log: (line) => console.log(`[entra-writeback] ${line}`),
  });
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
