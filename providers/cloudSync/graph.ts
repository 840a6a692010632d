// What the Cloud Sync providers share: the synchronization API on the provider process's Graph client, and Graph's
// permission refusals turned into one line naming the permission to grant.
import { GraphRequestError } from "../../graph/errors";
import { SynchronizationApi } from "../../graph/synchronization";
import { UNKNOWN } from "../common/checkInputs";
import { graphClient } from "../common/connection";

/** The application permission each kind of call needs (Microsoft Graph, with admin consent). */
export function permissionFor(url: string): string {
  if (url.includes("/applicationTemplates/"))
    return "Application.ReadWrite.All (or Application.ReadWrite.OwnedBy)";
  if (url.includes("/appRoleAssignedTo")) return "AppRoleAssignment.ReadWrite.All";
  if (url.includes("/synchronization/")) return "Synchronization.ReadWrite.All";
  if (url.includes("/groups")) return "Group.Read.All";
  if (url.includes("/onPremisesPublishingProfiles"))
    return "OnPremisesPublishingProfiles.ReadWrite.All (delegated only)";
  return "Application.Read.All";
}

/** What Cloud Sync as a whole needs, so that one grant after the first refusal is enough. */
export const CLOUD_SYNC_PERMISSIONS = [
  "Application.ReadWrite.All",
  "Synchronization.ReadWrite.All",
  "AppRoleAssignment.ReadWrite.All",
  "Group.Read.All",
] as const;

/** A refusal that already says what is wrong and what to do: passed to the user as it is. */
export class CloudSyncRefusal extends Error {}

/** 401 and 403 from Graph: one line naming the permission; other errors keep their message, prefixed. */
export function explained(error: unknown, doing: string): unknown {
  if (error instanceof CloudSyncRefusal) return error;
  if (error instanceof GraphRequestError && (error.status === 401 || error.status === 403)) {
    return new Error(
      `${doing}: Microsoft Graph refused ${error.method} ${error.url.split("?")[0]} with ${error.status} ${error.code}. ` +
        `The app (entra-writeback:graph.clientId) needs the application permission ${permissionFor(error.url)} for ` +
        `this call, and Cloud Sync needs ${CLOUD_SYNC_PERMISSIONS.join(", ")}: grant them with admin consent in the ` +
        "app registration (API permissions, Microsoft Graph, Application), then run again.",
      { cause: error },
    );
  }
  if (error instanceof Error && !(error instanceof TypeError || error instanceof ReferenceError)) {
    if (error.message.startsWith(doing)) return error;
    return new Error(`${doing}: ${error.message}`, { cause: error });
  }
  return error;
}

/** Runs `run` with the synchronization API of this provider process; errors explained as above. */
export async function withSync<T>(
  kind: string,
  doing: string,
  run: (sync: SynchronizationApi) => Promise<T>,
): Promise<T> {
  try {
    return await run(new SynchronizationApi(graphClient(kind)));
  } catch (error) {
    throw explained(error, doing);
  }
}

/** The Graph endpoint this process talks to (for the scope's app role, which differs per cloud). */
export function graphEndpointOf(kind: string): string {
  return graphClient(kind).connection.graphEndpoint;
}

/**
 * The inputs for diff with the configuration's ids taken as unchanged while they are unknown. The engine does not
 * know a dynamic resource's outputs while it plans an update of it (the Node dynamic provider host drops `stables`),
 * so a change to the configuration's secrets would otherwise plan the mappings, scope and job as replacements. The
 * update keeps the ids; when they do change (the job was recreated), `pulumi up` compares the real ids.
 */
export function withKnownIds(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  keys: readonly string[] = ["servicePrincipalId", "jobId"],
): Record<string, unknown> {
  const known = { ...news };
  for (const key of keys) if (known[key] === UNKNOWN && key in olds) known[key] = olds[key];
  return known;
}
