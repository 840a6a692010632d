// SchedulerState: the sync scheduler's declared steady state (enabled) and the server's role.
import type * as pulumi from "@pulumi/pulumi";
import type { EntraConnectClient } from "../../operations/backend";
import { checkInputs, parseInputs } from "../common/checkInputs";
import { clientFor } from "../common/connection";
import { diffByKeys } from "../common/diff";
import { type Progress, progressFor } from "../common/progress";
import { waitForSyncIdle } from "../common/syncWindow";
import { type SchedulerStateInputs, type SchedulerStateOutputs, schedulerStateInputs } from "./schema";

type Outputs = SchedulerStateOutputs & Record<string, unknown>;

function roleMismatch(
  inputs: SchedulerStateInputs,
  stagingModeEnabled: boolean,
  where: string,
): string | undefined {
  if (inputs.role === "staging" && !stagingModeEnabled) {
    return (
      `${where} is not in staging mode, but this stack's role is staging. entra-writeback will not act on an ` +
      "active server from a staging stack. Enable staging mode in the Entra Connect wizard (Configure staging " +
      "mode), or set entra-writeback:role to active in the stack for the active server."
    );
  }
  if (inputs.role === "active" && stagingModeEnabled) {
    return (
      `${where} is in staging mode, but this stack's role is active. Use role staging for a staging server, ` +
      "or switch the server to active in the Entra Connect wizard first (see docs/swing-migration.md)."
    );
  }
  return undefined;
}

async function converge(
  client: EntraConnectClient,
  inputs: SchedulerStateInputs,
  progress: Progress,
): Promise<Outputs> {
  const server = await client.call("getServerInfo", {});
  const refusal = roleMismatch(inputs, server.stagingModeEnabled, server.computerName);
  if (refusal) throw new Error(refusal);

  let scheduler = await client.call("getScheduler", {});
  if (scheduler.schedulerSuspended) {
    progress(
      `the scheduler on ${server.computerName} is suspended (SchedulerSuspended = True, set during upgrades)`,
    );
  }
  let enabledHere = false;
  if (scheduler.syncCycleEnabled !== inputs.syncCycleEnabled) {
    await waitForSyncIdle(client, { timeoutSeconds: inputs.syncIdleTimeoutSeconds, progress });
    progress(
      `setting SyncCycleEnabled = ${inputs.syncCycleEnabled ? "True" : "False"} on ${server.computerName}`,
    );
    scheduler = await client.call("setSchedulerSyncCycleEnabled", { enabled: inputs.syncCycleEnabled });
    enabledHere = inputs.syncCycleEnabled;
  }
  if (enabledHere && inputs.startSyncCycleAfterEnable) {
    await waitForSyncIdle(client, { timeoutSeconds: inputs.syncIdleTimeoutSeconds, progress });
    progress(`starting a ${inputs.startSyncCycleAfterEnable} sync cycle on ${server.computerName}`);
    await client.call("startSyncCycle", { policyType: inputs.startSyncCycleAfterEnable });
  }
  return {
    ...inputs,
    syncCycleEnabled: scheduler.syncCycleEnabled,
    computerName: server.computerName,
    connectVersion: server.connectVersion,
    stagingModeEnabled: server.stagingModeEnabled,
    schedulerSuspended: scheduler.schedulerSuspended,
  };
}

export const schedulerStateProvider: Required<Omit<pulumi.dynamic.ResourceProvider, "configure">> = {
  async check(_olds, news) {
    return checkInputs(schedulerStateInputs, news);
  },

  async diff(_id, olds: Outputs, news) {
    const inputs = news as SchedulerStateInputs;
    const wrongRole =
      typeof olds.stagingModeEnabled === "boolean" &&
      roleMismatch(inputs, olds.stagingModeEnabled, olds.computerName ?? "the server") !== undefined;
    return diffByKeys(olds, news, { replaceKeys: ["target"], extraChanges: wrongRole });
  },

  async create(raw) {
    const inputs = parseInputs(schedulerStateInputs, raw, "SchedulerState");
    const client = clientFor(inputs.target);
    const outs = await converge(client, inputs, progressFor("SchedulerState"));
    return { id: `scheduler/${outs.computerName}`, outs };
  },

  async read(id, props) {
    // One read of the server, which the v2 resource's read shares (getServerState is remembered).
    const { server, scheduler } = await clientFor((props as Outputs).target).call("getServerState", {});
    const live: Outputs = {
      ...(props as Outputs),
      syncCycleEnabled: scheduler.syncCycleEnabled,
      computerName: server.computerName,
      connectVersion: server.connectVersion,
      stagingModeEnabled: server.stagingModeEnabled,
      schedulerSuspended: scheduler.schedulerSuspended,
    };
    return { id, props: live };
  },

  async update(_id, _olds, news) {
    const inputs = parseInputs(schedulerStateInputs, news, "SchedulerState");
    return { outs: await converge(clientFor(inputs.target), inputs, progressFor("SchedulerState")) };
  },

  async delete(_id, props) {
    // Never leave the scheduler disabled: whatever this stack declared, destroy leaves it enabled.
    const client = clientFor((props as Outputs).target);
    const scheduler = await client.call("getScheduler", {});
    if (!scheduler.syncCycleEnabled) {
      progressFor("SchedulerState")(
        `re-enabling the sync scheduler on ${client.description} (never left disabled)`,
      );
      await client.call("setSchedulerSyncCycleEnabled", { enabled: true });
    }
  },
};
