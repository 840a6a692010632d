// Errors the simulated Graph and token endpoint answer with, in the shapes Microsoft's services use.

/** A Graph error: {"error":{"code","message","innerError":{...}}} with this status. */
export class GraphHttpError extends Error {
  override readonly name = "GraphHttpError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** An error of the token endpoint: {"error","error_description","error_codes",...} with an AADSTS code. */
export class TokenEndpointError extends Error {
  override readonly name = "TokenEndpointError";
  constructor(
    readonly status: number,
    readonly error: string,
    readonly aadsts: number,
    readonly description: string,
  ) {
    super(`AADSTS${aadsts}: ${description}`);
  }
}

/** innerError.date as Graph writes it: UTC without fraction or zone, e.g. 2025-01-06T08:00:00. */
export function graphDate(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 19);
}

export function graphErrorBody(
  code: string,
  message: string,
  requestId: string,
  clientRequestId: string,
  nowMs: number,
): unknown {
  return {
    error: {
      code,
      message,
      innerError: { date: graphDate(nowMs), "request-id": requestId, "client-request-id": clientRequestId },
    },
  };
}

/** The token endpoint's body: the description ends with trace id, correlation id and timestamp lines. */
export function tokenErrorBody(
  error: TokenEndpointError,
  traceId: string,
  correlationId: string,
  nowMs: number,
): unknown {
  const timestamp = new Date(nowMs).toISOString().slice(0, 19).replace("T", " ") + "Z";
  return {
    error: error.error,
    error_description: `AADSTS${error.aadsts}: ${error.description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [error.aadsts],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${error.aadsts}`,
  };
}
