// WritebackPermission: the connector account's right to create, change and delete groups in the OU.
// Like ActiveDirectoryDsc's ADObjectPermissionEntry, it owns exactly one ACE and leaves every other one.
import type { ProviderImplementation } from "../common/defineResource";
import type { EntraConnectClient } from "../../contract/backend";
import { type AccessRule, WRITEBACK_ACCESS_RULE } from "../../contract/contract";
import { isOperationError } from "../../contract/errors";
import { claim, isClaimed } from "../common/claims";
import { clientFor } from "../common/connection";
import { diffByKeys } from "../common/diff";
import { domainRootOf, sameDn } from "../common/dn";
import { requireConnectorAccount } from "../common/preflight";
import { progressFor } from "../common/progress";
import { refuseDeleteDuringMigration } from "../../domain/syncWindow";
import {
  writebackPermission,
  type WritebackPermissionInputs,
  type WritebackPermissionOutputs,
} from "./schema";

const progress = progressFor("WritebackPermission");

export function isWritebackRule(rule: AccessRule): boolean {
  return JSON.stringify(rule) === JSON.stringify(WRITEBACK_ACCESS_RULE);
}

function aclDnOf(inputs: WritebackPermissionInputs): string {
  return inputs.permissions === "forest" ? domainRootOf(inputs.writebackOu) : inputs.writebackOu;
}

async function observe(
  client: EntraConnectClient,
  inputs: WritebackPermissionInputs,
): Promise<WritebackPermissionOutputs> {
  const aclDn = aclDnOf(inputs);
  try {
    const { rules } = await client.call("getAccessRules", {
      dn: aclDn,
      accountDn: inputs.connectorAccountDn,
    });
    return { ...inputs, aclDn, rules, granted: rules.some(isWritebackRule) };
  } catch (error) {
    // The OU is gone (its own resource shows that); the ACE went with it.
    if (isOperationError(error, "NotFound")) return { ...inputs, aclDn, rules: [], granted: false };
    throw error;
  }
}

async function grant(raw: unknown): Promise<WritebackPermissionOutputs> {
  const inputs = writebackPermission.parse(raw);
  const client = clientFor(inputs.target);
  await requireConnectorAccount(client, inputs.connectorAccountDn);
  const before = await observe(client, inputs);
  if (before.granted) claim(`ace:${inputs.permissions}`, aclDnOf(inputs), inputs.connectorAccountDn);
  else {
    if (inputs.permissions === "forest") {
      progress(
        `Set-ADSyncUnifiedGroupWritebackPermissions -ADConnectorAccountDN ${inputs.connectorAccountDn} (forest-wide)`,
      );
      await client.call("setForestWritebackPermissions", { accountDn: inputs.connectorAccountDn });
    } else {
      progress(`granting ${inputs.connectorAccountDn} the group writeback rights on ${inputs.writebackOu}`);
      await client.call("grantWritebackAccess", {
        dn: inputs.writebackOu,
        accountDn: inputs.connectorAccountDn,
      });
    }
  }
  const after = await observe(client, inputs);
  if (!after.granted) {
    throw new Error(
      `the writeback ACE for ${inputs.connectorAccountDn} is not on ${after.aclDn} after granting it`,
    );
  }
  return after;
}

/**
 * Destroy removes the ACE, but group writeback v1 stays configured (wizard-only): say what stays and what fails
 * from now on, and how to get out of it.
 */
async function warnWritebackLeftWithoutRights(
  client: EntraConnectClient,
  olds: WritebackPermissionOutputs,
): Promise<void> {
  const v1 = await client.call("getGroupWritebackV1Config", {});
  if (
    !(v1.unifiedGroupWriteback && v1.optionalFeatureGroupWriteBack) ||
    !sameDn(v1.containerDn, olds.writebackOu)
  )
    return;
  const { groups } = await client
    .call("listWrittenBackGroups", { dn: olds.writebackOu })
    .catch(() => ({ groups: [] as unknown[] }));
  progress(
    `WARNING: group writeback v1 stays configured on ${client.description} with the OU ${olds.writebackOu} (it is ` +
      `wizard-only; entra-writeback never disables it), and the ${groups.length} written-back group(s) in it stay. ` +
      `Without the writeback ACE of ${olds.connectorAccountDn}, every later export to that OU FAILS with permission-issue: ` +
      "new groups are not created, changes are not written, and deletions fail. To keep group writeback working, " +
      "grant the rights again: run pulumi up with this stack (it declares the ACE), or grant them by hand. To stop " +
      "group writeback instead, disable it in the Connect wizard: its cleanup deletes the written-back groups, which " +
      "needs the rights just removed, so grant them again first.",
  );
}

export const writebackPermissionProvider: ProviderImplementation = {
  async check(_olds, news) {
    return writebackPermission.check(news);
  },

  async diff(_id, olds, news) {
    return diffByKeys(olds, news, {
      replaceKeys: ["target", "permissions", "writebackOu", "connectorAccountDn"],
      dnKeys: ["writebackOu", "connectorAccountDn"],
      extraChanges: olds.granted === false,
    });
  },

  async create(raw) {
    const outs = await grant(raw);
    return { id: `${outs.permissions}:${outs.connectorAccountDn}@${outs.aclDn}`, outs };
  },

  async read(id, props) {
    const olds = props as WritebackPermissionOutputs;
    const live = await observe(clientFor(olds.target), olds);
    return { id, props: { ...olds, ...live } };
  },

  async update(_id, _olds, news) {
    return { outs: await grant(news) };
  },

  async delete(_id, props) {
    const olds = props as WritebackPermissionOutputs;
    const client = clientFor(olds.target);
    if (olds.permissions === "forest") {
      progress(
        `the forest-wide rights of ${olds.connectorAccountDn} stay: Set-ADSyncUnifiedGroupWritebackPermissions has no ` +
          "documented undo. Remove the ACEs on each domain root by hand if you need to.",
      );
      return;
    }
    if (isClaimed(`ace:${olds.permissions}`, aclDnOf(olds), olds.connectorAccountDn)) {
      progress(
        `leaving the writeback ACE of ${olds.connectorAccountDn} on ${olds.writebackOu}: the resource that replaces this one manages it`,
      );
      return;
    }
    await refuseDeleteDuringMigration(
      client,
      undefined, // the ACE has no stack input: any migration window could be this stack's
      "WritebackPermission",
      `revoke the writeback rights of ${olds.connectorAccountDn} on ${olds.writebackOu}`,
    );
    try {
      const { removed } = await client.call("revokeWritebackAccess", {
        dn: olds.writebackOu,
        accountDn: olds.connectorAccountDn,
      });
      progress(`removed ${removed} writeback ACE(s) of ${olds.connectorAccountDn} on ${olds.writebackOu}`);
    } catch (error) {
      if (!isOperationError(error, "NotFound")) throw error;
      return;
    }
    await warnWritebackLeftWithoutRights(client, olds).catch(() => undefined);
  },
};
