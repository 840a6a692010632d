// entra-sim rules: list the server's synchronization rules (Get-ADSyncRule), by precedence.
import type { SyncRule } from "../../contract/contract";
import { callOperation } from "../admin";
import { type CliCommand, meta, noExtraPositionals } from "./args";

export const rulesCommand: CliCommand = {
  name: "rules",
  help: ["  rules <state>                                    the server's sync rules (Get-ADSyncRule)"],
  options: {},
  async run({ file, values, positionals }, io) {
    noExtraPositionals("rules", positionals, 1);
    const { rules } = (await callOperation(file, "getSyncRules", {}, meta(values))) as { rules: SyncRule[] };
    for (const rule of rules) {
      const state = rule.disabled ? "disabled" : "enabled";
      const kind = rule.immutableTag === null ? "custom" : "built-in";
      io.out(
        `${String(rule.precedence).padStart(4)}  ${rule.direction.padEnd(8)} ${rule.linkType.padEnd(10)} ${state.padEnd(8)} ${kind.padEnd(8)} ${rule.name} (${rule.identifier})`,
      );
    }
    if (rules.length === 0) io.out("no sync rules");
  },
};
