// diff(): outputs carry the live value under the same key as the desired input, so comparing each input
// key of `news` with `olds` finds both program edits and drift found by refresh.
import type * as pulumi from "@pulumi/pulumi";
import { UNKNOWN } from "./checkInputs";
import { sameDn } from "./dn";

export interface DiffRules {
  /** Input keys whose change means a different object: replace it. */
  replaceKeys: readonly string[];
  /** Input keys that only configure the provider's behaviour: a change is an in-place update. */
  ignoreKeys?: readonly string[];
  /** Extra drift that is not a plain key comparison, e.g. "the server left staging mode". */
  extraChanges?: boolean;
  /**
   * Input keys holding a DN, compared as Active Directory compares DNs (attribute types and values
   * case-insensitively, spaces around separators ignored, any escape spelling): an equivalent DN is no change.
   */
  dnKeys?: readonly string[];
}

function equal(left: unknown, right: unknown): boolean {
  return JSON.stringify(left) === JSON.stringify(right);
}

function sameValue(key: string, left: unknown, right: unknown, rules: DiffRules): boolean {
  if (rules.dnKeys?.includes(key) && typeof left === "string" && typeof right === "string") {
    return sameDn(left, right);
  }
  return equal(left, right);
}

export function diffByKeys(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  rules: DiffRules,
): pulumi.dynamic.DiffResult {
  const keys = Object.keys(news).filter((key) => key !== "__provider" && !rules.ignoreKeys?.includes(key));
  const changed = keys.filter((key) => news[key] === UNKNOWN || !sameValue(key, olds[key], news[key], rules));
  const replaces = changed.filter((key) => rules.replaceKeys.includes(key));
  return { changes: changed.length > 0 || rules.extraChanges === true, replaces, deleteBeforeReplace: false };
}
