// entra-sim feature: read or set the tenant's company features (Set-ADSyncAADCompanyFeature).
import { callOperation } from "../admin";
import { boolFlag, type CliCommand, meta, noExtraPositionals } from "./args";

export const featureCommand: CliCommand = {
  name: "feature",
  help: ["  feature <state> [--group-writeback-v2 true|false]"],
  options: { "group-writeback-v2": { type: "string" } },
  async run({ file, values, positionals }, io) {
    noExtraPositionals("feature", positionals, 1);
    const enabled = boolFlag(values, "group-writeback-v2");
    const features =
      enabled === undefined
        ? await callOperation(file, "getCompanyFeatures", {}, meta(values))
        : await callOperation(file, "setGroupWritebackV2", { enabled }, meta(values));
    io.out(
      Object.entries(features as Record<string, boolean>)
        .map(([key, value]) => `${key}: ${value}`)
        .join("\n"),
    );
  },
};
