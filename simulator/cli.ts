// entra-sim: the command line over the simulator library. Each command (simulator/cli/<command>.ts) parses and
// validates its arguments, calls one library function, and prints. Exit 0 on success, 1 when the simulated server
// refuses, 2 on bad input.
import { z } from "zod";
import { operationNames } from "../contract/contract";
import { OperationError } from "../contract/errors";
import { adCommand } from "./cli/ad";
import { addServerCommand } from "./cli/addServer";
import { type CliCommand, type CliIo, parse, stateArgument, UsageError } from "./cli/args";
import { busyCommand } from "./cli/busy";
import { cloudsyncCommand } from "./cli/cloudsync";
import { clockCommand } from "./cli/clock";
import { faultCommand } from "./cli/fault";
import { featureCommand } from "./cli/feature";
import { graphCommand } from "./cli/graph";
import { initCommand } from "./cli/init";
import { rulesCommand } from "./cli/rules";
import { schedulerCommand } from "./cli/scheduler";
import { showCommand } from "./cli/show";
import { syncCommand } from "./cli/sync";
import { tenantCommand } from "./cli/tenant";
import { wizardCommand } from "./cli/wizard";
import { StateFileError } from "./store";

export { type CliIo, UsageError } from "./cli/args";

/** The commands, in the order `entra-sim` names them when it does not know a command. */
const COMMANDS: readonly CliCommand[] = [
  initCommand,
  showCommand,
  wizardCommand,
  schedulerCommand,
  featureCommand,
  rulesCommand,
  syncCommand,
  busyCommand,
  clockCommand,
  adCommand,
  tenantCommand,
  faultCommand,
  graphCommand,
  addServerCommand,
  cloudsyncCommand,
];

/** `entra-sim --help` lists graph last. */
const HELP_ORDER = [...COMMANDS.filter((command) => command !== graphCommand), graphCommand];

const HELP = `entra-sim: a simulated Microsoft Entra Connect server, tenant and AD domain in one JSON state file.

Usage: entra-sim <command> <state> [options]      (every command takes --server NAME; default: the first server)

${HELP_ORDER.flatMap((command) => command.help).join("\n")}

Operations for fault: ${operationNames.join(", ")}`;

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, " ").trim();
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    io.out(HELP);
    return command === undefined ? 2 : 0;
  }
  const handler = COMMANDS.find((candidate) => candidate.name === command);
  if (!handler) {
    io.err(
      `entra-sim: unknown command ${JSON.stringify(command)}; commands: ${COMMANDS.map((c) => c.name).join(", ")} (see entra-sim --help)`,
    );
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(HELP);
    return 0;
  }
  try {
    const { values, positionals } = parse(handler.name, rest, handler.options);
    await handler.run({ file: stateArgument(handler.name, positionals), values, positionals }, io);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`entra-sim: ${oneLine(error.message)}`);
      return 2;
    }
    if (error instanceof z.ZodError) {
      // An input the simulator's own schema refuses (admin.ts): name the flag, say what is allowed.
      const issue = error.issues[0];
      const flag = issue?.path.length
        ? `--${String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: `
        : "";
      io.err(`entra-sim: ${command}: ${flag}${oneLine(issue?.message ?? error.message)}`);
      return 2;
    }
    if (error instanceof OperationError || error instanceof StateFileError) {
      io.err(`entra-sim: ${oneLine(error.message)}`);
      return 1;
    }
    io.err(`entra-sim: unexpected error: ${oneLine((error as Error).message ?? String(error))}`);
    return 1;
  }
}

/** The process entry point (bin/entra-sim). */
export async function runCli(argv: string[] = process.argv.slice(2)): Promise<void> {
  process.exitCode = await main(argv, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
}

if (require.main === module) void runCli();
