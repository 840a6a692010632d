// Stack configuration (namespace entra-writeback) -> GroupWriteback arguments, validated with zod.
// Every key is documented in docs/configuration.md.
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { distinguishedName } from "../operations/contract";
import { target } from "../operations/target";
import type { GroupWritebackArgs } from "./groupWriteback";

const seconds = (max: number) => z.number().int().min(0).max(max);

export const stackConfig = z.strictObject({
  target,
  writebackOu: distinguishedName,
  connectorAccountDn: distinguishedName,
  dnFormat: z.enum(["objectId", "displayName"]).default("objectId"),
  groupWritebackV2: z.enum(["enable", "require", "skip"]).default("enable"),
  role: z.enum(["active", "staging"]).default("active"),
  permissions: z.enum(["ou", "forest"]).default("ou"),
  syncIdleTimeoutSeconds: seconds(86_400).default(600),
  wizardWaitSeconds: seconds(86_400).default(0),
  wizardPollSeconds: z.number().int().min(1).max(3600).default(10),
  allowNonEmptyOuDeletion: z.boolean().default(false),
  disableV2OnDestroy: z.boolean().default(false),
  acknowledgedOptedOutGroups: z.number().int().min(0).default(0),
});
export type StackConfig = z.output<typeof stackConfig>;

/**
 * Reads every entra-writeback:* key the program uses; numbers and booleans may be given as YAML values or
 * strings. `password` and `callTimeoutSeconds` are read by the providers (configure), never by the program.
 */
export function readStackConfig(config: pulumi.Config): GroupWritebackArgs {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(stackConfig.shape)) {
    const text = config.get(key);
    if (text === undefined) continue;
    raw[key] = parseValue(key, text);
  }
  const parsed = stackConfig.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = issue.path.join(".") || "(config)";
      return `  entra-writeback:${key}: ${issue.message}`;
    });
    throw new Error(
      `invalid stack configuration:\n${problems.join("\n")}\n` +
        "Set values with `pulumi config set entra-writeback:<key> <value>` (objects with --path), " +
        "see docs/configuration.md.",
    );
  }
  return parsed.data;
}

function parseValue(key: string, text: string): unknown {
  if (key === "target") {
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
