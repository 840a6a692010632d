// What the Entra Connect configuration wizard does (there is no cmdlet for it): group writeback v1 and staging mode.
import { addGroupWritebackRules } from "./syncRules";
import { OperationError } from "../contract/errors";
import { dnKey } from "../domain/dn";
import { isInSyncScope } from "./directory";
import type { Server } from "./model";
import { startCycle } from "./syncCycle";
import type { Transaction } from "./transaction";

export const WIZARD_BUSY_MESSAGE =
  "Cannot change configuration while a synchronization cycle is in progress.";

function refuseDuringCycle(server: Server): void {
  if (server.currentCycle) throw new OperationError("wizard", "SyncBusy", WIZARD_BUSY_MESSAGE);
}

export interface EnableGroupWritebackOptions {
  /** The writeback OU (Connector.GroupWriteBackContainerDn). */
  ou: string;
  /** "Writeback group Distinguished Name with cloud Display Name"; only settable when enabling. */
  displayNameDn?: boolean;
}

/**
 * Optional features → Group writeback → pick the OU → Configure. Like the wizard, it finishes by starting an
 * Initial cycle at once, which (with v2 off) writes back every Microsoft 365 group (https://learn.microsoft.com/en-us/entra/identity/hybrid/cloud-sync/migrate-group-writeback).
 */
export function enableGroupWriteback(
  tx: Transaction,
  server: Server,
  options: EnableGroupWritebackOptions,
): string {
  refuseDuringCycle(server);
  const domain = tx.state.domain;
  const ou = domain.objects[dnKey(options.ou)];
  if (!ou || (ou.objectClass !== "organizationalUnit" && ou.objectClass !== "container")) {
    throw new OperationError(
      "wizard",
      "NotFound",
      `The OU '${options.ou}' does not exist in ${domain.dnsName}; create it first.`,
    );
  }
  const { includedContainers, excludedContainers } = server.adConnector;
  if (!isInSyncScope(ou.dn, includedContainers, excludedContainers)) {
    throw new OperationError(
      "wizard",
      "Refused",
      `OU is excluded from synchronization: '${ou.dn}' lies outside the OU filtering of connector ${server.adConnector.name}. Choose an OU inside the sync scope.`,
    );
  }
  const writeback = server.groupWriteback;
  const displayNameDn = options.displayNameDn ?? false;
  if (writeback.optionalFeatureGroupWriteBack && writeback.containerDn !== null) {
    if (dnKey(writeback.containerDn) !== dnKey(ou.dn)) {
      throw new OperationError(
        "wizard",
        "Refused",
        `Group writeback already writes to '${writeback.containerDn}'; the OU cannot be changed. Disable group writeback (which deletes the written-back groups) and enable it again with the new OU.`,
      );
    }
    if (writeback.displayNameDn !== displayNameDn) {
      throw new OperationError(
        "wizard",
        "Refused",
        "The display-name DN option can only be chosen when group writeback is enabled; disable group writeback and enable it again to change it.",
      );
    }
  }
  server.groupWriteback = {
    optionalFeatureGroupWriteBack: true,
    containerDn: ou.dn,
    displayNameDn,
    cleanupContainerDn: null,
  };
  tx.state.tenant.features.unifiedGroupWriteback = true;
  addGroupWritebackRules(server);
  startCycle(server, "Initial", "wizard", tx.nowMs, tx.state.settings.syncSeconds, tx.event);
  return `group writeback enabled on ${server.name}: OU ${ou.dn}${displayNameDn ? ", display-name DNs" : ""}; an Initial sync cycle started`;
}

/** Clears group writeback; flags a full sync so the next cycle deletes every group it wrote back. */
export function disableGroupWriteback(tx: Transaction, server: Server): string {
  refuseDuringCycle(server);
  const writeback = server.groupWriteback;
  if (!writeback.optionalFeatureGroupWriteBack)
    return `group writeback is already disabled on ${server.name}`;
  server.groupWriteback = {
    optionalFeatureGroupWriteBack: false,
    containerDn: null,
    displayNameDn: false,
    cleanupContainerDn: writeback.containerDn,
  };
  tx.state.tenant.features.unifiedGroupWriteback = false;
  server.fullSyncRequired = true;
  return `group writeback disabled on ${server.name}; the next sync cycle deletes the groups written back to ${writeback.containerDn}`;
}

/** Configure staging mode. */
export function setStagingMode(tx: Transaction, server: Server, enabled: boolean): string {
  refuseDuringCycle(server);
  server.stagingModeEnabled = enabled;
  return `staging mode ${enabled ? "enabled" : "disabled"} on ${server.name}`;
}
