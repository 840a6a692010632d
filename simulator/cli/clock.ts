// entra-sim clock: show or move a simulated clock.
import { advance, runAction } from "../admin";
import { withState } from "../transaction";
import { type CliCommand, intFlag, meta, noExtraPositionals } from "./args";

export const clockCommand: CliCommand = {
  name: "clock",
  help: ["  clock <state> [--advance SECONDS]                show or move a simulated clock"],
  options: { advance: { type: "string" } },
  async run({ file, values, positionals }, io) {
    noExtraPositionals("clock", positionals, 1);
    const seconds = intFlag(values, "advance", false);
    const now =
      seconds === undefined
        ? await withState(file, (tx) => new Date(tx.nowMs).toISOString())
        : await runAction(file, "clock.advance", { seconds }, meta(values), (tx) => {
            advance(tx, seconds);
            return new Date(tx.nowMs).toISOString();
          });
    io.out(now);
  },
};
