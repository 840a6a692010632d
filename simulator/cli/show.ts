// entra-sim show: the state, the writeback status and the last journal entries.
import { readJournal } from "../journal";
import { findServer } from "../operations";
import { renderSummary } from "../summary";
import { readState, resolveStateFile } from "../transaction";
import { type CliCommand, intFlag, noExtraPositionals, optionalString, parse, stateArgument } from "./args";

export const showCommand: CliCommand = {
  name: "show",
  help: [
    "  show <state> [--json] [--journal N]             state, writeback status and the last journal entries",
    "                                                  (--server NAME: only that server)",
  ].join("\n"),
  async run(args, io) {
    const { values, positionals } = parse("show", args, {
      json: { type: "boolean" },
      journal: { type: "string" },
    });
    const file = stateArgument("show", positionals);
    noExtraPositionals("show", positionals, 1);
    const journalLines = intFlag(values, "journal", false) ?? 10;
    const state = await readState(file);
    const serverName = optionalString(values, "server");
    if (serverName !== undefined) state.servers = [findServer(state, serverName)];
    const journal = readJournal(resolveStateFile(file));
    if (values.json === true) {
      io.out(JSON.stringify({ stateFile: resolveStateFile(file), state, journal }, null, 2));
      return;
    }
    io.out(renderSummary(resolveStateFile(file), state, journal, journalLines));
  },
};
