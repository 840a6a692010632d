import {
  AuthenticationHandler,
  Client,
  RetryHandler,
  RetryHandlerOptions,
  type AuthenticationProvider,
} from "@microsoft/microsoft-graph-client";
import { GraphConnectionError, GraphRequestError } from "../../../graph";
import { UndiciFetchHandler } from "../../../graph/transport";
import { armGraphFault } from "../../../simulator/graph";
import { withState, clearFaults } from "../../../simulator";
import { graphEntries, newGraphSim, writerToken, type GraphSim } from "./support";

let g: GraphSim;
beforeEach(async () => {
  g = await newGraphSim({ m365: 6, m365OptedOut: 0, security: 0, securityEnabled: 0 });
});
afterEach(async () => g.cleanup());

function statuses(operation: string): Array<number | string> {
  return graphEntries(g)
    .filter((entry) => entry.operation === operation)
    .map((entry) => (entry.args as { status: number | string }).status);
}

describe("faults armed on Graph requests", () => {
  it("429 with Retry-After in the middle of paging: the client waits exactly that long and reads every page", async () => {
    await armGraphFault(g.sim.file, {
      method: "GET",
      path: "/beta/groups",
      kind: "throttle",
      retryAfterSeconds: 7,
      after: 1,
    });
    const groups = await g.client().listGroups({ top: 2 });
    expect(groups).toHaveLength(6);
    expect(g.waits).toEqual([7000]);
    expect(g.retries).toEqual([
      expect.objectContaining({ method: "GET", attempt: 1, reason: 429, delayMs: 7000, retryAfter: true }),
    ]);
    expect(statuses("graph.listGroups")).toEqual([200, 429, 200, 200]);
    const fired = g.sim
      .journal()
      .filter((entry) => entry.kind === "event" && entry.event === "graph-fault-fired");
    expect(fired).toEqual([
      expect.objectContaining({
        details: expect.objectContaining({ kind: "throttle", retryAfterSeconds: 7, remaining: 0 }),
      }),
    ]);
  });

  it("429 without Retry-After: exponential backoff", async () => {
    await armGraphFault(g.sim.file, { path: "/beta/groups", kind: "throttle", times: 3 });
    const groups = await g.client({ retry: { random: () => 1, baseDelayMs: 500 } }).listGroups();
    expect(groups).toHaveLength(6);
    expect(g.waits).toEqual([500, 1000, 2000]);
    expect(g.retries.every((retry) => retry.reason === 429 && !retry.retryAfter)).toBe(true);
    expect(statuses("graph.listGroups")).toEqual([429, 429, 429, 200]);
  });

  it("503 on a PATCH, with Retry-After: waited, then applied once", async () => {
    const id = (await g.sim.state()).tenant.groups[0]?.objectId as string;
    await armGraphFault(g.sim.file, {
      method: "PATCH",
      path: "/beta/groups/*",
      kind: "unavailable",
      retryAfterSeconds: 2,
    });
    await g.client().updateGroupWriteback(id, { isEnabled: false });
    expect(g.waits).toEqual([2000]);
    expect(statuses("graph.updateGroup")).toEqual([503, 204]);
    expect((await g.sim.state()).tenant.groups[0]?.writebackEnabled).toBe(false);
  });

  it("a dropped connection on a GET is retried; on a POST it is reported, not repeated", async () => {
    await armGraphFault(g.sim.file, { method: "GET", path: "/beta/groups", kind: "drop" });
    expect(await g.client({ retry: { random: () => 0 } }).listGroups()).toHaveLength(6);
    expect(g.retries).toEqual([expect.objectContaining({ reason: "connection", delayMs: 500 })]);
    expect(statuses("graph.listGroups")).toEqual(["dropped", 200]);

    await armGraphFault(g.sim.file, { method: "POST", path: "/beta/settings", kind: "drop" });
    const error = await g
      .client()
      .createDirectorySetting("62375ab9-6b52-47ed-826b-58e47e0e304b", [])
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GraphConnectionError);
    expect((error as Error).message).toBe(
      "the connection to Microsoft Graph dropped during POST /beta/settings: it may or may not have been applied; read the current state before trying again",
    );
    expect(statuses("graph.createSetting")).toEqual(["dropped"]);
    expect((await g.client().listDirectorySettings()).length).toBe(0);
  });

  it("when the retries run out, the error names the status, Graph's code and message", async () => {
    await armGraphFault(g.sim.file, {
      path: "/beta/groups",
      kind: "throttle",
      retryAfterSeconds: 1,
      times: 10,
    });
    const error = await g
      .client({ retry: { maxRetries: 2 } })
      .listGroups()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GraphRequestError);
    expect((error as Error).message).toMatch(
      /^Microsoft Graph refused GET \/beta\/groups: 429 TooManyRequests: Too many requests\. \(request-id [0-9a-f-]{36}\)$/,
    );
    expect(g.waits).toEqual([1000, 1000]);
    expect(await withState(g.sim.file, clearFaults)).toBe(1);
    expect(await g.client().listGroups()).toHaveLength(6);
  });

  it("the library's own RetryHandler 3.0.7 does honour Retry-After (its condition is not inverted) but gives up on a dropped connection", async () => {
    const token = await writerToken(g);
    const authProvider: AuthenticationProvider = { getAccessToken: async () => token };
    const transport = new UndiciFetchHandler(g.graph.certificatePem);
    const authentication = new AuthenticationHandler(authProvider);
    const retry = new RetryHandler(new RetryHandlerOptions(1, 3));
    authentication.setNext(retry);
    retry.setNext(transport);
    const client = Client.initWithMiddleware({
      middleware: authentication,
      baseUrl: g.graph.graphEndpoint,
      customHosts: new Set(["127.0.0.1"]),
    });
    try {
      await armGraphFault(g.sim.file, {
        method: "GET",
        path: "/beta/groups",
        kind: "throttle",
        retryAfterSeconds: 1,
      });
      const started = Date.now();
      const page = (await client.api("/groups").version("beta").get()) as { value: unknown[] };
      expect(page.value).toHaveLength(6);
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(statuses("graph.listGroups")).toEqual([429, 200]);

      await armGraphFault(g.sim.file, { method: "GET", path: "/beta/groups", kind: "drop" });
      await expect(client.api("/groups").version("beta").get()).rejects.toMatchObject({ statusCode: -1 });
      expect(statuses("graph.listGroups")).toEqual([429, 200, "dropped"]);
    } finally {
      await transport.close();
    }
  });
});
