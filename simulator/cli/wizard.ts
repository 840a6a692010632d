// entra-sim wizard: what an admin does in the Entra Connect wizard (group writeback, staging mode).
import { wizardDisableGroupWriteback, wizardEnableGroupWriteback, wizardSetStagingMode } from "../admin";
import { type CliCommand, dnArgument, meta, noExtraPositionals, optionalString, UsageError } from "./args";

export const wizardCommand: CliCommand = {
  name: "wizard",
  help: [
    "  wizard <state> group-writeback --enable --ou <DN> [--display-name-dn] | --disable",
    "  wizard <state> staging --enable | --disable",
  ],
  options: {
    enable: { type: "boolean" },
    disable: { type: "boolean" },
    ou: { type: "string" },
    "display-name-dn": { type: "boolean" },
  },
  async run({ file, values, positionals }, io) {
    const page = positionals[1];
    noExtraPositionals("wizard", positionals, 2);
    const enable = values.enable === true;
    const disable = values.disable === true;
    if (enable === disable) throw new UsageError("wizard: give exactly one of --enable or --disable");
    if (page === "group-writeback") {
      if (enable) {
        const ou = dnArgument("--ou", optionalString(values, "ou"));
        const displayNameDn = values["display-name-dn"] === true;
        io.out(await wizardEnableGroupWriteback(file, { ou, displayNameDn, ...meta(values) }));
      } else {
        if (values.ou !== undefined || values["display-name-dn"] !== undefined) {
          throw new UsageError("wizard group-writeback --disable takes no --ou or --display-name-dn");
        }
        io.out(await wizardDisableGroupWriteback(file, meta(values)));
      }
      return;
    }
    if (page === "staging") {
      if (values.ou !== undefined || values["display-name-dn"] !== undefined) {
        throw new UsageError("wizard staging takes only --enable or --disable");
      }
      io.out(await wizardSetStagingMode(file, enable, meta(values)));
      return;
    }
    throw new UsageError(
      `wizard: the page must be group-writeback or staging, got ${JSON.stringify(page ?? "")}`,
    );
  },
};
