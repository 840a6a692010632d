// The configuration's secrets the stack manages: Domain, SyncNotificationSettings (the delete threshold and the
// quarantine email) and, when the stack declares the scope mode, SyncAll. Microsoft Graph replaces every secret on PUT and has no PATCH for them, so the provider reads
// them all, changes only these values (inside SyncNotificationSettings too, only the four fields it manages), and
// writes them all back. Secret values are never logged or stored; the managed ones are not secret (a domain name, a
// number, email addresses).
import {
  DEFAULT_DELETE_THRESHOLD,
  DOMAIN_SECRET,
  NOTIFICATION_SECRET,
  SYNC_ALL_SECRET,
} from "../../domain/cloudSync";
import type { SecretPair } from "../../graph";

export interface ManagedSecrets {
  /** null when the configuration has no Domain secret. */
  domain: string | null;
  deleteThreshold: number;
  deleteThresholdEnabled: boolean;
  notifications: { enabled: boolean; recipients: string[] };
}

function jsonObject(text: string | null | undefined): Record<string, unknown> {
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === "object" && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

const valueOf = (pairs: readonly SecretPair[], key: string) => pairs.find((pair) => pair.key === key)?.value;

function asBoolean(value: unknown, otherwise: boolean): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "string") return value.toLowerCase() === "true";
  return otherwise;
}

/** Recipients as Microsoft's example writes them: one string (several separated by semicolons). */
function recipientsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== "string") return [];
  return value
    .split(/[;,]/)
    .map((each) => each.trim())
    .filter((each) => each !== "");
}

/** The managed values as the configuration has them (the service's defaults where a value is absent). */
export function readManagedSecrets(pairs: readonly SecretPair[]): ManagedSecrets {
  const domain = jsonObject(valueOf(pairs, DOMAIN_SECRET)).domain;
  const settings = jsonObject(valueOf(pairs, NOTIFICATION_SECRET));
  const threshold = Number(settings.DeleteThresholdValue);
  return {
    domain: typeof domain === "string" && domain !== "" ? domain : null,
    deleteThreshold: Number.isInteger(threshold) && threshold > 0 ? threshold : DEFAULT_DELETE_THRESHOLD,
    deleteThresholdEnabled: asBoolean(settings.DeleteThresholdEnabled, true),
    notifications: {
      enabled: asBoolean(settings.Enabled, false),
      recipients: recipientsOf(settings.Recipients),
    },
  };
}

/** SyncAll is "true" ("all security groups"; absent: false). */
export function readSyncAll(pairs: readonly SecretPair[]): boolean {
  return (valueOf(pairs, SYNC_ALL_SECRET) ?? "").toLowerCase() === "true";
}

export interface WantedSecrets {
  domain: string;
  deleteThreshold: number;
  deleteThresholdEnabled: boolean;
  notifications: { enabled: boolean; recipients: string[] };
  /** undefined: SyncAll is left as it is. */
  syncAll?: boolean | undefined;
}

/**
 * Every secret of the configuration with the managed values as wanted: the other secrets and the other fields of
 * the two managed secrets stay as they are. `changes` names what differs (empty: nothing to write).
 */
export function mergeSecrets(
  pairs: readonly SecretPair[],
  wanted: WantedSecrets,
): { pairs: SecretPair[]; changes: string[] } {
  const live = readManagedSecrets(pairs);
  const changes: string[] = [];
  if ((live.domain ?? "").toLowerCase() !== wanted.domain.toLowerCase())
    changes.push(`${DOMAIN_SECRET}: ${live.domain ?? "(not set)"} -> ${wanted.domain}`);
  if (live.deleteThresholdEnabled !== wanted.deleteThresholdEnabled)
    changes.push(`delete threshold ${wanted.deleteThresholdEnabled ? "enabled" : "disabled"}`);
  if (live.deleteThreshold !== wanted.deleteThreshold)
    changes.push(`delete threshold: ${live.deleteThreshold} -> ${wanted.deleteThreshold}`);
  if (live.notifications.enabled !== wanted.notifications.enabled)
    changes.push(`quarantine email ${wanted.notifications.enabled ? "enabled" : "disabled"}`);
  if (live.notifications.recipients.join(";") !== wanted.notifications.recipients.join(";"))
    changes.push(`quarantine email recipients: ${wanted.notifications.recipients.join(";") || "(none)"}`);
  const liveSyncAll = readSyncAll(pairs);
  const syncAllChanged = wanted.syncAll !== undefined && liveSyncAll !== wanted.syncAll;
  if (syncAllChanged)
    changes.push(
      `${SYNC_ALL_SECRET}: ${String(liveSyncAll)} -> ${String(wanted.syncAll)} (${wanted.syncAll ? "all security groups" : "selected security groups"})`,
    );
  // Absent values are the service's defaults (threshold 500, enabled; no email): equal to them is no change.
  if (changes.length === 0) return { pairs: [...pairs], changes };

  const domain = { ...jsonObject(valueOf(pairs, DOMAIN_SECRET)), domain: wanted.domain };
  const settings = {
    ...jsonObject(valueOf(pairs, NOTIFICATION_SECRET)),
    Enabled: wanted.notifications.enabled,
    Recipients: wanted.notifications.recipients.join(";"),
    DeleteThresholdEnabled: wanted.deleteThresholdEnabled,
    DeleteThresholdValue: wanted.deleteThreshold,
  };
  const written = new Map<string, string>([
    [DOMAIN_SECRET, JSON.stringify(domain)],
    [NOTIFICATION_SECRET, JSON.stringify(settings)],
  ]);
  if (syncAllChanged) written.set(SYNC_ALL_SECRET, String(wanted.syncAll));
  const merged: SecretPair[] = pairs.map((pair) =>
    written.has(pair.key) ? { ...pair, value: written.get(pair.key) as string } : pair,
  );
  for (const [key, value] of written)
    if (!pairs.some((pair) => pair.key === key)) merged.push({ key, value });
  return { pairs: merged, changes };
}
