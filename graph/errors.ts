// Errors of the Graph client: one sentence saying what failed and what to do, never a secret or a token.
import { GraphClientError } from "@microsoft/microsoft-graph-client";

/** Graph answered with an error status. `code` is Graph's error code: branch on it, not on the message. */
export class GraphRequestError extends GraphClientError {
  override readonly name = "GraphRequestError";
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly code: string,
    readonly graphMessage: string,
    readonly requestId: string | null,
  ) {
    super(
      `Microsoft Graph refused ${method} ${url}: ${status} ${code}: ${graphMessage}` +
        (requestId ? ` (request-id ${requestId})` : ""),
    );
    // GraphClientError's constructor sets its own prototype; restore ours so instanceof works.
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** No token: the authority refused the app's credential, or could not be reached. */
export class GraphAuthenticationError extends GraphClientError {
  override readonly name = "GraphAuthenticationError";
  constructor(message: string) {
    super(message);
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** Graph could not be reached (connection refused or dropped) even after the retries. */
export class GraphConnectionError extends GraphClientError {
  override readonly name = "GraphConnectionError";
  constructor(message: string) {
    super(message);
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** Graph answered with a body of a shape the project does not expect. */
export class GraphResponseShapeError extends GraphClientError {
  override readonly name = "GraphResponseShapeError";
  constructor(message: string) {
    super(message);
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** Removes every occurrence of the given secrets from a text (defence in depth for messages from libraries). */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let result = text;
  for (const secret of secrets) if (secret) result = result.split(secret).join("[redacted]");
  return result;
}
