// Checks against the live server that the later resources would make, run before the first change. The engine
// calls a resource's check and create only once its dependencies exist, so WritebackOU and WritebackPermission
// check the OU and the account after GroupWritebackV2 (tenant-wide) was already turned on. The v2 step runs
// these first, with the same code the later resources use.
import { z } from "zod";
import type { EntraConnectClient } from "../../contract/backend";
import { distinguishedName } from "../../contract/contract";
import { isWithin, sameDn } from "./dn";

/** What the later resources will be asked to do, given to the first resource that changes anything. */
export const preflightInputs = z.strictObject({
  writebackOu: distinguishedName,
  connectorAccountDn: distinguishedName,
});
export type PreflightInputs = z.output<typeof preflightInputs>;

/** The OU must lie inside the AD connector's sync scope (the wizard refuses another OU). */
export async function requireInSyncScope(client: EntraConnectClient, dn: string): Promise<void> {
  const scope = await client.call("getSyncScope", {});
  const included = scope.includedContainers.some((container) => isWithin(dn, container));
  const excludedBy = scope.excludedContainers.find((container) => isWithin(dn, container));
  if (!included || excludedBy) {
    throw new Error(
      `${dn} is outside the sync scope of the AD connector ${scope.connectorName} on ${client.description}` +
        (excludedBy
          ? ` (excluded by ${excludedBy})`
          : ` (included: ${scope.includedContainers.join("; ") || "none"})`) +
        '. The Entra Connect wizard refuses such an OU ("OU is excluded"). Choose an OU inside the scope, or add it ' +
        "to the connector's OU filtering in the wizard first.",
    );
  }
}

/**
 * Every Entra Connect server has its own connector account: rights granted to another one (typically the
 * old server's in a swing migration) would leave every export failing with permission-issue.
 */
export async function requireConnectorAccount(client: EntraConnectClient, accountDn: string): Promise<void> {
  const { connectorName, connectorAccountDn } = await client.call("getSyncScope", {});
  if (connectorAccountDn !== null && !sameDn(connectorAccountDn, accountDn)) {
    throw new Error(
      `the AD connector ${connectorName} on ${client.description} exports with ${connectorAccountDn}, but ` +
        `entra-writeback:connectorAccountDn is ${accountDn}. Rights granted to that account would not let this ` +
        `server write the groups back (exports would fail with permission-issue). Set connectorAccountDn to ` +
        `${connectorAccountDn}; each Entra Connect server has its own connector account.`,
    );
  }
}

/**
 * Runs every check of the later resources that can be made now; throws, with "Nothing was changed", on the
 * first that fails. `before` names the change it protects, e.g. "enabling Group Writeback V2".
 */
export async function preflight(
  client: EntraConnectClient,
  inputs: PreflightInputs | undefined,
  before: string,
): Promise<void> {
  if (!inputs) return;
  try {
    await requireInSyncScope(client, inputs.writebackOu);
    await requireConnectorAccount(client, inputs.connectorAccountDn);
  } catch (error) {
    throw new Error(`${(error as Error).message} Nothing was changed: checked before ${before}.`, {
      cause: error,
    });
  }
}
