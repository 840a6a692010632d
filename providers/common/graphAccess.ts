// The providers' one way into Microsoft Graph: the process's client (connection.ts), with the failures a user can
// fix (a missing permission, a token Graph would not give) turned into one line that says what to do.
import type { GraphClient } from "../../graph/client";
import { GraphAuthenticationError, GraphRequestError } from "../../graph/errors";
import { graphClient } from "./connection";

/** 401 and 403 from Graph: one line naming the permission the app needs. */
export function explainGraphError(error: unknown, doing: string, permission: string): unknown {
  if (error instanceof GraphRequestError && (error.status === 401 || error.status === 403)) {
    return new Error(
      `${doing}: Microsoft Graph refused ${error.method} ${error.url} with ${error.status} ${error.code}. ` +
        `The app (entra-writeback:graph.clientId) needs the application permission ${permission} with admin ` +
        "consent: grant it in the app registration (API permissions, Microsoft Graph, Application), then run again.",
      { cause: error },
    );
  }
  if (error instanceof GraphAuthenticationError)
    return new Error(`${doing}: ${error.message}`, { cause: error });
  return error;
}

/** Runs `run` with the Graph client of this provider process; its errors explained (explainGraphError). */
export async function withGraph<T>(
  resource: string,
  permission: string,
  doing: string,
  run: (graph: GraphClient) => Promise<T>,
): Promise<T> {
  try {
    return await run(graphClient(resource));
  } catch (error) {
    throw explainGraphError(error, doing, permission);
  }
}
