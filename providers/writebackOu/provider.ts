// WritebackOU: the OU written-back groups land in, created protected from accidental deletion.
import type * as pulumi from "@pulumi/pulumi";
import type { OrganizationalUnit } from "../../operations/contract";
import { isOperationError } from "../../operations/errors";
import { checkInputs, parseInputs } from "../common/checkInputs";
import { claim, isClaimed } from "../common/claims";
import { clientFor } from "../common/connection";
import { diffByKeys } from "../common/diff";
import { splitOuDn } from "../common/dn";
import { preflight, requireInSyncScope } from "../common/preflight";
import { progressFor } from "../common/progress";
import { type WritebackOuInputs, type WritebackOuOutputs, writebackOuInputs } from "./schema";

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

async function ensureOu(raw: unknown): Promise<WritebackOuOutputs> {
  const inputs = parseInputs(writebackOuInputs, raw, "WritebackOU");
  const client = clientFor(inputs.target);
  if (inputs.preflight) await preflight(client, inputs.preflight, `creating or adopting ${inputs.dn}`);
  else await requireInSyncScope(client, inputs.dn);
  const existing = await client.call("getOrganizationalUnit", { dn: inputs.dn });
  if (existing.exists) {
    claim("ou", inputs.target, inputs.dn);
    return outputsFrom(inputs, existing, true);
  }
  const { name, parentDn } = splitOuDn(inputs.dn);
  progress(`creating ${inputs.dn} (protected from accidental deletion)`);
  try {
    const created = await client.call("newOrganizationalUnit", { name, parentDn });
    if (!created.exists) throw new Error(`${inputs.dn} was not found right after it was created`);
    return outputsFrom(inputs, created, false);
  } catch (error) {
    if (isOperationError(error, "NotFound")) {
      throw new Error(
        `cannot create ${inputs.dn}: its parent ${parentDn} does not exist (${error.message})`,
        { cause: error },
      );
    }
    throw error;
  }
}

export const writebackOuProvider: Required<Omit<pulumi.dynamic.ResourceProvider, "configure">> = {
  async check(_olds, news) {
    return checkInputs(writebackOuInputs, news);
  },

  async diff(_id, olds, news) {
    return diffByKeys(olds, news, {
      replaceKeys: ["target", "dn"],
      dnKeys: ["dn"],
      ignoreKeys: ["preflight"],
    });
  },

  async create(raw) {
    const outs = await ensureOu(raw);
    return { id: outs.dn, outs };
  },

  async read(id, props) {
    const olds = props as WritebackOuOutputs;
    const ou = await clientFor(olds.target).call("getOrganizationalUnit", { dn: olds.dn });
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
    const ou = await client.call("getOrganizationalUnit", { dn: olds.dn });
    if (!ou.exists) return;
    if (olds.adopted) {
      progress(`leaving ${olds.dn} in place: it existed before this stack adopted it`);
      return;
    }
    if (isClaimed("ou", olds.target, olds.dn)) {
      progress(`leaving ${ou.dn} in place: the resource that replaces this one manages it`);
      return;
    }
    if (ou.childCount > 0 && !olds.allowNonEmptyDelete) {
      throw new Error(
        `refusing to delete ${olds.dn}: it still holds ${ou.childCount} object(s), normally written-back groups. ` +
          "entra-writeback never deletes written-back groups unless asked by name: move or delete them yourself, or " +
          "set entra-writeback:allowNonEmptyOuDeletion to true and run destroy again. (To keep the OU, run " +
          "`pulumi state delete` on this resource.)",
      );
    }
    progress(
      `removing ${olds.dn}${ou.childCount > 0 ? ` and the ${ou.childCount} object(s) in it, as allowed` : ""}`,
    );
    await client.call("removeOrganizationalUnit", { dn: olds.dn, recursive: ou.childCount > 0 });
  },
};
