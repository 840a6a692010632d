// The last middleware of the chain: sends the request with undici's fetch through an Agent of our own, so that
// a connection can trust a given CA (the simulator's, or a private endpoint's) without touching the process's
// TLS defaults. It does what the library's HTTPMessageHandler does, with a dispatcher.
import type { Context, Middleware } from "@microsoft/microsoft-graph-client";
import { Agent, fetch } from "undici";

export class UndiciFetchHandler implements Middleware {
  private readonly agent: Agent;

  /** ca: trust exactly these certificates (PEM) instead of Node's bundled CAs; undefined keeps Node's. */
  constructor(ca?: string) {
    this.agent = new Agent(ca !== undefined ? { connect: { ca } } : {});
  }

  async execute(context: Context): Promise<void> {
    const request = context.request as unknown;
    if (typeof request !== "string")
      throw new Error("UndiciFetchHandler expects the request as a URL string");
    const response = await fetch(request, {
      ...(context.options as Record<string, unknown>),
      dispatcher: this.agent,
    } as Parameters<typeof fetch>[1]);
    context.response = response as unknown as Response;
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
