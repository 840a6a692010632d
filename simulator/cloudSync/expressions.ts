// The attribute-mapping forms the simulated Cloud Sync evaluates: a constant, a source attribute, and expressions
// built from the functions below (https://learn.microsoft.com/en-us/entra/identity/app-provisioning/functions-for-customizing-application-data).
// Anything else is refused when the schema is written, naming what is not modelled.

/** The group attributes an expression may read. */
export const SOURCE_ATTRIBUTES = [
  "displayName",
  "objectId",
  "description",
  "mailNickname",
  "securityEnabled",
  "mailEnabled",
] as const;
export type SourceAttribute = (typeof SOURCE_ATTRIBUTES)[number];
export type SourceValues = Record<SourceAttribute, string | null>;

export const SUPPORTED_FUNCTIONS = [
  "Append",
  "Left",
  "Mid",
  "Trim",
  "Join",
  "ToLower",
  "ToUpper",
  "Switch",
] as const;

export class ExpressionError extends Error {
  override readonly name = "ExpressionError";
}

type Node =
  | { kind: "string"; value: string }
  | { kind: "number"; value: number }
  | { kind: "attribute"; name: SourceAttribute }
  | { kind: "call"; name: (typeof SUPPORTED_FUNCTIONS)[number]; args: Node[] };

/** Parses an expression such as Append("Group_", [objectId]); throws ExpressionError naming the problem. */
export function parseExpression(text: string): Node {
  let i = 0;
  const fail = (what: string): never => {
    throw new ExpressionError(`${what} at position ${i + 1} of ${JSON.stringify(text)}`);
  };
  const space = (): void => {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
  };
  const node = (): Node => {
    space();
    const char = text[i];
    if (char === '"') {
      let value = "";
      i++;
      for (;;) {
        if (i >= text.length) return fail("an unterminated string");
        const c = text[i] as string;
        if (c === "\\" && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
        } else if (c === '"') {
          i++;
          return { kind: "string", value };
        } else {
          value += c;
          i++;
        }
      }
    }
    if (char === "[") {
      const end = text.indexOf("]", i);
      if (end < 0) return fail("an unterminated attribute reference");
      const name = text.slice(i + 1, end).trim();
      const known = SOURCE_ATTRIBUTES.find((candidate) => candidate.toLowerCase() === name.toLowerCase());
      if (!known) {
        throw new ExpressionError(
          `the simulator does not model the source attribute [${name}] (it models ${SOURCE_ATTRIBUTES.join(", ")})`,
        );
      }
      i = end + 1;
      return { kind: "attribute", name: known };
    }
    const number = /^-?\d+/.exec(text.slice(i));
    if (number) {
      i += number[0].length;
      return { kind: "number", value: Number(number[0]) };
    }
    const identifier = /^[A-Za-z][A-Za-z0-9]*/.exec(text.slice(i));
    if (!identifier) return fail("an unexpected character");
    const name = identifier[0];
    const known = SUPPORTED_FUNCTIONS.find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    if (!known) {
      throw new ExpressionError(
        `the simulator does not model the function ${name}() (it models ${SUPPORTED_FUNCTIONS.join(", ")})`,
      );
    }
    i += name.length;
    space();
    if (text[i] !== "(") return fail(`"(" expected after ${name}`);
    i++;
    const args: Node[] = [];
    space();
    if (text[i] === ")") i++;
    else {
      for (;;) {
        args.push(node());
        space();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === ")") {
          i++;
          break;
        }
        return fail(`"," or ")" expected in ${name}()`);
      }
    }
    checkArity(known, args.length);
    return { kind: "call", name: known, args };
  };
  const result = node();
  space();
  if (i < text.length) fail("unexpected text after the expression");
  return result;
}

function checkArity(name: (typeof SUPPORTED_FUNCTIONS)[number], count: number): void {
  const ok =
    name === "Append"
      ? count === 2
      : name === "Left"
        ? count === 2
        : name === "Mid"
          ? count === 3
          : name === "Trim"
            ? count === 1
            : name === "Join"
              ? count >= 2
              : name === "ToLower" || name === "ToUpper"
                ? count === 1 || count === 2
                : count >= 2 && count % 2 === 0; // Switch(source, default, key, value, ...)
  if (!ok) throw new ExpressionError(`${name}() does not take ${count} argument(s)`);
}

function text(value: string | number | null): string {
  return value === null ? "" : String(value);
}

/** Evaluates a parsed expression; null when the result is empty (an attribute without a value). */
export function evaluate(node: Node, source: SourceValues): string | null {
  const value = (each: Node): string | null => evaluate(each, source);
  switch (node.kind) {
    case "string":
      return node.value;
    case "number":
      return String(node.value);
    case "attribute":
      return source[node.name];
    case "call": {
      const [a, b, c] = node.args as [Node, Node, Node];
      switch (node.name) {
        case "Append":
          return text(value(a)) + text(value(b));
        case "Left": {
          const s = value(a);
          return s === null ? null : s.slice(0, Math.max(0, Number(value(b))));
        }
        case "Mid": {
          const s = value(a);
          if (s === null) return null;
          const start = Number(value(b));
          return s.slice(Math.max(0, start - 1), Math.max(0, start - 1) + Math.max(0, Number(value(c))));
        }
        case "Trim": {
          const s = value(a);
          return s === null ? null : s.trim();
        }
        case "Join": {
          const separator = text(value(a));
          return node.args
            .slice(1)
            .map(value)
            .filter((each): each is string => each !== null && each !== "")
            .join(separator);
        }
        case "ToLower":
          return value(a)?.toLowerCase() ?? null;
        case "ToUpper":
          return value(a)?.toUpperCase() ?? null;
        case "Switch": {
          const key = value(a);
          for (let index = 2; index + 1 < node.args.length; index += 2) {
            if (value(node.args[index] as Node) === key) return value(node.args[index + 1] as Node);
          }
          return value(b);
        }
      }
    }
  }
}

/** A mapping's source as the schema holds it (attributeMappingSource). */
export interface MappingSourceInput {
  expression?: string | null | undefined;
  name?: string | null | undefined;
  type?: string | undefined;
}

/** A function of the source values, from a mapping's source; throws ExpressionError for forms not modelled. */
export function compileMapping(source: MappingSourceInput): (values: SourceValues) => string | null {
  const type = (source.type ?? "").toLowerCase();
  if (type === "constant") {
    const value = source.name ?? "";
    return () => value;
  }
  if (type === "attribute") {
    const name = SOURCE_ATTRIBUTES.find(
      (candidate) => candidate.toLowerCase() === (source.name ?? "").toLowerCase(),
    );
    if (!name) {
      throw new ExpressionError(
        `the simulator does not model the source attribute ${JSON.stringify(source.name ?? "")} (it models ${SOURCE_ATTRIBUTES.join(", ")})`,
      );
    }
    return (values) => values[name];
  }
  if (type === "function") {
    const node = parseExpression(source.expression ?? "");
    return (values) => evaluate(node, values);
  }
  throw new ExpressionError(
    `the simulator does not model mapping sources of type ${JSON.stringify(source.type ?? "")} (Constant, Attribute or Function)`,
  );
}

/**
 * A scoping filter (the object mapping's `scope`, Graph's filter resource): `groups` of clauses, clauses ANDed within
 * a group and groups ORed; each clause {operatorName, sourceOperandName, targetOperand: {values}}. Operators as the
 * portal names them (EQUALS, NOT EQUALS, IS TRUE, IS FALSE, IS NULL, IS NOT NULL, REGEX MATCH, NOT REGEX MATCH,
 * GREATER_THAN, GREATER_THAN_OR_EQUALS), spelled with spaces, underscores or neither, any case (the exact JSON
 * tokens are UNVERIFIED). Returns null for no filter (every group passes).
 */
export function compileScope(scope: unknown): ((values: SourceValues) => boolean) | null {
  if (scope === null || scope === undefined) return null;
  if (typeof scope !== "object" || Array.isArray(scope))
    throw new ExpressionError("the scoping filter must be an object with groups of clauses");
  const groups = (scope as { groups?: unknown }).groups;
  if (groups === undefined || (Array.isArray(groups) && groups.length === 0)) return null;
  if (!Array.isArray(groups)) throw new ExpressionError("the scoping filter's groups must be an array");
  const compiled = groups.map((group: unknown) => {
    const clauses = (group as { clauses?: unknown } | null)?.clauses;
    if (!Array.isArray(clauses))
      throw new ExpressionError("each scoping filter group needs an array of clauses");
    return clauses.map((clause: unknown) => compileClause(clause));
  });
  return (values) => compiled.some((clauses) => clauses.every((clause) => clause(values)));
}

function compileClause(raw: unknown): (values: SourceValues) => boolean {
  const clause = (raw ?? {}) as {
    operatorName?: unknown;
    sourceOperandName?: unknown;
    targetOperand?: unknown;
  };
  const operator = String(clause.operatorName ?? "")
    .toUpperCase()
    .replace(/[\s_]/g, "");
  const name = SOURCE_ATTRIBUTES.find(
    (candidate) => candidate.toLowerCase() === String(clause.sourceOperandName ?? "").toLowerCase(),
  );
  if (!name) {
    throw new ExpressionError(
      `the scoping filter reads ${JSON.stringify(clause.sourceOperandName ?? "")}, which the simulator does not model (it models ${SOURCE_ATTRIBUTES.join(", ")})`,
    );
  }
  const values = (clause.targetOperand as { values?: unknown } | null | undefined)?.values;
  const target = Array.isArray(values) && typeof values[0] === "string" ? values[0] : null;
  const needTarget = (): string => {
    if (target === null)
      throw new ExpressionError(
        `the scoping clause ${String(clause.operatorName)} on ${name} needs targetOperand.values`,
      );
    return target;
  };
  switch (operator) {
    case "EQUALS": {
      const wanted = needTarget();
      return (v) => v[name] === wanted;
    }
    case "NOTEQUALS": {
      const wanted = needTarget();
      return (v) => v[name] !== wanted;
    }
    case "ISTRUE":
      return (v) => v[name]?.toLowerCase() === "true";
    case "ISFALSE":
      return (v) => v[name]?.toLowerCase() !== "true";
    case "ISNULL":
      return (v) => v[name] === null || v[name] === "";
    case "ISNOTNULL":
      return (v) => v[name] !== null && v[name] !== "";
    case "REGEXMATCH":
    case "NOTREGEXMATCH": {
      let pattern: RegExp;
      try {
        pattern = new RegExp(needTarget());
      } catch {
        throw new ExpressionError(`the scoping clause on ${name} has an invalid regular expression`);
      }
      const negate = operator === "NOTREGEXMATCH";
      return (v) => pattern.test(v[name] ?? "") !== negate;
    }
    case "GREATERTHAN":
    case "GREATERTHANOREQUALS": {
      const bound = Number(needTarget());
      const inclusive = operator === "GREATERTHANOREQUALS";
      return (v) => {
        const value = Number(v[name]);
        return inclusive ? value >= bound : value > bound;
      };
    }
    default:
      throw new ExpressionError(
        `the simulator does not model the scoping operator ${JSON.stringify(clause.operatorName ?? "")} (EQUALS, NOT EQUALS, IS TRUE, IS FALSE, IS NULL, IS NOT NULL, REGEX MATCH, NOT REGEX MATCH, GREATER_THAN, GREATER_THAN_OR_EQUALS)`,
      );
  }
}
