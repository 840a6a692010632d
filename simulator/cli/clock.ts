// entra-sim clock: show or move a simulated clock.
import { advance, runAction } from "../admin";
import { withState } from "../transaction";
import { type CliCommand, intFlag, meta, noExtraPositionals, parse, stateArgument } from "./args";

export const clockCommand: CliCommand = {
  name: "clock",
  help: ["  clock <state> [--advance SECONDS]                show or move a simulated clock"].join("\n"),
  async run(args, io) {
    const { values, positionals } = parse("clock", args, { advance: { type: "string" } });
    const file = stateArgument("clock", positionals);
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
