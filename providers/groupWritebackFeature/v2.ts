// GroupWritebackFeature v2: the tenant-wide GroupWritebackV2 flag, set inside a scheduler pause window.
import type { EntraConnectClient } from "../../contract/backend";
import { isOperationError } from "../../contract/errors";
import { claim, isClaimed } from "../common/claims";
import { preflight } from "../common/preflight";
import { callTimeoutSeconds, deploymentOwner } from "../common/connection";
import type { Progress } from "../common/progress";
import {
  closeLeftWindow,
  heldByAnother,
  refuseInsideOwnMigrationWindow,
  isMigrationWindow,
  withSchedulerPaused,
} from "../../domain/syncWindow";
import { compareVersions, MINIMUM_V2_CONNECT_VERSION } from "../common/version";
import { readExposure, v2TurnedOffMessage } from "./hazards";
import type { V2Inputs, V2Outputs } from "./schema";
import { MIGRATION_DECLARED_CLAIM } from "../../domain/cloudSyncMigration";
import {
  NO_FLOW_INBOUND_RULE_IDENTIFIER,
  NO_FLOW_OUTBOUND_RULE_IDENTIFIER,
} from "../../domain/groupWritebackRules";

const CLOUD_SYNC_ADVICE =
  "Microsoft discontinued Group Writeback V2 after 30 June 2024 and current tenants refuse to enable it. " +
  "Provision security groups to Active Directory with Microsoft Entra Cloud Sync (Group Provision to Active " +
  "Directory) instead. For Microsoft 365 groups, v1 alone writes back EVERY Microsoft 365 group, ignoring each " +
  "group's writeback setting: set entra-writeback:groupWritebackV2 to skip only if that is what you want";

/**
 * @param wasEnabled the stack had seen the flag on (an update after drift): a refusal then means someone
 *   turned it off outside the stack, which cannot be repaired.
 */
export async function convergeV2(
  client: EntraConnectClient,
  inputs: V2Inputs,
  progress: Progress,
  wasEnabled = false,
): Promise<V2Outputs> {
  if (inputs.mode === "release") return releaseV2(client, inputs, progress);
  const server = await client.call("getServerInfo", {});
  if (compareVersions(server.connectVersion, MINIMUM_V2_CONNECT_VERSION) < 0) {
    throw new Error(
      `Entra Connect ${server.connectVersion} on ${server.computerName} is older than ${MINIMUM_V2_CONNECT_VERSION}, ` +
        "the documented minimum for Group Writeback V2. Upgrade Entra Connect first (swing migration recommended).",
    );
  }
  const owner = inputs.stack ?? deploymentOwner();
  const features = await client.call("getCompanyFeatures", {});
  if (features.groupWritebackV2) {
    // On already: maybe by this stack's previous deployment, which died inside its window before it finished
    // (the resume or the Initial cycle). Its marker says what is owed. Unless it is this stack's migration under way,
    // whose window is the migration's to end.
    const found = await client.call("getSyncWindow", {});
    refuseInsideOwnMigrationWindow(found.window, owner, "GroupWritebackFeature v2", server.computerName);
    if (found.window && !heldByAnother(found, owner)) {
      await closeLeftWindow(client, found.window, {
        owner,
        progress,
        timeoutSeconds: inputs.syncIdleTimeoutSeconds,
      });
    }
    claim("GroupWritebackV2");
    return { ...inputs, enabled: true, connectVersion: server.connectVersion, adopted: true };
  }
  if (inputs.mode === "require") {
    throw new Error(
      `GroupWritebackV2 is off on the tenant of ${server.computerName}, and groupWritebackV2 is "require", ` +
        "which only verifies it. Nothing was changed. " +
        CLOUD_SYNC_ADVICE,
    );
  }
  if (!(await client.call("getScheduler", {})).syncCycleEnabled) {
    // The scheduler off: this stack's migration may hold it, and the change would run nested in its window.
    const { window } = await client.call("getSyncWindow", {});
    refuseInsideOwnMigrationWindow(window, owner, "GroupWritebackFeature v2", server.computerName);
  }
  await preflight(client, inputs.preflight, "pausing the scheduler and enabling Group Writeback V2");
  const v1 = await client.call("getGroupWritebackV1Config", {});
  // Read before the window: what the refusal message must say if someone turned v2 off outside the stack.
  const turnedOff = wasEnabled
    ? v2TurnedOffMessage(server.computerName, v1.containerDn, await readExposure(client, v1.containerDn))
    : null;
  // Microsoft: run a full cycle when group writeback was configured before and the wizard will not run.
  const initialCycle = v1.optionalFeatureGroupWriteBack && v1.unifiedGroupWriteback;
  await withSchedulerPaused(
    client,
    {
      timeoutSeconds: inputs.syncIdleTimeoutSeconds,
      progress,
      change: "enabling Group Writeback V2",
      owner,
      initialCycle,
      callTimeoutSeconds: callTimeoutSeconds(),
    },
    async () => {
      progress(`Set-ADSyncAADCompanyFeature -GroupWritebackV2 $true on ${server.computerName}`);
      try {
        await client.call("setGroupWritebackV2", { enabled: true });
      } catch (error) {
        if (isOperationError(error, "FeatureRefused")) {
          throw new Error(
            turnedOff
              ? `the tenant refused to enable GroupWritebackV2 again (${error.message}). ${turnedOff}`
              : `the tenant refused to enable GroupWritebackV2 (${error.message}). ${CLOUD_SYNC_ADVICE}`,
            { cause: error },
          );
        }
        throw error;
      }
    },
    initialCycle
      ? async () => {
          progress(
            `group writeback v1 was already configured: starting an Initial sync cycle on ${server.computerName}`,
          );
          await client.call("startSyncCycle", { policyType: "Initial" });
        }
      : undefined,
  );
  return { ...inputs, enabled: true, connectVersion: server.connectVersion, adopted: false };
}

const RELEASED_TO_MIGRATION =
  "the migration to Cloud Sync (entra-writeback:cloudSyncMigration) turns it off itself, after its sync rules and " +
  "with its confirmation";

/**
 * Release mode (the component's while the migration is declared): the resource stays in the stack, same URN, and
 * only reads the flag. Its update from a stored enable/require resource records onDelete retain, so no later delete
 * (pulumi destroy, --target) runs a disable stored before the migration. Never writes, never touches a window (the
 * migration's held window may be open).
 */
async function releaseV2(
  client: EntraConnectClient,
  inputs: V2Inputs,
  progress: Progress,
): Promise<V2Outputs> {
  const { server, features } = await client.call("getServerState", {});
  const enabled = features.groupWritebackV2;
  progress(
    `GroupWritebackV2 is ${enabled ? "on" : "off"} for the tenant of ${server.computerName}; this resource only reads ` +
      `it: ${RELEASED_TO_MIGRATION}. Its delete never turns it off.`,
  );
  return { ...inputs, enabled, connectVersion: server.connectVersion, adopted: enabled };
}

export async function readV2(client: EntraConnectClient, olds: V2Outputs): Promise<V2Outputs> {
  // The same read of the server as the SchedulerState resource's (remembered for the deployment).
  const { server, features } = await client.call("getServerState", {});
  return { ...olds, enabled: features.groupWritebackV2, connectVersion: server.connectVersion };
}

export async function deleteV2(
  client: EntraConnectClient,
  inputs: V2Inputs,
  progress: Progress,
): Promise<void> {
  if (inputs.mode === "release") {
    progress(
      `GroupWritebackV2 is left as it is for the tenant of ${client.description}: ${RELEASED_TO_MIGRATION}; this ` +
        "resource leaves the stack without changing anything.",
    );
    return;
  }
  if (isClaimed("GroupWritebackV2")) {
    progress(
      `GroupWritebackV2 stays on for the tenant of ${client.description}: the resource that replaces this one ` +
        "(same stack, this deployment) took charge of it.",
    );
    return;
  }
  if (inputs.onDelete === "retain") {
    // Off already (the migration to Cloud Sync turned it off, or someone did): nothing stays on.
    const off = await client.call("getCompanyFeatures", {}).then(
      (features) => !features.groupWritebackV2,
      () => false,
    );
    if (off) {
      progress(
        `GroupWritebackV2 is off for the tenant of ${client.description}; this resource leaves the stack without ` +
          "changing anything.",
      );
      return;
    }
    progress(
      `GroupWritebackV2 stays on for the tenant of ${client.description}: it is tenant-wide and turning it off is ` +
        "irreversible. To turn it off on destroy, set entra-writeback:disableV2OnDestroy to true and run pulumi up " +
        "(so the stack records it) before pulumi destroy.",
    );
    return;
  }
  const features = await client.call("getCompanyFeatures", {});
  if (!features.groupWritebackV2) return;
  // This deployment declares the migration (its steps' checks ran before any delete: the engine deletes what left the
  // program only after the program ended), even if none of its steps has run on the server yet (a wizard step
  // refused with --continue-on-error): the migration turns the flag off, never this delete.
  if (isClaimed(MIGRATION_DECLARED_CLAIM)) {
    progress(
      `GroupWritebackV2 stays on for the tenant of ${client.description}: this deployment declares the migration to ` +
        "Cloud Sync (entra-writeback:cloudSyncMigration), which turns it off itself, after its sync rules and with its " +
        "confirmation; this resource leaves the stack without changing anything (disableV2OnDestroy does not apply).",
    );
    return;
  }
  // A stack that declares the migration to Cloud Sync keeps this resource in release mode (retain); a delete still
  // stored with disable (not yet updated, or a stack that dropped the key mid-migration) must not turn the flag off
  // before the migration's rules and without its confirmation (nor end the migration's pause window).
  const [{ window }, { rules }] = [
    await client.call("getSyncWindow", {}),
    await client.call("getSyncRules", {}),
  ];
  const migrating =
    isMigrationWindow(window) ||
    rules.some((rule) =>
      [NO_FLOW_INBOUND_RULE_IDENTIFIER, NO_FLOW_OUTBOUND_RULE_IDENTIFIER].includes(
        rule.identifier.toLowerCase(),
      ),
    );
  if (migrating) {
    progress(
      `GroupWritebackV2 stays on: the migration to Cloud Sync is under way on ${client.description} and turns it off ` +
        "itself, after its sync rules and with its confirmation (entra-writeback:cloudSyncMigration." +
        "confirmDisableGroupWritebackV2); this resource leaves the stack without changing anything.",
    );
    return;
  }
  progress(
    "DISABLING GroupWritebackV2 for the whole tenant as requested (entra-writeback:disableV2OnDestroy). This is irreversible; " +
      "afterwards v1 writes back every Microsoft 365 group.",
  );
  await withSchedulerPaused(
    client,
    {
      timeoutSeconds: inputs.syncIdleTimeoutSeconds,
      progress,
      change: "disabling Group Writeback V2",
      owner: inputs.stack ?? deploymentOwner(),
      callTimeoutSeconds: callTimeoutSeconds(),
    },
    async () => {
      await client.call("setGroupWritebackV2", { enabled: false });
    },
  );
}
