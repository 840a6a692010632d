// The simulated Microsoft Graph and token endpoint over HTTPS on loopback, served from the simulator's state:
// each request is one state transaction (armed faults first, then the route) and one journal line.
import type { IncomingMessage, ServerResponse } from "node:http";
import * as crypto from "node:crypto";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { generateLoopbackCertificate } from "./certificate";
import { GraphHttpError, graphErrorBody, TokenEndpointError, tokenErrorBody } from "./errors";
import { takeFault } from "./faults";
import { type GraphRequest, type GraphResponse, operationFor, type RequestContext, route } from "./routes";
import { takeCloudSyncEvents } from "./synchronization";
import { StateConnection } from "../transaction";
import { GRAPH_JOURNAL_SERVER, withGraphTenant } from "./tenantAccess";

export const GRAPH_HOST = "127.0.0.1";
/** Bodies larger than this are refused (the simulator's requests are small JSON documents). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface GraphSimulatorOptions {
  stateFile: string;
  /** 0 (the default) picks a free port. */
  port?: number;
}

export interface RunningGraphSimulator {
  /** https://127.0.0.1:<port>: both the authority host and the Graph endpoint. */
  baseUrl: string;
  authorityHost: string;
  graphEndpoint: string;
  tenantId: string;
  port: number;
  /** The certificate the server presents; clients trust exactly this one (PEM). */
  certificatePem: string;
  stop(): Promise<void>;
}

type Outcome = { kind: "respond"; response: GraphResponse } | { kind: "drop" };

function journalArgs(
  request: GraphRequest,
  ctx: RequestContext,
  status: number | "dropped",
): Record<string, unknown> {
  return {
    method: request.method,
    path: request.path,
    ...(request.query.size > 0 ? { query: Object.fromEntries(request.query) } : {}),
    ...(ctx.body !== undefined ? { body: ctx.body } : {}),
    status,
  };
}

function handle(
  file: StateConnection,
  request: GraphRequest,
  requestId: string,
  clientRequestId: string,
): Promise<Outcome> {
  return withGraphTenant(file, (tx, graph): Outcome => {
    const ctx: RequestContext = {
      client: "anonymous",
      operation: operationFor(request.method, request.path),
    };
    const journal = (status: number | "dropped", error?: { code: string; message: string }): void =>
      tx.journal({
        kind: "operation",
        server: GRAPH_JOURNAL_SERVER,
        client: ctx.client,
        operation: ctx.operation,
        args: journalArgs(request, ctx, status),
        outcome: error ? "error" : "ok",
        ...(error ?? {}),
      });

    const fault = takeFault(graph, request.method, request.path);
    if (fault) {
      tx.event("graph-fault-fired", null, {
        method: request.method,
        path: request.path,
        kind: fault.kind,
        retryAfterSeconds: fault.retryAfterSeconds,
        remaining: fault.remaining,
      });
      if (fault.kind === "drop") {
        journal("dropped", { code: "InjectedFault", message: "connection dropped (entra-sim fault)" });
        return { kind: "drop" };
      }
      const throttled = fault.kind === "throttle";
      const error = throttled
        ? new GraphHttpError(429, "TooManyRequests", "Too many requests.")
        : new GraphHttpError(
            503,
            "serviceNotAvailable",
            "The service is temporarily unavailable. Please retry later.",
          );
      journal(error.status, { code: error.code, message: error.message });
      return {
        kind: "respond",
        response: {
          status: error.status,
          body: graphErrorBody(error.code, error.message, requestId, clientRequestId, Date.now()),
          headers: fault.retryAfterSeconds !== null ? { "Retry-After": String(fault.retryAfterSeconds) } : {},
        },
      };
    }

    try {
      const response = route(tx.state, graph, request, ctx);
      journal(response.status);
      for (const event of takeCloudSyncEvents(tx.state))
        tx.event(event.event, event.server, event.details, event.atMs);
      return { kind: "respond", response };
    } catch (error) {
      if (error instanceof GraphHttpError) {
        journal(error.status, { code: error.code, message: error.message });
        return {
          kind: "respond",
          response: {
            status: error.status,
            headers: error.headers,
            body: graphErrorBody(error.code, error.message, requestId, clientRequestId, Date.now()),
          },
        };
      }
      if (error instanceof TokenEndpointError) {
        journal(error.status, { code: error.error, message: error.message });
        return {
          kind: "respond",
          response: {
            status: error.status,
            body: tokenErrorBody(error, requestId, clientRequestId, Date.now()),
          },
        };
      }
      throw error;
    }
  });
}

async function readBody(message: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of message) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function send(
  res: ServerResponse,
  response: GraphResponse,
  requestId: string,
  clientRequestId: string,
): void {
  const headers: Record<string, string> = {
    "request-id": requestId,
    "client-request-id": clientRequestId,
    ...response.headers,
  };
  if (response.text !== undefined) {
    res.writeHead(response.status, {
      ...headers,
      "Content-Type": "text/plain",
      "Content-Length": String(Buffer.byteLength(response.text)),
    });
    res.end(response.text);
    return;
  }
  if (response.body === undefined) {
    res.writeHead(response.status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(response.body);
  res.writeHead(response.status, {
    ...headers,
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/** Starts the simulated Graph on 127.0.0.1 (HTTPS, a certificate made now); stop() closes it and its connections. */
export async function startGraphSimulator(options: GraphSimulatorOptions): Promise<RunningGraphSimulator> {
  const { stateFile } = options;
  const tenantId = await withGraphTenant(stateFile, (_tx, graph) => graph.tenantId);
  // One connection for the server's life: a request pays for its transaction, not for opening the file.
  const connection = new StateConnection(stateFile);
  const certificate = generateLoopbackCertificate();
  let origin = "";
  const server = https.createServer(
    { cert: certificate.certificatePem, key: certificate.privateKeyPem },
    (req, res) => {
      void (async () => {
        const requestId = crypto.randomUUID();
        const clientHeader = req.headers["client-request-id"];
        const clientRequestId =
          typeof clientHeader === "string" && clientHeader !== "" ? clientHeader : requestId;
        try {
          const body = await readBody(req);
          if (body === null) {
            send(
              res,
              {
                status: 413,
                body: graphErrorBody(
                  "RequestEntityTooLarge",
                  "The request body is too large.",
                  requestId,
                  clientRequestId,
                  Date.now(),
                ),
              },
              requestId,
              clientRequestId,
            );
            return;
          }
          const url = new URL(req.url ?? "/", origin);
          const request: GraphRequest = {
            method: (req.method ?? "GET").toUpperCase(),
            path: url.pathname,
            query: url.searchParams,
            authorization: req.headers.authorization,
            consistencyLevel: headerValue(req.headers.consistencylevel),
            body,
            origin,
          };
          const outcome = await handle(connection, request, requestId, clientRequestId);
          if (outcome.kind === "drop") {
            req.socket.destroy();
            return;
          }
          send(res, outcome.response, requestId, clientRequestId);
        } catch (error) {
          send(
            res,
            {
              status: 500,
              body: graphErrorBody(
                "generalException",
                `entra-sim: ${(error as Error).message}`,
                requestId,
                clientRequestId,
                Date.now(),
              ),
            },
            requestId,
            clientRequestId,
          );
        }
      })();
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, GRAPH_HOST, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  origin = `https://${GRAPH_HOST}:${port}`;
  return {
    baseUrl: origin,
    authorityHost: origin,
    graphEndpoint: origin,
    tenantId,
    port,
    certificatePem: certificate.certificatePem,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          connection.close();
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
