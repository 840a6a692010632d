// CloudSyncScope: "Selected security groups", i.e. one app role assignment per group to the configuration's service
// principal, added and removed to match the stack; Microsoft's limits checked before any change (docs/cloud-sync.md).
import { type AppRoleAssignment, isNotFound } from "../../graph/synchronization";
import type { ProviderImplementation } from "../common/defineResource";
import { diffByKeys } from "../common/diff";
import { progressFor } from "../common/progress";
import { cloudOfGraphEndpoint, SCOPE_APP_ROLE_IDS } from "../../domain/cloudSync";
import { graphEndpointOf, withKnownIds, withSync } from "./graph";
import { cloudSyncScope, type CloudSyncScopeOutputs } from "./schema";
import { checkScopeGroups } from "./scopeChecks";

const KIND = "CloudSyncScope";
const progress = progressFor(KIND);

function scopeAssignments(all: readonly AppRoleAssignment[], appRoleId: string): AppRoleAssignment[] {
  return all.filter(
    (each) =>
      each.appRoleId.toLowerCase() === appRoleId.toLowerCase() &&
      (each.principalType === undefined || each.principalType === null || each.principalType === "Group"),
  );
}

const idsOf = (assignments: readonly AppRoleAssignment[]) =>
  [...new Set(assignments.map((each) => each.principalId.toLowerCase()))].sort();

/**
 * Refuses a first scope (create) that would take groups out of a configuration the stack adopts: Cloud Sync stops
 * maintaining them, and Microsoft does not document what becomes of their AD groups. Once the scope is the stack's,
 * an update removes what the stack no longer declares.
 */
function refuseTakingOver(spId: string, undeclared: readonly AppRoleAssignment[]): void {
  if (undeclared.length === 0) return;
  const named = undeclared.slice(0, 10).map((each) => {
    const name = (each as { principalDisplayName?: unknown }).principalDisplayName;
    return typeof name === "string" && name !== "" ? `${name} (${each.principalId})` : each.principalId;
  });
  const more = undeclared.length > 10 ? ` and ${undeclared.length - 10} more` : "";
  throw new Error(
    `the Cloud Sync configuration ${spId} already selects ${undeclared.length} group(s) the stack does not declare: ` +
      `${named.join(", ")}${more}. A new scope takes no group out of a configuration it adopts (Cloud Sync would stop ` +
      "maintaining their AD groups). Nothing was changed. Add them to entra-writeback:cloudSync.groupIds to keep " +
      "them, or unassign them in the Microsoft Entra admin center (the configuration's scope) if they should go, " +
      "then run pulumi up again.",
  );
}

async function ensure(
  raw: unknown,
  creating = false,
  applied: readonly string[] = [],
): Promise<CloudSyncScopeOutputs> {
  const inputs = cloudSyncScope.parse(raw);
  const spId = inputs.servicePrincipalId;
  return withSync(KIND, `cannot set the Cloud Sync group scope of ${spId}`, async (sync) => {
    // Every limit before any change: a refused scope changes nothing.
    const { memberCount, gone } = await checkScopeGroups(
      sync,
      inputs.groupIds,
      progress,
      new Set(applied.map((id) => id.toLowerCase())),
    );
    const appRoleId = inputs.appRoleId ?? SCOPE_APP_ROLE_IDS[cloudOfGraphEndpoint(graphEndpointOf(KIND))];
    const assigned = scopeAssignments(await sync.appRoleAssignedTo(spId), appRoleId);
    const have = new Set(assigned.map((each) => each.principalId.toLowerCase()));
    const want = new Set(inputs.groupIds);
    const adding = inputs.groupIds.filter((id) => !have.has(id) && !gone.includes(id));
    const removing = assigned.filter((each) => !want.has(each.principalId.toLowerCase()));
    if (creating) refuseTakingOver(spId, removing);
    if (adding.length === 0 && removing.length === 0) {
      progress(`the ${inputs.groupIds.length} selected groups are in scope: nothing to change`);
    } else {
      progress(`scope of ${spId}: adding ${adding.length} group(s), removing ${removing.length}`);
    }
    for (const id of adding) await sync.assignAppRole(spId, id, appRoleId);
    for (const each of removing) {
      try {
        await sync.removeAppRoleAssignment(spId, each.id);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    const appliedGroupIds = inputs.groupIds.filter((id) => !gone.includes(id));
    return { ...inputs, scopeAppRoleId: appRoleId, memberCount, appliedGroupIds };
  });
}

export const cloudSyncScopeProvider: ProviderImplementation = {
  async check(_olds, news) {
    return cloudSyncScope.check(news);
  },

  async diff(_id, olds, news) {
    return diffByKeys(olds, withKnownIds(olds, news), { replaceKeys: ["servicePrincipalId"] });
  },

  async create(raw) {
    const outs = await ensure(raw, true);
    return { id: `${outs.servicePrincipalId}/scope`, outs };
  },

  async read(id, props) {
    const olds = props as CloudSyncScopeOutputs;
    return withSync(
      KIND,
      `cannot read the Cloud Sync group scope of ${olds.servicePrincipalId}`,
      async (sync) => {
        let assigned: AppRoleAssignment[];
        try {
          assigned = scopeAssignments(
            await sync.appRoleAssignedTo(olds.servicePrincipalId),
            olds.scopeAppRoleId,
          );
        } catch (error) {
          if (isNotFound(error)) return { id: "", props: {} };
          throw error;
        }
        // The live selection under the input key: a group unassigned (or assigned) by hand shows as a change. A group
        // the last apply assigned that is gone from Entra ID (its assignment went with it) is no change to repair.
        const live = idsOf(assigned);
        const missing = (olds.appliedGroupIds ?? []).filter((each) => !live.includes(each.toLowerCase()));
        const gone: string[] = [];
        for (const each of missing) {
          try {
            await sync.scopeGroup(each);
          } catch (error) {
            if (!isNotFound(error)) throw error;
            gone.push(each.toLowerCase());
          }
        }
        return { id, props: { ...olds, groupIds: [...live, ...gone].sort() } };
      },
    );
  },

  async update(_id, olds, news) {
    return { outs: await ensure(news, false, (olds as CloudSyncScopeOutputs).appliedGroupIds ?? []) };
  },

  async delete(_id, props) {
    const olds = props as CloudSyncScopeOutputs;
    progress(
      `leaving the ${olds.groupIds.length} selected groups assigned to ${olds.servicePrincipalId}: a destroyed stack ` +
        "takes no group out of Cloud Sync's scope (remove them from the selection and run pulumi up to do that)",
    );
  },
};
