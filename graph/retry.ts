// Retries for Graph requests: 429, 503 and 504 (waiting Retry-After when Graph sends it, exponential backoff with
// jitter when it does not) and dropped connections. It replaces the library's RetryHandler, whose retry
// condition is right in 3.0.7 but which cannot retry a dropped connection, sleeps with a timer nobody can
// replace in tests, and tells nobody that it is waiting (docs/graph.md).
import type { Context, Middleware } from "@microsoft/microsoft-graph-client";
import { GraphConnectionError } from "./errors";

export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 503, 504]);

export interface RetryInfo {
  method: string;
  url: string;
  /** 1 for the first retry. */
  attempt: number;
  /** The status that made us retry, or "connection" for a dropped or refused connection. */
  reason: number | "connection";
  delayMs: number;
  /** Whether the delay is the server's Retry-After. */
  retryAfter: boolean;
}

export interface RetryOptions {
  /** Retries after the first attempt; default 6. */
  maxRetries?: number;
  /** First backoff delay without Retry-After; doubles each retry; default 1 s. */
  baseDelayMs?: number;
  /** Cap for one backoff delay and for a Retry-After; default 120 s. */
  maxDelayMs?: number;
  /** How to wait; tests inject a fast one. */
  sleep?: (ms: number) => Promise<void>;
  /** Called before each wait, e.g. to report "throttled, waiting 30 s". */
  onRetry?: (info: RetryInfo) => void;
  /** 0..1 random source for the jitter; default Math.random. */
  random?: () => number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Retry-After in seconds or as an HTTP date; null when absent or unreadable. */
export function retryAfterMs(header: string | null, nowMs = Date.now()): number | null {
  if (header === null || header.trim() === "") return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(date - nowMs, 0);
}

function methodOf(context: Context): string {
  const request = context.request as unknown;
  const method =
    typeof request === "string"
      ? context.options?.method
      : (request as { method?: string } | undefined)?.method;
  return (method ?? "GET").toUpperCase();
}

function urlOf(context: Context): string {
  const request = context.request as unknown;
  return typeof request === "string" ? request : ((request as { url?: string }).url ?? "");
}

/** A dropped connection may have applied a POST; GET, PATCH, PUT and DELETE are safe to repeat. */
const REPEATABLE_AFTER_CONNECTION_LOSS = new Set(["GET", "HEAD", "PATCH", "PUT", "DELETE", "OPTIONS"]);

export class RetryMiddleware implements Middleware {
  private next: Middleware | undefined;
  private readonly maxRetries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly options: RetryOptions = {}) {
    this.maxRetries = options.maxRetries ?? 6;
    this.baseDelayMs = options.baseDelayMs ?? 1000;
    this.maxDelayMs = options.maxDelayMs ?? 120_000;
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
  }

  setNext(next: Middleware): void {
    this.next = next;
  }

  private backoffMs(attempt: number): number {
    const exponential = this.baseDelayMs * 2 ** (attempt - 1);
    return Math.min(Math.round(exponential * (0.5 + this.random() / 2)), this.maxDelayMs);
  }

  async execute(context: Context): Promise<void> {
    if (!this.next) throw new Error("RetryMiddleware needs a next middleware");
    const method = methodOf(context);
    const url = urlOf(context);
    for (let attempt = 1; ; attempt++) {
      let reason: number | "connection";
      let delayMs: number;
      let fromHeader = false;
      try {
        await this.next.execute(context);
        const response = context.response;
        if (!response || !RETRY_STATUSES.has(response.status) || attempt > this.maxRetries) return;
        reason = response.status;
        const header = retryAfterMs(response.headers.get("Retry-After"));
        fromHeader = header !== null;
        delayMs = Math.min(header ?? this.backoffMs(attempt), this.maxDelayMs);
        // Free the connection: the body of a response we retry is never read.
        await response.body?.cancel().catch(() => undefined);
      } catch (error) {
        if (!(error instanceof TypeError) || !REPEATABLE_AFTER_CONNECTION_LOSS.has(method)) throw error;
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        if (attempt > this.maxRetries) {
          throw new GraphConnectionError(
            `could not reach Microsoft Graph for ${method} ${url} after ${attempt} attempts: ${cause?.code ?? cause?.message ?? error.message}; check graphEndpoint and the network`,
          );
        }
        reason = "connection";
        delayMs = this.backoffMs(attempt);
      }
      this.options.onRetry?.({ method, url, attempt, reason, delayMs, retryAfter: fromHeader });
      await this.sleep(delayMs);
    }
  }
}
