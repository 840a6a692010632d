// Stack configuration (namespace entra-writeback) -> GroupWriteback arguments, validated with zod before the
// program declares anything. Each key is parsed with the schema of the resource input (or provider setting)
// it becomes (components/schema.ts), so a value a resource would refuse later is refused here, before the first
// change. docs/configuration.md is generated from the same schemas (`npm run docs:config`).
import * as pulumi from "@pulumi/pulumi";
import { configValue, providerSettings } from "../providers/common/settings";
import type { GroupWritebackArgs } from "./groupWriteback";
import {
  CONNECT_SIDE_DEFAULTS,
  connectSideOnly,
  type GroupWritebackSettings,
  groupWritebackSettings,
} from "./schema";

export const NAMESPACE = "entra-writeback";

/** The program's keys: the component's settings (components/schema.ts), defaults applied. */
export const stackConfig = groupWritebackSettings;
export type StackConfig = GroupWritebackSettings;

/** Every key of the namespace: the program's, and the providers' own (`password`, `callTimeoutSeconds`). */
export const KNOWN_KEYS: readonly string[] = [
  ...Object.keys(stackConfig.shape),
  ...Object.keys(providerSettings.shape),
];

/** The configuration error the engine prints as it is: one message, no stack trace. */
export class StackConfigError extends pulumi.RunError {}

/** The entra-writeback keys set on the running stack (`target` for `entra-writeback:target`). */
export function configuredKeys(): string[] {
  return Object.keys(pulumi.runtime.allConfig())
    .filter((key) => key.startsWith(`${NAMESPACE}:`))
    .map((key) => key.slice(NAMESPACE.length + 1));
}

/**
 * Reads and validates every entra-writeback:* key; numbers and booleans may be given as YAML values or
 * strings. `keys` are the keys the stack sets (default: from the engine), so that unknown or misspelt keys
 * are refused. `password` and `callTimeoutSeconds` are validated here and read by the providers (configure).
 */
export function readStackConfig(
  config: pulumi.Config,
  keys: readonly string[] = configuredKeys(),
): GroupWritebackArgs {
  const problems: string[] = [];
  for (const key of keys) {
    if (KNOWN_KEYS.includes(key)) continue;
    const closest = closestKey(key);
    problems.push(
      `  ${NAMESPACE}:${key}: not a known key${closest ? ` (did you mean ${NAMESPACE}:${closest}?)` : ""}`,
    );
  }
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(stackConfig.shape)) {
    const text = config.get(key);
    if (text !== undefined) raw[key] = configValue(key, text);
  }
  const settings: Record<string, unknown> = {};
  for (const key of Object.keys(providerSettings.shape)) {
    const text = config.get(key);
    if (text !== undefined) settings[key] = configValue(key, text);
  }
  const parsed = stackConfig.safeParse(raw);
  const parsedSettings = providerSettings.safeParse(settings);
  for (const issue of [
    ...(parsed.success ? [] : parsed.error.issues),
    ...(parsedSettings.success ? [] : parsedSettings.error.issues),
  ]) {
    const key = issue.path.join(".") || "(config)";
    problems.push(`  ${NAMESPACE}:${key}: ${issue.message}`);
  }
  // Without Graph, only the Connect-side defaults (docs/defaults.md): the Graph-side keys the schema filled in go.
  let defaults = parsed.success ? parsed.data.defaults : undefined;
  if (defaults && parsedSettings.success && !parsedSettings.data.graph) {
    if (connectSideOnly(raw.defaults as object)) {
      defaults = Object.fromEntries(
        Object.entries(defaults).filter(([key]) => CONNECT_SIDE_DEFAULTS.includes(key)),
      ) as typeof defaults;
    } else {
      const graphSide = Object.keys(raw.defaults as object).filter(
        (key) => !CONNECT_SIDE_DEFAULTS.includes(key),
      );
      problems.push(
        `  ${NAMESPACE}:defaults: declared, but ${NAMESPACE}:graph is not set: ` +
          (graphSide.length > 0
            ? `${graphSide.join(", ")} live${graphSide.length === 1 ? "s" : ""} in Microsoft Graph`
            : "the tenant default lives in Microsoft Graph, and no Connect-side key is declared") +
          " (set graph.tenantId and graph.clientId with --path, and graphClientSecret with --secret; or declare only " +
          `the Connect-side keys, which need no Graph: ${CONNECT_SIDE_DEFAULTS.join(", ")}; see docs/defaults.md)`,
      );
    }
  }
  if (parsed.success && parsed.data.cloudSync && parsedSettings.success && !parsedSettings.data.graph) {
    problems.push(
      `  ${NAMESPACE}:cloudSync: declared, but ${NAMESPACE}:graph is not set: Cloud Sync is configured through ` +
        "Microsoft Graph (set graph.tenantId and graph.clientId with --path, and graphClientSecret with --secret; see docs/cloud-sync.md)",
    );
  }
  if (parsed.success && parsed.data.cloudSyncMigration && !parsed.data.cloudSync) {
    problems.push(
      `  ${NAMESPACE}:cloudSyncMigration: declared, but ${NAMESPACE}:cloudSync is not: the migration ends with Cloud ` +
        "Sync taking the groups over; declare cloudSync with naming connect and targetOu the writeback OU " +
        "(see docs/cloud-sync-migration.md)",
    );
  }
  if (problems.length > 0 || !parsed.success) {
    throw new StackConfigError(
      `invalid stack configuration; nothing was changed:\n${problems.join("\n")}\n` +
        `Set values with \`pulumi config set ${NAMESPACE}:<key> <value>\` (objects with --path), ` +
        `remove unknown keys with \`pulumi config rm ${NAMESPACE}:<key>\`; see docs/configuration.md.`,
    );
  }
  return { ...parsed.data, defaults };
}

/** The known key nearest to a misspelt one (edit distance, letter case ignored), if any is near enough. */
export function closestKey(key: string): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const known of KNOWN_KEYS) {
    const distance = editDistance(key.toLowerCase(), known.toLowerCase());
    if (!best || distance < best.distance) best = { key: known, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(best.key.length / 3)) ? best.key : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}
