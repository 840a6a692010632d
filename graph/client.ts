// The project's Microsoft Graph client: @microsoft/microsoft-graph-client over an @azure/identity app-only
// credential, with our retry middleware, paging that follows @odata.nextLink as given, progress callbacks, and
// zod checks on every response the project consumes. The same code talks to Microsoft and to the simulator;
// only the URLs (and, for the simulator, the trusted certificate) differ.
import {
  AuthenticationHandler,
  Client,
  GraphClientError,
  GraphError,
  type AuthenticationProvider,
} from "@microsoft/microsoft-graph-client";
import { ClientCertificateCredential, ClientSecretCredential, type TokenCredential } from "@azure/identity";
import type { z } from "zod";
import {
  type GraphConnectionInput,
  graphConnectionSchema,
  KNOWN_AUTHORITY_HOSTS,
  type GraphConnection,
} from "./config";
import {
  GraphAuthenticationError,
  GraphConnectionError,
  GraphRequestError,
  GraphResponseShapeError,
  redact,
} from "./errors";
import { RetryMiddleware, type RetryOptions } from "./retry";
import { UndiciFetchHandler } from "./transport";
import {
  collectionPage,
  type DirectorySetting,
  directorySetting,
  type DirectorySettingTemplate,
  directorySettingTemplate,
  type GraphGroup,
  graphGroup,
} from "./schemas";

export type GraphVersion = "v1.0" | "beta";

export interface PageProgress {
  /** Pages read so far, this one included. */
  pages: number;
  /** Items read so far. */
  items: number;
  /** Where the next page is; absent on the last page. Keep it to resume a long listing later. */
  nextLink?: string;
}

export interface GroupQuery {
  version?: GraphVersion;
  /** OData $filter, e.g. groupTypes/any(c:c eq 'Unified'). */
  filter?: string;
  select?: readonly string[];
  /** Page size, 1..999; default 999. */
  top?: number;
  /** Resume from a nextLink a previous listing reported (the query is in it). */
  startAt?: string;
  onPage?: (progress: PageProgress) => void;
}

export interface GroupPage {
  groups: GraphGroup[];
  nextLink?: string;
}

export interface GraphClientOptions {
  retry?: RetryOptions;
}

function credentialFor(connection: GraphConnection): TokenCredential {
  const authorityHost = new URL(connection.authorityHost);
  const options = {
    authorityHost: connection.authorityHost,
    // Instance discovery asks login.microsoftonline.com about the authority; for hosts it does not know
    // (a private cloud, the simulator) there is nothing to discover.
    disableInstanceDiscovery: !KNOWN_AUTHORITY_HOSTS.has(authorityHost.hostname),
    ...(connection.trustedCertificatePem !== undefined
      ? { tlsOptions: { ca: [connection.trustedCertificatePem] } }
      : {}),
  };
  if (connection.clientSecret !== undefined) {
    return new ClientSecretCredential(
      connection.tenantId,
      connection.clientId,
      connection.clientSecret,
      options,
    );
  }
  return new ClientCertificateCredential(
    connection.tenantId,
    connection.clientId,
    { certificate: connection.certificatePem as string },
    options,
  );
}

export class GraphClient {
  readonly connection: Readonly<Omit<GraphConnection, "clientSecret" | "certificatePem">>;
  private readonly client: Client;
  private readonly secrets: ReadonlyArray<string | undefined>;
  private readonly transport: UndiciFetchHandler;

  constructor(input: GraphConnectionInput, options: GraphClientOptions = {}) {
    const parsed = graphConnectionSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new GraphClientError(
        `the Graph connection is not valid: ${issue?.path.join(".") || "connection"}: ${issue?.message ?? "invalid"}`,
      );
    }
    const connection = parsed.data;
    this.secrets = [connection.clientSecret, connection.certificatePem];
    const { clientSecret: _secret, certificatePem: _certificate, ...visible } = connection;
    this.connection = visible;
    const credential = credentialFor(connection);
    const scope = `${connection.graphEndpoint}/.default`;
    const secrets = this.secrets;
    const authProvider: AuthenticationProvider = {
      async getAccessToken(): Promise<string> {
        try {
          const token = await credential.getToken(scope);
          if (!token) throw new Error("the credential returned no token");
          return token.token;
        } catch (error) {
          const detail = redact((error as Error).message.split("\n")[0] ?? "", secrets);
          throw new GraphAuthenticationError(
            `could not get a Microsoft Graph token for app ${connection.clientId} in tenant ${connection.tenantId} from ${connection.authorityHost}: ${detail.trim()} (check tenantId, clientId and the app's client secret or certificate)`,
          );
        }
      },
    };
    const authentication = new AuthenticationHandler(authProvider);
    const retry = new RetryMiddleware(options.retry);
    this.transport = new UndiciFetchHandler(connection.trustedCertificatePem);
    const http = this.transport;
    authentication.setNext(retry);
    retry.setNext(http);
    const graphHost = new URL(connection.graphEndpoint).hostname;
    this.client = Client.initWithMiddleware({
      middleware: authentication,
      baseUrl: connection.graphEndpoint,
      defaultVersion: "v1.0",
      customHosts: new Set([graphHost]),
    });
  }

  /** Closes the client's connections (Graph's; the credential's close on their own). */
  close(): Promise<void> {
    return this.transport.close();
  }

  /** Runs one request and turns every failure into one of this module's errors. */
  private async send<T>(
    method: string,
    url: string,
    run: () => Promise<unknown>,
    schema?: z.ZodType<T>,
  ): Promise<T> {
    let body: unknown;
    try {
      body = await run();
    } catch (error) {
      throw this.translate(method, url, error);
    }
    if (!schema) return body as T;
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new GraphResponseShapeError(
        `Microsoft Graph answered ${method} ${url} with an unexpected shape: ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`,
      );
    }
    return parsed.data;
  }

  private translate(method: string, url: string, error: unknown): Error {
    if (error instanceof GraphClientError) {
      error.message = redact(error.message, this.secrets);
      return error;
    }
    if (error instanceof GraphError) {
      if (error.statusCode > 0) {
        return new GraphRequestError(
          method,
          url,
          error.statusCode,
          error.code ?? "unknown",
          redact(error.message, this.secrets),
          error.requestId ?? null,
        );
      }
      return new GraphConnectionError(
        method === "POST"
          ? `the connection to Microsoft Graph dropped during POST ${url}: it may or may not have been applied; read the current state before trying again`
          : `could not reach Microsoft Graph for ${method} ${url}: ${redact(error.message, this.secrets)}`,
      );
    }
    return new GraphConnectionError(
      `Microsoft Graph ${method} ${url} failed: ${redact(String((error as Error)?.message ?? error), this.secrets)}`,
    );
  }

  /**
   * One request to any Graph path (the synchronization API in graph/synchronization.ts builds on it): the same
   * authentication, retries and error translation as every other call, the body checked with `schema` when given.
   */
  request<T = unknown>(
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
    path: string,
    options: {
      version?: GraphVersion;
      body?: unknown;
      headers?: Record<string, string>;
      schema?: z.ZodType<T>;
    } = {},
  ): Promise<T> {
    const version = options.version ?? "beta";
    const request = this.client.api(path).version(version);
    if (options.headers) request.headers(options.headers);
    const url = `/${version}${path}`;
    const run = (): Promise<unknown> => {
      switch (method) {
        case "GET":
          return request.get();
        case "POST":
          return request.post(options.body ?? {});
        case "PUT":
          return request.put(options.body ?? {});
        case "PATCH":
          return request.patch(options.body ?? {});
        case "DELETE":
          return request.delete();
      }
    };
    return this.send(method, url, run, options.schema);
  }

  /** Pages of groups, following @odata.nextLink exactly as Graph gave it until there is none. */
  async *groupPages(query: GroupQuery = {}): AsyncGenerator<GroupPage> {
    const version = query.version ?? "beta";
    const page = collectionPage(graphGroup);
    let pages = 0;
    let items = 0;
    let link: string | undefined = query.startAt;
    let first = link === undefined;
    while (first || link !== undefined) {
      let result: z.infer<typeof page>;
      if (first) {
        first = false;
        const request = this.client
          .api("/groups")
          .version(version)
          .top(query.top ?? 999);
        if (query.filter !== undefined) request.filter(query.filter);
        if (query.select !== undefined) request.select([...query.select]);
        result = await this.send("GET", `/${version}/groups`, () => request.get(), page);
      } else {
        const next = link as string;
        result = await this.send("GET", next, () => this.client.api(next).get(), page);
      }
      pages++;
      items += result.value.length;
      link = result["@odata.nextLink"];
      query.onPage?.({ pages, items, ...(link !== undefined ? { nextLink: link } : {}) });
      yield { groups: result.value, ...(link !== undefined ? { nextLink: link } : {}) };
    }
  }

  /** Every group the query selects, all pages read. */
  async listGroups(query: GroupQuery = {}): Promise<GraphGroup[]> {
    const groups: GraphGroup[] = [];
    for await (const page of this.groupPages(query)) groups.push(...page.groups);
    return groups;
  }

  getGroup(
    id: string,
    options: { version?: GraphVersion; select?: readonly string[] } = {},
  ): Promise<GraphGroup> {
    const version = options.version ?? "beta";
    const request = this.client.api(`/groups/${encodeURIComponent(id)}`).version(version);
    if (options.select !== undefined) request.select([...options.select]);
    return this.send("GET", `/${version}/groups/${id}`, () => request.get(), graphGroup);
  }

  /** PATCH /beta/groups/{id} writebackConfiguration (beta only; onPremisesGroupType cannot go back to null). */
  async updateGroupWriteback(
    id: string,
    change: { isEnabled?: boolean | null; onPremisesGroupType?: string },
  ): Promise<void> {
    await this.send("PATCH", `/beta/groups/${id}`, () =>
      this.client
        .api(`/groups/${encodeURIComponent(id)}`)
        .version("beta")
        .patch({ writebackConfiguration: change }),
    );
  }

  async listDirectorySettingTemplates(): Promise<DirectorySettingTemplate[]> {
    const result = await this.send(
      "GET",
      "/beta/directorySettingTemplates",
      () => this.client.api("/directorySettingTemplates").version("beta").get(),
      collectionPage(directorySettingTemplate),
    );
    return result.value;
  }

  /** The template with this display name (e.g. Group.Unified), looked up as Microsoft's script does. */
  async findDirectorySettingTemplate(displayName: string): Promise<DirectorySettingTemplate | undefined> {
    return (await this.listDirectorySettingTemplates()).find(
      (template) => template.displayName === displayName,
    );
  }

  async listDirectorySettings(): Promise<DirectorySetting[]> {
    const result = await this.send(
      "GET",
      "/beta/settings",
      () => this.client.api("/settings").version("beta").get(),
      collectionPage(directorySetting),
    );
    return result.value;
  }

  /** POST /beta/settings: a create must carry every value of the template. */
  createDirectorySetting(
    templateId: string,
    values: ReadonlyArray<{ name: string; value: string }>,
  ): Promise<DirectorySetting> {
    return this.send(
      "POST",
      "/beta/settings",
      () => this.client.api("/settings").version("beta").post({ templateId, values }),
      directorySetting,
    );
  }

  async updateDirectorySetting(
    id: string,
    values: ReadonlyArray<{ name: string; value: string }>,
  ): Promise<void> {
    await this.send("PATCH", `/beta/settings/${id}`, () =>
      this.client
        .api(`/settings/${encodeURIComponent(id)}`)
        .version("beta")
        .patch({ values }),
    );
  }

  async deleteDirectorySetting(id: string): Promise<void> {
    await this.send("DELETE", `/beta/settings/${id}`, () =>
      this.client
        .api(`/settings/${encodeURIComponent(id)}`)
        .version("beta")
        .delete(),
    );
  }
}
