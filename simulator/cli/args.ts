// What every entra-sim command shares: parsing its flags (node:util parseArgs), checking each value, and the one
// error type for bad input (exit 2).
import { parseArgs } from "node:util";
import { z } from "zod";
import { connectVersion, distinguishedName } from "../../contract/contract";
import { dnKey } from "../../domain/dn";

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** What a command receives: the state file (the first positional) and its flags and positionals, parsed. */
export interface CliInput {
  file: string;
  values: Values;
  /** Every positional, the state file first. */
  positionals: string[];
}

/** One command: its name, its lines in `entra-sim --help`, its flags, and what it does with them. */
export interface CliCommand {
  name: string;
  help: readonly string[];
  options: OptionSpec;
  run(input: CliInput, io: CliIo): Promise<void>;
}

export type OptionSpec = Record<string, { type: "string" | "boolean"; short?: string }>;
export type Values = Record<string, string | boolean | undefined>;

export interface Parsed {
  values: Values;
  positionals: string[];
}

/**
 * The command's flags (plus --server and --help) and positionals; an unknown or incomplete flag is a UsageError.
 * Not strict: a flag that takes a value takes the next argument whatever it looks like (`--seconds -5`,
 * `--name -5`), and the checks below name the flag from parseArgs' tokens.
 */
export function parse(command: string, args: string[], options: OptionSpec): Parsed {
  const spec: OptionSpec = { ...options, server: { type: "string" }, help: { type: "boolean", short: "h" } };
  const { values, positionals, tokens } = parseArgs({
    args,
    options: spec,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind !== "option") continue;
    const option = Object.hasOwn(spec, token.name) ? spec[token.name] : undefined;
    if (option === undefined)
      throw new UsageError(`${command}: unknown option ${token.rawName} (see entra-sim --help)`);
    if (option.type === "string" && token.value === undefined)
      throw new UsageError(`${command}: ${token.rawName} needs a value`);
    if (option.type === "boolean" && token.inlineValue)
      throw new UsageError(`${command}: Option '${token.rawName}' does not take an argument`);
  }
  return { values: values as Values, positionals };
}

export function flagValue<T>(flag: string, raw: string, schema: z.ZodType<T>, expectation: string): T {
  const result = schema.safeParse(raw);
  if (!result.success) throw new UsageError(`--${flag} must be ${expectation}, got ${JSON.stringify(raw)}`);
  return result.data;
}

export const nonNegativeInteger = z
  .string()
  .regex(/^\d+$/)
  .transform(Number)
  .pipe(z.number().int().nonnegative());
const positiveInteger = z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().positive());
const booleanText = z.enum(["true", "false"]).transform((text) => text === "true");

export function optionalString(values: Values, flag: string): string | undefined {
  const value = values[flag];
  return typeof value === "string" ? value : undefined;
}

export function connectVersionFlag(values: Values): string | undefined {
  const raw = optionalString(values, "connect-version");
  return raw === undefined
    ? undefined
    : flagValue("connect-version", raw, connectVersion, "a version such as 2.4.18.0");
}

export function intFlag(values: Values, flag: string, positive = true): number | undefined {
  const raw = optionalString(values, flag);
  if (raw === undefined) return undefined;
  return positive
    ? flagValue(flag, raw, positiveInteger, "a positive integer")
    : flagValue(flag, raw, nonNegativeInteger, "a non-negative integer");
}

export function boolFlag(values: Values, flag: string): boolean | undefined {
  const raw = optionalString(values, flag);
  return raw === undefined ? undefined : flagValue(flag, raw, booleanText, "true or false");
}

export function enumFlag<T extends string>(
  values: Values,
  flag: string,
  allowed: readonly [T, ...T[]],
): T | undefined {
  const raw = optionalString(values, flag);
  return raw === undefined ? undefined : flagValue(flag, raw, z.enum(allowed), allowed.join(" or "));
}

export function dnArgument(what: string, raw: string | undefined): string {
  if (raw === undefined)
    throw new UsageError(`${what} is missing: a distinguished name such as OU=Groups,DC=contoso,DC=com`);
  const result = distinguishedName.safeParse(raw);
  if (!result.success)
    throw new UsageError(
      `${what} must be a distinguished name such as OU=Groups,DC=contoso,DC=com, got ${JSON.stringify(raw)}`,
    );
  try {
    dnKey(result.data);
  } catch (error) {
    throw new UsageError(`${what}: ${(error as Error).message}`);
  }
  return result.data;
}

export function stateArgument(command: string, positionals: string[]): string {
  const file = positionals[0];
  if (file === undefined)
    throw new UsageError(`${command}: the state file is missing, e.g. entra-sim ${command} .lab/lab.json`);
  return file;
}

export function noExtraPositionals(command: string, positionals: string[], expected: number): void {
  if (positionals.length > expected)
    throw new UsageError(`${command}: unexpected argument ${JSON.stringify(positionals[expected])}`);
}

/** Who the journal records for this call, and the server the command addresses (--server). */
export function meta(values: Values): { client: string; server?: string } {
  const server = optionalString(values, "server");
  return server === undefined ? { client: "cli" } : { client: "cli", server };
}
