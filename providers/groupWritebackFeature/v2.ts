// GroupWritebackFeature v2: the tenant-wide GroupWritebackV2 flag, set inside a scheduler pause window.
import type { EntraConnectClient } from "../../operations/backend";
import { isOperationError } from "../../operations/errors";
import type { Progress } from "../common/progress";
import { withSchedulerPaused } from "../common/syncWindow";
import { compareVersions, MINIMUM_V2_CONNECT_VERSION } from "../common/version";
import type { V2Inputs, V2Outputs } from "./schema";

const CLOUD_SYNC_ADVICE =
  "Microsoft discontinued Group Writeback V2 after 30 June 2024 and current tenants refuse to enable it. " +
  "Provision security groups to Active Directory with Microsoft Entra Cloud Sync (Group Provision to Active " +
  "Directory) instead. For Microsoft 365 groups, v1 alone writes back EVERY Microsoft 365 group, ignoring each " +
  "group's writeback setting: set entra-writeback:groupWritebackV2 to skip only if that is what you want";

const TURNED_OFF_OUTSIDE =
  "GroupWritebackV2 was on when this stack last ran and has been turned off outside it. Microsoft documents " +
  "turning it off as irreversible, and from now on v1 writes back every Microsoft 365 group, ignoring each " +
  "group's writeback setting. This needs a person: ";

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
  const server = await client.call("getServerInfo", {});
  if (compareVersions(server.connectVersion, MINIMUM_V2_CONNECT_VERSION) < 0) {
    throw new Error(
      `Entra Connect ${server.connectVersion} on ${server.computerName} is older than ${MINIMUM_V2_CONNECT_VERSION}, ` +
        "the documented minimum for Group Writeback V2. Upgrade Entra Connect first (swing migration recommended).",
    );
  }
  const features = await client.call("getCompanyFeatures", {});
  if (features.groupWritebackV2) {
    return { ...inputs, enabled: true, connectVersion: server.connectVersion, adopted: true };
  }
  if (inputs.mode === "require") {
    throw new Error(
      `GroupWritebackV2 is off on the tenant of ${server.computerName}, and groupWritebackV2 is "require", ` +
        "which only verifies it. Nothing was changed. " +
        CLOUD_SYNC_ADVICE,
    );
  }
  const v1 = await client.call("getGroupWritebackV1Config", {});
  await withSchedulerPaused(
    client,
    { timeoutSeconds: inputs.syncIdleTimeoutSeconds, progress, change: "enabling Group Writeback V2" },
    async () => {
      progress(`Set-ADSyncAADCompanyFeature -GroupWritebackV2 $true on ${server.computerName}`);
      try {
        await client.call("setGroupWritebackV2", { enabled: true });
      } catch (error) {
        if (isOperationError(error, "FeatureRefused")) {
          throw new Error(
            `${wasEnabled ? TURNED_OFF_OUTSIDE : ""}the tenant refused to enable GroupWritebackV2 (${error.message}). ${CLOUD_SYNC_ADVICE}`,
            {
              cause: error,
            },
          );
        }
        throw error;
      }
    },
  );
  if (v1.optionalFeatureGroupWriteBack && v1.unifiedGroupWriteback) {
    // Microsoft: run a full cycle when group writeback was configured before and the wizard will not run.
    progress(
      `group writeback v1 was already configured: starting an Initial sync cycle on ${server.computerName}`,
    );
    await client.call("startSyncCycle", { policyType: "Initial" });
  }
  return { ...inputs, enabled: true, connectVersion: server.connectVersion, adopted: false };
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
  if (inputs.onDelete === "retain") {
    progress(
      `GroupWritebackV2 stays on for the tenant of ${client.description}: it is tenant-wide and turning it off is ` +
        "irreversible (set onDelete to disable to turn it off on destroy)",
    );
    return;
  }
  const features = await client.call("getCompanyFeatures", {});
  if (!features.groupWritebackV2) return;
  progress(
    "DISABLING GroupWritebackV2 for the whole tenant as requested (onDelete: disable). This is irreversible; " +
      "afterwards v1 writes back every Microsoft 365 group.",
  );
  await withSchedulerPaused(
    client,
    { timeoutSeconds: inputs.syncIdleTimeoutSeconds, progress, change: "disabling Group Writeback V2" },
    async () => {
      await client.call("setGroupWritebackV2", { enabled: false });
    },
  );
}
