// WritebackOU: the OU written-back groups land in, created protected from accidental deletion.
import type { ProviderImplementation } from "../common/defineResource";
import type { OrganizationalUnit } from "../../contract/contract";
import type { EntraConnectClient } from "../../contract/backend";
import { isOperationError } from "../../contract/errors";
import { announceOnce, wizardChangeMessage } from "../groupWritebackFeature/hazards";
import { containsUnknown } from "../common/checkInputs";
import { claim, isClaimed } from "../common/claims";
import { clientFor } from "../common/connection";
import { diffByKeys } from "../common/diff";
import { sameDn, splitOuDn } from "../common/dn";
import { preflight, requireInSyncScope } from "../common/preflight";
import { progressFor } from "../common/progress";
import { refuseDeleteDuringMigration } from "../../domain/syncWindow";
import { writebackOu, type WritebackOuInputs, type WritebackOuOutputs } from "./schema";

const progress = progressFor("WritebackOU");

function outputsFrom(
  inputs: WritebackOuInputs,
  ou: Extract<OrganizationalUnit, { exists: true }>,
  adopted: boolean,
): WritebackOuOutputs {
  const { parentDn } = splitOuDn(ou.dn);
  return {
    ...inputs,
    name: ou.name,
    parentDn,
    protectedFromAccidentalDeletion: ou.protectedFromAccidentalDeletion,
    childCount: ou.childCount,
    adopted,
  };
}

/**
 * A recreated OU is empty while group writeback v1 still writes to it: the groups come back with the next sync
 * cycle, not now. Say when, so "0 groups written back" is not read as a loss.
 */
async function explainRecreatedOu(client: EntraConnectClient, dn: string): Promise<void> {
  const v1 = await client.call("getGroupWritebackV1Config", {});
  if (!(v1.unifiedGroupWriteback && v1.optionalFeatureGroupWriteBack) || !sameDn(v1.containerDn, dn)) return;
  const scheduler = await client.call("getScheduler", {});
  progress(
    `${dn} was created again, empty. Group writeback v1 writes to it, so the written-back groups are not there ` +
      `yet: the next sync cycle writes them back (the scheduler's next ${scheduler.nextSyncCyclePolicyType} cycle is ` +
      `at ${scheduler.nextSyncCycleStartTimeInUtc}; it runs at least every ${scheduler.currentlyEffectiveSyncCycleInterval}). ` +
      "Until then the outputs count 0 written-back groups. To bring them back now, run " +
      "`Start-ADSyncSyncCycle -PolicyType Delta` on the server once this update is done.",
  );
}

/** Changing the OU after v1 is enabled: only the wizard can, and it deletes every written-back group. */
async function explainOuChange(
  client: EntraConnectClient,
  currentDn: string,
  declaredDn: string,
): Promise<void> {
  const v1 = await client.call("getGroupWritebackV1Config", {});
  if (!(v1.unifiedGroupWriteback && v1.optionalFeatureGroupWriteBack) || !sameDn(v1.containerDn, currentDn))
    return;
  const { groups } = await client
    .call("listWrittenBackGroups", { dn: currentDn })
    .catch(() => ({ groups: [] as unknown[] }));
  const dnFormat = v1.displayNameDn ? "displayName" : "objectId";
  announceOnce(
    "WritebackOU",
    wizardChangeMessage({
      currentOu: currentDn,
      declaredOu: declaredDn,
      currentDnFormat: dnFormat,
      declaredDnFormat: dnFormat,
      writtenBack: groups.length,
    }),
  );
}

async function ensureOu(raw: unknown): Promise<WritebackOuOutputs> {
  const inputs = writebackOu.parse(raw);
  const client = clientFor(inputs.target);
  if (inputs.preflight)
    await preflight(client, inputs.preflight, `creating or adopting ${inputs.writebackOu}`);
  else await requireInSyncScope(client, inputs.writebackOu);
  const existing = await client.call("getOrganizationalUnit", { dn: inputs.writebackOu });
  if (existing.exists) {
    claim("ou", inputs.writebackOu);
    return outputsFrom(inputs, existing, true);
  }
  const { name, parentDn } = splitOuDn(inputs.writebackOu);
  progress(`creating ${inputs.writebackOu} (protected from accidental deletion)`);
  try {
    const created = await client.call("newOrganizationalUnit", { name, parentDn });
    if (!created.exists) throw new Error(`${inputs.writebackOu} was not found right after it was created`);
    await explainRecreatedOu(client, inputs.writebackOu).catch(() => undefined);
    return outputsFrom(inputs, created, false);
  } catch (error) {
    if (isOperationError(error, "NotFound")) {
      throw new Error(
        `cannot create ${inputs.writebackOu}: its parent ${parentDn} does not exist (${error.message})`,
        { cause: error },
      );
    }
    throw error;
  }
}

export const writebackOuProvider: ProviderImplementation = {
  async check(_olds, news) {
    return writebackOu.check(news);
  },

  async diff(_id, olds, news) {
    const result = diffByKeys(olds, news, {
      replaceKeys: ["target", "writebackOu"],
      dnKeys: ["writebackOu"],
      ignoreKeys: ["preflight"],
    });
    if (
      result.replaces?.includes("writebackOu") &&
      typeof news.writebackOu === "string" &&
      !containsUnknown(news.writebackOu) &&
      !sameDn(olds.writebackOu as string, news.writebackOu)
    ) {
      await explainOuChange(clientFor(olds.target), olds.writebackOu as string, news.writebackOu).catch(
        () => undefined,
      );
    }
    return result;
  },

  async create(raw) {
    const outs = await ensureOu(raw);
    return { id: outs.writebackOu, outs };
  },

  async read(id, props) {
    const olds = props as WritebackOuOutputs;
    const ou = await clientFor(olds.target).call("getOrganizationalUnit", { dn: olds.writebackOu });
    // Gone: an empty id drops it from state, so preview shows it must be created again.
    if (!ou.exists) return { id: "" };
    return { id, props: { ...olds, ...outputsFrom(olds, ou, olds.adopted) } };
  },

  async update(_id, olds, news) {
    const outs = await ensureOu(news);
    return { outs: { ...outs, adopted: (olds as WritebackOuOutputs).adopted ?? outs.adopted } };
  },

  async delete(_id, props) {
    const olds = props as WritebackOuOutputs;
    const client = clientFor(olds.target);
    const ou = await client.call("getOrganizationalUnit", { dn: olds.writebackOu });
    if (!ou.exists) return;
    if (olds.adopted) {
      progress(`leaving ${olds.writebackOu} in place: it existed before this stack adopted it`);
      return;
    }
    if (isClaimed("ou", olds.writebackOu)) {
      progress(`leaving ${ou.dn} in place: the resource that replaces this one manages it`);
      return;
    }
    // Before the non-empty refusal: its advice (delete the groups, or allow it) is wrong in the middle of a migration.
    await refuseDeleteDuringMigration(
      client,
      undefined, // the OU has no stack input: any migration window could be this stack's
      "WritebackOU",
      `remove ${olds.writebackOu}${ou.childCount > 0 ? ` and the ${ou.childCount} object(s) in it` : ""}`,
    );
    if (ou.childCount > 0 && !olds.allowNonEmptyOuDeletion) {
      throw new Error(
        `refusing to delete ${olds.writebackOu}: it still holds ${ou.childCount} object(s), normally written-back groups. ` +
          "entra-writeback never deletes written-back groups unless asked by name: move or delete them yourself, or " +
          "set entra-writeback:allowNonEmptyOuDeletion to true, run pulumi up (destroy reads the value the stack " +
          "recorded at its last up, not the configuration: setting the key alone is not enough), then run pulumi " +
          "destroy again. (To keep the OU, run `pulumi state delete` on this resource.)",
      );
    }
    progress(
      `removing ${olds.writebackOu}${ou.childCount > 0 ? ` and the ${ou.childCount} object(s) in it, as allowed` : ""}`,
    );
    await client.call("removeOrganizationalUnit", { dn: olds.writebackOu, recursive: ou.childCount > 0 });
  },
};
