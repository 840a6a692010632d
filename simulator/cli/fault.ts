// entra-sim fault: faults that only the backend sees (the next calls of an operation fail or hang).
import { type OperationName, operationNames } from "../../contract/contract";
import { addFault, clearFaults, runAction } from "../admin";
import {
  type CliCommand,
  enumFlag,
  intFlag,
  meta,
  noExtraPositionals,
  optionalString,
  UsageError,
} from "./args";

export const faultCommand: CliCommand = {
  name: "fault",
  help: [
    "  fault <state> <operation> [--times N] [--after N] [--message TEXT] [--kind error|hang]",
    "  fault <state> --clear",
  ],
  options: {
    times: { type: "string" },
    after: { type: "string" },
    message: { type: "string" },
    kind: { type: "string" },
    clear: { type: "boolean" },
  },
  async run({ file, values, positionals }, io) {
    if (values.clear === true) {
      noExtraPositionals("fault --clear", positionals, 1);
      const cleared = await runAction(file, "fault.clear", {}, meta(values), clearFaults);
      io.out(`cleared ${cleared} fault(s)`);
      return;
    }
    noExtraPositionals("fault", positionals, 2);
    const operation = positionals[1];
    if (operation === undefined || !(operationNames as string[]).includes(operation)) {
      throw new UsageError(
        `fault: the operation must be one of ${operationNames.join(", ")}, got ${JSON.stringify(operation ?? "")}`,
      );
    }
    const input = {
      operation: operation as OperationName,
      times: intFlag(values, "times") ?? 1,
      after: intFlag(values, "after", false) ?? 0,
      kind: enumFlag(values, "kind", ["error", "hang"]) ?? "error",
      ...(optionalString(values, "message") !== undefined
        ? { message: optionalString(values, "message") }
        : {}),
    };
    await runAction(file, "fault.add", input, meta(values), (tx) => addFault(tx, input));
    const first = input.after > 0 ? `after ${input.after} call(s) that go through, the` : "the";
    io.out(
      `${first} next ${input.times} call(s) of ${operation} will ${input.kind === "hang" ? "hang" : "fail"}`,
    );
  },
};
