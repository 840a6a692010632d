// entra-sim show: the state, the writeback status and the last journal entries.
import { readJournal } from "../journal";
import { findServer } from "../operations";
import { renderSummary } from "../summary";
import { readState, resolveStateFile } from "../transaction";
import { type CliCommand, intFlag, noExtraPositionals, optionalString } from "./args";

export const showCommand: CliCommand = {
  name: "show",
  help: [
    "  show <state> [--json] [--journal N]             state, writeback status and the last journal entries",
    "                                                  (--server NAME: only that server)",
  ],
  options: {
    json: { type: "boolean" },
    journal: { type: "string" },
  },
  async run({ file, values, positionals }, io) {
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
