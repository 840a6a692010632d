// Provider settings: the stack configuration keys the providers read in `configure` (never resource inputs).
// The program validates them with the same schema before it declares anything (components/stackConfig.ts).
import { z } from "zod";
import { documented } from "./defineResource";

/** Timeout of one operation on the server, in seconds. */
export const callTimeoutSeconds = z.number().int().min(1).max(86_400).default(300);

export const providerSettings = z.strictObject({
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
});
export type ProviderSettings = z.output<typeof providerSettings>;

/**
 * A configuration value as the engine hands it over (text) to what the schemas expect: `true`/`false` as
 * booleans, integers as numbers, JSON objects (for `target`) as objects, anything else as text.
 */
export function configValue(key: string, text: string): unknown {
  if (key === "password") return text;
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
