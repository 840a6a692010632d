// How the project reaches Microsoft Graph: the tenant, the app and its credential, and where the authority and
// Graph live (the public cloud by default; a sovereign cloud or the simulator by URL).
import { z } from "zod";

export const PUBLIC_AUTHORITY_HOST = "https://login.microsoftonline.com";
export const PUBLIC_GRAPH_ENDPOINT = "https://graph.microsoft.com";

/** Authority hosts MSAL knows; for any other host instance discovery is turned off (there is nothing to discover). */
export const KNOWN_AUTHORITY_HOSTS: ReadonlySet<string> = new Set([
  "login.microsoftonline.com",
  "login.microsoftonline.us",
  "login.chinacloudapi.cn",
  "login.partner.microsoftonline.cn",
]);

const httpsOrigin = (what: string) =>
  z
    .url({
      protocol: /^https$/,
      message: `${what} must be an https URL such as ${what === "authorityHost" ? PUBLIC_AUTHORITY_HOST : PUBLIC_GRAPH_ENDPOINT}`,
    })
    .transform((url) => url.replace(/\/+$/, ""));

export const graphConnectionSchema = z
  .strictObject({
    /** The directory (tenant) id, or its onmicrosoft.com name. */
    tenantId: z.string().trim().min(1, "tenantId is required: the directory (tenant) id"),
    /** The application (client) id of the app registration. */
    clientId: z.guid({ message: "clientId must be the application (client) id, a GUID" }),
    /** The client secret value (secret stack configuration); never logged or kept in state. */
    clientSecret: z.string().min(1).optional(),
    /** The alternative to a secret: PEM with the certificate and its private key. */
    certificatePem: z
      .string()
      .includes("PRIVATE KEY", { message: "certificatePem must hold the private key too" })
      .optional(),
    authorityHost: httpsOrigin("authorityHost").default(PUBLIC_AUTHORITY_HOST),
    graphEndpoint: httpsOrigin("graphEndpoint").default(PUBLIC_GRAPH_ENDPOINT),
    /**
     * For an endpoint with a private CA such as the simulator (entra-sim graph prints it): trust exactly this CA
     * certificate (PEM), instead of Node's bundled CAs, for the token and Graph connections of this client only.
     */
    trustedCertificatePem: z
      .string()
      .includes("BEGIN CERTIFICATE", { message: "trustedCertificatePem must be a PEM certificate" })
      .optional(),
  })
  .refine(
    (connection) => (connection.clientSecret === undefined) !== (connection.certificatePem === undefined),
    {
      message: "give exactly one of clientSecret or certificatePem",
    },
  );
export type GraphConnection = z.output<typeof graphConnectionSchema>;
export type GraphConnectionInput = z.input<typeof graphConnectionSchema>;
