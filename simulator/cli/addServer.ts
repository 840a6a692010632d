// entra-sim add-server: a second Entra Connect server in the same tenant and domain (staging, swing migration).
import { z } from "zod";
import { addServer, runAction } from "../admin";
import {
  type CliCommand,
  connectVersionFlag,
  flagValue,
  noExtraPositionals,
  optionalString,
  UsageError,
} from "./args";

export const addServerCommand: CliCommand = {
  name: "add-server",
  help: ["  add-server <state> --name N [--staging] [--connect-version V]"],
  options: {
    name: { type: "string" },
    staging: { type: "boolean" },
    "connect-version": { type: "string" },
  },
  async run({ file, values, positionals }, io) {
    noExtraPositionals("add-server", positionals, 1);
    const name = optionalString(values, "name");
    if (name === undefined) throw new UsageError("add-server: --name is required, e.g. --name CONNECT02");
    flagValue("name", name, z.string().regex(/^[A-Za-z0-9-]{1,15}$/), "a computer name such as CONNECT02");
    const connectVersion = connectVersionFlag(values);
    const input = {
      name,
      staging: values.staging === true,
      ...(connectVersion !== undefined ? { connectVersion } : {}),
    };
    const server = await runAction(file, "add-server", input, { client: "cli" }, (tx) =>
      addServer(tx, input),
    );
    io.out(
      `added server ${server.name} (${server.connectVersion}${server.stagingModeEnabled ? ", staging mode" : ""}), connector account ${server.adConnector.accountDn}`,
    );
  },
};
