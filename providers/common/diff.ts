// diff(): outputs carry the live value under the same key as the desired input, so comparing each input
// key of `news` with `olds` finds both program edits and drift found by refresh.
import type * as pulumi from "@pulumi/pulumi";
import { UNKNOWN } from "./checkInputs";

export interface DiffRules {
  /** Input keys whose change means a different object: replace it. */
  replaceKeys: readonly string[];
  /** Input keys that only configure the provider's behaviour: a change is an in-place update. */
  ignoreKeys?: readonly string[];
  /** Extra drift that is not a plain key comparison, e.g. "the server left staging mode". */
  extraChanges?: boolean;
}

function equal(left: unknown, right: unknown): boolean {
  return JSON.stringify(left) === JSON.stringify(right);
}

export function diffByKeys(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  rules: DiffRules,
): pulumi.dynamic.DiffResult {
  const keys = Object.keys(news).filter((key) => key !== "__provider" && !rules.ignoreKeys?.includes(key));
  const changed = keys.filter((key) => news[key] === UNKNOWN || !equal(olds[key], news[key]));
  const replaces = changed.filter((key) => rules.replaceKeys.includes(key));
  return { changes: changed.length > 0 || rules.extraChanges === true, replaces, deleteBeforeReplace: false };
}
