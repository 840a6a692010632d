// entra-sim sync: start a sync cycle (Start-ADSyncSyncCycle), and optionally wait for it.
import { setTimeout as delay } from "node:timers/promises";
import { advance, callOperation } from "../admin";
import { findServer } from "../operations";
import { withState } from "../transaction";
import { type CliCommand, type CliIo, enumFlag, meta, noExtraPositionals, optionalString } from "./args";

/** Waits for the running cycle of the server: advances a simulated clock, or polls a real one. */
async function waitForCycle(file: string, serverName: string | undefined, io: CliIo): Promise<void> {
  for (;;) {
    const status = await withState(file, (tx) => {
      const server = findServer(tx.state, serverName);
      if (!server.currentCycle) return { running: false as const, server: structuredClone(server) };
      const leftMs = Date.parse(server.currentCycle.endsAt) - tx.nowMs;
      if (tx.state.clock.mode === "simulated") advance(tx, Math.min(Math.max(leftMs, 0), 10_000) / 1000);
      return { running: true as const, leftMs, simulated: tx.state.clock.mode === "simulated" };
    });
    if (!status.running) {
      const last = status.server.lastCycle;
      if (last) {
        io.out(
          `cycle completed at ${last.completedAt}: ${last.added} added, ${last.updated} updated, ${last.deleted} deleted, ` +
            `${last.pendingExports} pending exports, ${last.exportErrors} export errors`,
        );
      }
      return;
    }
    io.out(`sync cycle running, ${Math.max(Math.ceil(status.leftMs / 1000), 0)} s left`);
    if (!status.simulated) await delay(Math.min(Math.max(status.leftMs, 200), 5_000));
  }
}

export const syncCommand: CliCommand = {
  name: "sync",
  help: ["  sync <state> [--policy Initial|Delta] [--wait]"],
  options: {
    policy: { type: "string" },
    wait: { type: "boolean" },
  },
  async run({ file, values, positionals }, io) {
    noExtraPositionals("sync", positionals, 1);
    const policyType = enumFlag(values, "policy", ["Initial", "Delta"]) ?? "Delta";
    await callOperation(file, "startSyncCycle", { policyType }, meta(values));
    io.out(`${policyType} sync cycle started`);
    if (values.wait === true) await waitForCycle(file, optionalString(values, "server"), io);
  },
};
