// entra-sim busy: a sync cycle that runs for a given time, to test what waits for it.
import { runAction, startBusyCycle } from "../admin";
import { type CliCommand, intFlag, meta, noExtraPositionals, UsageError } from "./args";

export const busyCommand: CliCommand = {
  name: "busy",
  help: ["  busy <state> --seconds N                         start a sync cycle that runs N seconds"],
  options: { seconds: { type: "string" } },
  async run({ file, values, positionals }, io) {
    noExtraPositionals("busy", positionals, 1);
    const seconds = intFlag(values, "seconds");
    if (seconds === undefined)
      throw new UsageError("busy: --seconds is required, e.g. busy lab.json --seconds 120");
    await runAction(file, "busy", { seconds }, meta(values), (tx, server) =>
      startBusyCycle(tx, server, seconds),
    );
    io.out(`a sync cycle runs for ${seconds} s`);
  },
};
