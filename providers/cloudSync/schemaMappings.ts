// The job schema's group mappings the stack manages (parentDistinguishedName, cn, sAMAccountName), read from and
// written into the whole schema. Everything else in the schema (the other mappings, among them the service-managed
// adminDescription, msDS-ExternalDirectoryObjectId and objectGUID, the directories) is carried through unchanged; a
// target attribute is never mapped twice. The group object mapping's scoping filter (`scope`) is written only when the
// stack declares one (applyScopingFilters).
import {
  describeScopingFilters,
  type ManagedTarget,
  MANAGED_TARGETS,
  type MappingSource,
  sameMapping,
  sameScopingFilters,
  type ScopingFilter,
  type ScopingOperator,
  scopingOperatorOf,
  scopingOperatorToken,
} from "../../domain/cloudSync";
import type {
  AttributeMapping,
  AttributeMappingSource,
  ObjectMapping,
  SynchronizationSchema,
} from "../../graph";

export type ManagedMappings = Record<ManagedTarget, MappingSource | null>;

interface Located {
  ruleIndex: number;
  mappingIndex: number;
  ruleId: string | null;
  mapping: ObjectMapping;
}

const isGroup = (name: string | null | undefined) => (name ?? "").toLowerCase() === "group";

/** The object mapping from Entra ID groups to AD groups (the one enabled one, when the schema has several). */
export function groupObjectMapping(schema: SynchronizationSchema): Located {
  const found: Located[] = [];
  schema.synchronizationRules.forEach((rule, ruleIndex) =>
    rule.objectMappings.forEach((mapping, mappingIndex) => {
      if (isGroup(mapping.sourceObjectName) && isGroup(mapping.targetObjectName))
        found.push({ ruleIndex, mappingIndex, ruleId: rule.id ?? null, mapping });
    }),
  );
  const enabled = found.filter((each) => each.mapping.enabled !== false);
  const candidates = enabled.length > 0 ? enabled : found;
  if (candidates.length === 1) return candidates[0] as Located;
  const names = schema.synchronizationRules
    .flatMap((rule) => rule.objectMappings)
    .map(
      (mapping) =>
        `${mapping.name ?? "(unnamed)"} (${mapping.sourceObjectName} -> ${mapping.targetObjectName})`,
    );
  throw new Error(
    candidates.length === 0
      ? `the job's schema has no object mapping from Entra ID groups to AD groups (it has: ${names.join(", ") || "none"}); is this an AAD2ADGroupProvisioning job?`
      : `the job's schema has ${candidates.length} enabled group object mappings (${candidates.map((each) => each.mapping.name).join(", ")}); expected one`,
  );
}

const sameTarget = (mapping: AttributeMapping, target: string) =>
  mapping.targetAttributeName.toLowerCase() === target.toLowerCase();

function unquoted(expression: string): string {
  const trimmed = expression.trim();
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"'))
    return trimmed.slice(1, -1).replace(/\\(.)/g, "$1");
  return trimmed;
}

/** A live mapping's source as the stack declares sources. */
export function declaredSource(source: AttributeMappingSource | null | undefined): MappingSource | null {
  if (!source) return null;
  if (source.type === "Constant") {
    const value = source.name ?? (source.expression ? unquoted(source.expression) : "");
    return { type: "Constant", value };
  }
  if (source.expression) return { type: "Expression", expression: source.expression };
  if (source.type === "Attribute" && source.name)
    return { type: "Expression", expression: `[${source.name}]` };
  return { type: "Expression", expression: source.name ?? "" };
}

/** The schema source of a declared mapping. */
export function schemaSource(source: MappingSource): AttributeMappingSource {
  if (source.type === "Constant") {
    return {
      expression: `"${source.value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`,
      name: source.value,
      parameters: [],
      type: "Constant",
    };
  }
  const attribute = /^\s*\[([^\]]+)\]\s*$/.exec(source.expression);
  if (attribute)
    return { expression: source.expression, name: attribute[1] as string, parameters: [], type: "Attribute" };
  const functionName = /^\s*([A-Za-z]+)\s*\(/.exec(source.expression)?.[1] ?? null;
  return { expression: source.expression, name: functionName, parameters: [], type: "Function" };
}

/** The managed mappings as the schema has them (the first, when a target is mapped twice). */
export function readManaged(schema: SynchronizationSchema): {
  objectMapping: string;
  mappings: ManagedMappings;
  duplicated: ManagedTarget[];
} {
  const { mapping } = groupObjectMapping(schema);
  const mappings = {} as ManagedMappings;
  const duplicated: ManagedTarget[] = [];
  for (const target of MANAGED_TARGETS) {
    const matching = mapping.attributeMappings.filter((each) => sameTarget(each, target));
    if (matching.length > 1) duplicated.push(target);
    mappings[target] = declaredSource(matching[0]?.source);
  }
  return { objectMapping: mapping.name ?? "(unnamed)", mappings, duplicated };
}

/**
 * The schema with the managed mappings as declared, and what changed (one line per target). A target mapped twice is
 * left mapped once; the other attribute mappings keep their order and content.
 */
export function applyManaged(
  schema: SynchronizationSchema,
  wanted: ManagedMappings,
): { schema: SynchronizationSchema; changes: string[] } {
  const next = structuredClone(schema);
  const { ruleIndex, mappingIndex } = groupObjectMapping(next);
  const mapping = next.synchronizationRules[ruleIndex]!.objectMappings[mappingIndex]!;
  const changes: string[] = [];
  let attributeMappings = [...mapping.attributeMappings];
  for (const target of MANAGED_TARGETS) {
    const desired = wanted[target];
    const matching = attributeMappings.filter((each) => sameTarget(each, target));
    const live = declaredSource(matching[0]?.source);
    if (matching.length <= 1 && sameMapping(live, desired)) continue;
    const first = matching[0];
    if (desired === null) {
      attributeMappings = attributeMappings.filter((each) => !sameTarget(each, target));
      changes.push(`${target}: removed (not mapped)`);
      continue;
    }
    const replacement: AttributeMapping = {
      ...(first ?? {
        defaultValue: null,
        exportMissingReferences: false,
        flowBehavior: "FlowWhenChanged",
        flowType: "Always",
        matchingPriority: 0,
      }),
      targetAttributeName: first?.targetAttributeName ?? target,
      source: schemaSource(desired),
    };
    const at = first ? attributeMappings.indexOf(first) : attributeMappings.length;
    attributeMappings = attributeMappings.filter((each) => !sameTarget(each, target));
    attributeMappings.splice(Math.min(at, attributeMappings.length), 0, replacement);
    changes.push(
      `${target}: ${describe(live)} -> ${describe(desired)}${matching.length > 1 ? ` (was mapped ${matching.length} times)` : ""}`,
    );
  }
  mapping.attributeMappings = attributeMappings;
  return { schema: next, changes };
}

export function describe(source: MappingSource | null): string {
  if (source === null) return "not mapped";
  return source.type === "Constant" ? `constant "${source.value}"` : source.expression;
}

/** The schema's `scope` of declared filters: groups of clauses {operatorName, sourceOperandName, targetOperand}. */
function schemaScope(filters: readonly ScopingFilter[]): unknown {
  if (filters.length === 0) return null;
  return {
    groups: filters.map((filter) => ({
      clauses: filter.clauses.map((clause) => ({
        operatorName: scopingOperatorToken(clause.operator),
        sourceOperandName: clause.attribute,
        targetOperand: clause.value === null ? null : { values: [clause.value] },
      })),
    })),
  };
}

/** The group object mapping's scoping filters as the stack declares them (an operator it does not know is kept as written). */
export function readScopingFilters(schema: SynchronizationSchema): ScopingFilter[] {
  const scope = (groupObjectMapping(schema).mapping as { scope?: unknown }).scope;
  const groups = (scope as { groups?: unknown } | null | undefined)?.groups;
  if (!Array.isArray(groups)) return [];
  return groups
    .map((group: unknown) => {
      const clauses = (group as { clauses?: unknown } | null)?.clauses;
      return {
        clauses: (Array.isArray(clauses) ? clauses : []).map((raw: unknown) => {
          const clause = (raw ?? {}) as {
            operatorName?: unknown;
            sourceOperandName?: unknown;
            targetOperand?: { values?: unknown } | null;
          };
          const token = String(clause.operatorName ?? "");
          const values = clause.targetOperand?.values;
          return {
            attribute: String(clause.sourceOperandName ?? ""),
            operator: (scopingOperatorOf(token) ?? token) as ScopingOperator,
            value: Array.isArray(values) && typeof values[0] === "string" ? values[0] : null,
          };
        }),
      };
    })
    .filter((filter) => filter.clauses.length > 0);
}

/** The schema with the group object mapping's scoping filters as declared, and the change (null: none). */
export function applyScopingFilters(
  schema: SynchronizationSchema,
  filters: readonly ScopingFilter[],
): { schema: SynchronizationSchema; change: string | null } {
  const live = readScopingFilters(schema);
  if (sameScopingFilters(live, filters)) return { schema, change: null };
  const next = structuredClone(schema);
  const { ruleIndex, mappingIndex } = groupObjectMapping(next);
  const mapping = next.synchronizationRules[ruleIndex]!.objectMappings[mappingIndex]! as ObjectMapping & {
    scope?: unknown;
  };
  mapping.scope = schemaScope(filters);
  return {
    schema: next,
    change: `scoping filter: ${describeScopingFilters(live)} -> ${describeScopingFilters(filters)}`,
  };
}
