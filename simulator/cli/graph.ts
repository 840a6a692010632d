// entra-sim graph: serve the simulated Microsoft Graph, print its credentials, or arm a fault on its requests.
import * as fs from "node:fs";
import { OperationError } from "../../contract/errors";
import type { GraphFaultInput } from "../graph/faults";
import { startGraphSimulator } from "../graph/server";
import { armGraphFault, readGraphCredentials } from "../graph/tenantAccess";
import { resolveStateFile } from "../transaction";
import { type CliCommand, enumFlag, intFlag, noExtraPositionals, optionalString, UsageError } from "./args";

export interface GraphCliIo {
  out(line: string): void;
}

/** Where `entra-sim graph` writes the certificate clients must trust: beside the state file. */
export function certificateFileFor(stateFile: string): string {
  return `${stateFile.replace(/\.json$/i, "")}.graph-ca.pem`;
}

/** Serves the simulated Graph until SIGINT or SIGTERM; the first line printed is the base URL. */
export async function serveGraph(
  file: string,
  port: number,
  io: GraphCliIo,
  stopSignal?: Promise<void>,
): Promise<void> {
  let running;
  try {
    running = await startGraphSimulator({ stateFile: file, port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new OperationError(
        "graph",
        "Refused",
        `port ${port} is in use on 127.0.0.1; choose another with --port, or --port 0 for any free port`,
      );
    }
    throw error;
  }
  const certificateFile = certificateFileFor(resolveStateFile(file));
  fs.writeFileSync(certificateFile, running.certificatePem, "utf8");
  const { tenantName } = await readGraphCredentials(file);
  io.out(running.baseUrl);
  io.out(`  simulated Microsoft Graph and token endpoint for ${tenantName} (tenant id ${running.tenantId})`);
  io.out(`  authorityHost and graphEndpoint: ${running.baseUrl}`);
  io.out(`  certificate to trust (trustedCertificatePem): ${certificateFile}`);
  io.out(`  app ids and secrets: entra-sim graph ${file} --credentials`);
  io.out("serving until stopped (Ctrl+C)");
  await (stopSignal ??
    new Promise<void>((resolve) => {
      process.once("SIGINT", () => resolve());
      process.once("SIGTERM", () => resolve());
    }));
  await running.stop();
  io.out("stopped");
}

/** Prints the tenant id and each app's id, secret and permissions (asked for explicitly; never journaled). */
export async function printCredentials(file: string, io: GraphCliIo): Promise<void> {
  const credentials = await readGraphCredentials(file);
  io.out(`tenant id: ${credentials.tenantId} (${credentials.tenantName})`);
  for (const app of credentials.apps) {
    io.out(
      `${app.displayName}: client id ${app.clientId}, client secret ${app.clientSecret}, permissions ${app.roles.join(", ")}`,
    );
  }
}

export async function armFaultFromCli(file: string, input: GraphFaultInput, io: GraphCliIo): Promise<void> {
  const fault = await armGraphFault(file, input, "cli");
  const what =
    fault.kind === "drop"
      ? "drop the connection"
      : `answer ${fault.kind === "throttle" ? 429 : 503}${fault.retryAfterSeconds !== null ? ` with Retry-After: ${fault.retryAfterSeconds}` : " without Retry-After"}`;
  io.out(
    `the next ${fault.remaining} Graph request(s) ${fault.method === "*" ? "" : `${fault.method} `}${fault.path}${fault.after > 0 ? ` after ${fault.after} more` : ""} will ${what}`,
  );
}

export const graphCommand: CliCommand = {
  name: "graph",
  help: [
    "  graph <state> [--port N]                         serve the simulated Microsoft Graph on 127.0.0.1 until stopped",
    "  graph <state> --credentials                      the tenant id and the apps' client ids and secrets",
    "  graph <state> --fault throttle|unavailable|drop --path /beta/groups* [--method GET] [--retry-after S]",
    "       [--times N] [--after N]                     arm a fault on Graph requests (fault <state> --clear clears)",
  ],
  options: {
    port: { type: "string" },
    credentials: { type: "boolean" },
    fault: { type: "string" },
    path: { type: "string" },
    method: { type: "string" },
    "retry-after": { type: "string" },
    times: { type: "string" },
    after: { type: "string" },
  },
  async run({ file, values, positionals }, io) {
    noExtraPositionals("graph", positionals, 1);
    if (values.credentials === true) return printCredentials(file, io);
    const kind = enumFlag(values, "fault", ["throttle", "unavailable", "drop"]);
    if (kind !== undefined) {
      const path = optionalString(values, "path");
      if (path === undefined || !path.startsWith("/"))
        throw new UsageError("graph --fault: --path is required, a URL path such as /beta/groups*");
      const method = optionalString(values, "method") ?? "*";
      if (!/^(\*|[A-Za-z]+)$/.test(method))
        throw new UsageError(
          `--method must be an HTTP method such as GET or PATCH, or *, got ${JSON.stringify(method)}`,
        );
      const input = {
        kind,
        path,
        method,
        times: intFlag(values, "times") ?? 1,
        after: intFlag(values, "after", false) ?? 0,
        ...(intFlag(values, "retry-after", false) !== undefined
          ? { retryAfterSeconds: intFlag(values, "retry-after", false) }
          : {}),
      };
      return armFaultFromCli(file, input, io);
    }
    const port = intFlag(values, "port", false) ?? 0;
    if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
    return serveGraph(file, port, io);
  },
};
