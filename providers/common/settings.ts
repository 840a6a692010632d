// Provider settings: the stack configuration keys the providers read in `configure` (never resource inputs).
// The program validates them with the same schema before it declares anything (components/stackConfig.ts).
import { z } from "zod";
import { graphConnectionSchema } from "../../graph/config";
import { documented } from "./defineResource";

/** Timeout of one operation on the server, in seconds. */
export const callTimeoutSeconds = z.number().int().min(1).max(86_400).default(300);

const connection = graphConnectionSchema.shape;

/**
 * Where and as whom the providers reach Microsoft Graph (the Graph-side resources only). Everything but the secret:
 * that is `graphClientSecret`. Files are read by the providers when they first call Graph.
 */
export const graphSettings = z.strictObject({
  /** The directory (tenant) id, or its onmicrosoft.com name. */
  tenantId: connection.tenantId,
  /** The application (client) id of the app registration (Directory.ReadWrite.All for the tenant default). */
  clientId: connection.clientId,
  /** https URL of the token authority: login.microsoftonline.com, or another cloud's, or the simulator's. */
  authorityHost: connection.authorityHost,
  /** https URL of Microsoft Graph: graph.microsoft.com, or another cloud's, or the simulator's. */
  graphEndpoint: connection.graphEndpoint,
  /** Instead of `graphClientSecret`: a PEM file holding the app's certificate and its private key. */
  certificateFile: z.string().min(1).optional(),
  /** For an endpoint with a private CA (the simulator): a PEM file with the one CA certificate to trust. */
  trustedCaFile: z.string().min(1).optional(),
});
export type GraphSettings = z.output<typeof graphSettings>;

/** Keys whose value is text as given (a secret is never read as a number, a boolean or JSON). */
const TEXT_KEYS: ReadonlySet<string> = new Set(["password", "graphClientSecret"]);

export const providerSettings = z
  .strictObject({
    password: documented(z.string().optional(), {
      type: "secret string",
      description:
        "Password of `target.username` for WinRM; without it, WinRM uses the current Windows identity (Kerberos). " +
        "Set with `--secret`. Read only by the providers (`configure`), never a resource input, never in state or logs.",
    }),
    callTimeoutSeconds: documented(callTimeoutSeconds, {
      description:
        "Timeout of one operation on the server (provider setting, validated by the program like every key).",
    }),
    graph: documented(graphSettings.optional(), {
      type: "object (below)",
      description:
        "How the Graph-side resources (`UnifiedGroupWritebackDefault`) reach Microsoft Graph: `tenantId`, `clientId`, " +
        "and optionally `authorityHost` and `graphEndpoint` (sovereign clouds, the simulator), `certificateFile` (PEM " +
        "with the private key, instead of `graphClientSecret`) and `trustedCaFile` (the simulator's CA). Set with " +
        "`--path`, e.g. `pulumi config set --path entra-writeback:graph.tenantId <id>`. See [defaults.md](defaults.md).",
    }),
    graphClientSecret: documented(z.string().min(1).optional(), {
      type: "secret string",
      description:
        "The client secret of `graph.clientId`. Set with `--secret`. Read only by the providers (`configure`), never " +
        "a resource input, never in state or logs.",
    }),
  })
  .superRefine((settings, context) => {
    const secret = settings.graphClientSecret !== undefined;
    if (!settings.graph) {
      if (secret)
        context.addIssue({
          code: "custom",
          path: ["graphClientSecret"],
          message: "set entra-writeback:graph (tenantId, clientId) too, or remove the secret",
        });
      return;
    }
    const certificate = settings.graph.certificateFile !== undefined;
    if (secret === certificate)
      context.addIssue({
        code: "custom",
        path: ["graph"],
        message: secret
          ? "give either graphClientSecret or graph.certificateFile, not both"
          : "the app needs a credential: set entra-writeback:graphClientSecret with --secret, or graph.certificateFile",
      });
  });
export type ProviderSettings = z.output<typeof providerSettings>;

/**
 * A configuration value as the engine hands it over (text) to what the schemas expect: `true`/`false` as
 * booleans, integers as numbers, JSON objects (for `target`) as objects, anything else as text.
 */
export function configValue(key: string, text: string): unknown {
  if (TEXT_KEYS.has(key)) return text;
  if (text.trimStart().startsWith("{")) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  if (text === "true" || text === "false") return text === "true";
  if (/^-?\d+$/.test(text)) return Number(text);
  return text;
}
