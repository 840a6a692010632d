import { GraphAuthenticationError, GraphRequestError } from "../../../graph";
import { issueToken, verifyAuthorization } from "../../../simulator/graph/tokens";
import { graphEntries, newGraphSim, rawGraph, rawToken, writerToken, type GraphSim } from "./support";

let g: GraphSim;
beforeEach(async () => {
  g = await newGraphSim({ m365: 3, security: 2 });
});
afterEach(async () => g.cleanup());

const TRACE =
  /^AADSTS\d+: .*\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/s;

describe("the token endpoint (client-credentials grant)", () => {
  it("issues a bearer token for the app's secret, and the client uses it", async () => {
    const { status, body } = await rawToken(g, {
      grant_type: "client_credentials",
      client_id: g.writer.clientId,
      client_secret: g.writer.clientSecret,
      scope: `${g.graph.graphEndpoint}/.default`,
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 3599, access_token: expect.any(String) });
    expect(await g.client().listGroups()).toHaveLength(5);
  });

  it("answers a wrong secret with 401 invalid_client AADSTS7000215 in Entra ID's body shape", async () => {
    const { status, body } = await rawToken(g, {
      grant_type: "client_credentials",
      client_id: g.writer.clientId,
      client_secret: "not-the-secret",
      scope: `${g.graph.graphEndpoint}/.default`,
    });
    expect(status).toBe(401);
    expect(body).toEqual({
      error: "invalid_client",
      error_description: expect.stringMatching(TRACE),
      error_codes: [7000215],
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/),
      trace_id: expect.any(String),
      correlation_id: expect.any(String),
      error_uri: "https://login.microsoftonline.com/error?code=7000215",
    });
    expect(body.error_description).toContain(
      `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${g.writer.clientId}'.`,
    );
  });

  it("answers an unknown client with 400 unauthorized_client AADSTS700016, and an unknown tenant with AADSTS90002", async () => {
    const unknown = await rawToken(g, {
      grant_type: "client_credentials",
      client_id: "00000000-0000-4000-8000-000000000001",
      client_secret: "x",
      scope: `${g.graph.graphEndpoint}/.default`,
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ error: "unauthorized_client", error_codes: [700016] });
    const tenant = await rawToken(
      g,
      {
        grant_type: "client_credentials",
        client_id: g.writer.clientId,
        client_secret: g.writer.clientSecret,
      },
      "00000000-0000-4000-8000-000000000002",
    );
    expect(tenant).toMatchObject({ status: 400, body: { error: "invalid_request", error_codes: [90002] } });
  });

  it("refuses a scope without /.default for another resource", async () => {
    const { status, body } = await rawToken(g, {
      grant_type: "client_credentials",
      client_id: g.writer.clientId,
      client_secret: g.writer.clientSecret,
      scope: "https://management.azure.com/.default",
    });
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: "invalid_scope", error_codes: [1002012] });
  });

  it("the client reports a wrong secret in one sentence, without the secret", async () => {
    const secret = `${g.writer.clientSecret}-wrong`;
    const error = await g
      .client({ clientSecret: secret })
      .listGroups()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GraphAuthenticationError);
    const message = (error as Error).message;
    expect(message).toMatch(
      new RegExp(
        `^could not get a Microsoft Graph token for app ${g.writer.clientId} in tenant ${g.tenantId} from https://127\\.0\\.0\\.1:\\d+: .*AADSTS7000215: Invalid client secret provided`,
      ),
    );
    expect(message).toMatch(/\(check tenantId, clientId and the app's client secret or certificate\)$/);
    expect(message).not.toContain(secret);
    expect(message).not.toContain("\n");
    expect(JSON.stringify(error)).not.toContain(secret);
  });
});

describe("the bearer token", () => {
  it("is required on every Graph call: 401 InvalidAuthenticationToken in Graph's error shape", async () => {
    const missing = await rawGraph(g, "GET", "/beta/groups");
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({
      error: {
        code: "InvalidAuthenticationToken",
        message: "Access token is empty.",
        innerError: {
          date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
          "request-id": expect.any(String),
          "client-request-id": expect.any(String),
        },
      },
    });
    expect(missing.headers.get("request-id")).toBe(
      (missing.body as { error: { innerError: Record<string, string> } }).error.innerError["request-id"],
    );
    const garbage = await rawGraph(g, "GET", "/beta/groups/x", { token: "not-a-jwt" });
    expect(garbage).toMatchObject({ status: 401, body: { error: { code: "InvalidAuthenticationToken" } } });
    const token = await writerToken(g);
    const forged = `${token.slice(0, token.lastIndexOf(".") + 1)}AAAA`;
    const tampered = await rawGraph(g, "PATCH", "/beta/settings/x", { token: forged, body: {} });
    expect(tampered).toMatchObject({
      status: 401,
      body: { error: { code: "InvalidAuthenticationToken", message: "Access token validation failure." } },
    });
    // The same call with the real token gets past authentication.
    const real = await rawGraph(g, "GET", "/beta/groups", { token });
    expect(real.status).toBe(200);
  });

  it("lets a read-only app list groups but not PATCH them: 403 Authorization_RequestDenied", async () => {
    const reader = g.client({ ...g.reader });
    expect(await reader.listGroups()).toHaveLength(5);
    const id = (await reader.listGroups())[0]?.id as string;
    const error = await reader
      .updateGroupWriteback(id, { isEnabled: false })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GraphRequestError);
    expect(error).toMatchObject({ status: 403, code: "Authorization_RequestDenied" });
    expect((error as Error).message).toMatch(
      /^Microsoft Graph refused PATCH \/beta\/groups\/[0-9a-f-]+: 403 Authorization_RequestDenied: Insufficient privileges to complete the operation\. \(request-id [0-9a-f-]+\)$/,
    );
  });
});

describe("the journal", () => {
  it("records each request with the app and the status, never the secret or the token", async () => {
    const client = g.client();
    const groups = await client.listGroups();
    await client.updateGroupWriteback(groups[0]?.id as string, { isEnabled: false });
    await g
      .client({ clientSecret: "wrong-secret-value" })
      .listGroups()
      .catch(() => undefined);
    const token = await writerToken(g);
    await rawGraph(g, "GET", "/beta/groups", { token });
    const entries = graphEntries(g);
    expect(
      entries.map((entry) => [entry.operation, entry.outcome, (entry.args as { status: number }).status]),
    ).toEqual(
      expect.arrayContaining([
        ["graph.token", "ok", 200],
        ["graph.listGroups", "ok", 200],
        ["graph.updateGroup", "ok", 204],
        ["graph.token", "error", 401],
      ]),
    );
    const text = JSON.stringify(g.sim.journal());
    // The filter below can match: the app id and the PATCH body are journaled.
    expect(text).toContain(g.writer.clientId);
    expect(text).toContain('"writebackConfiguration":{"isEnabled":false}');
    expect(text).not.toContain(g.writer.clientSecret);
    expect(text).not.toContain("wrong-secret-value");
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.split(".")[2] as string);
  });
});

describe("token checks (tokens.ts)", () => {
  it("refuses an expired token and one for another audience", async () => {
    const state = await g.sim.state();
    const graph = state.graph;
    const app = graph?.apps[0];
    if (!graph || !app) throw new Error("no graph section");
    const audience = g.graph.graphEndpoint;
    const now = Date.now();
    const fresh = issueToken(graph, app, audience, now);
    expect(verifyAuthorization(graph, `Bearer ${fresh}`, [audience], now)).toMatchObject({ ok: true });
    expect(verifyAuthorization(graph, `Bearer ${fresh}`, [audience], now + 3600_000)).toEqual({
      ok: false,
      message: "Lifetime validation failed, the token is expired.",
    });
    expect(verifyAuthorization(graph, `Bearer ${fresh}`, ["https://graph.microsoft.us"], now)).toEqual({
      ok: false,
      message: "Access token validation failure. Invalid audience.",
    });
    const otherTenant = { ...graph, signingKey: "another-key-another-key-another-key" };
    expect(verifyAuthorization(otherTenant, `Bearer ${fresh}`, [audience], now)).toEqual({
      ok: false,
      message: "Access token validation failure.",
    });
  });
});
