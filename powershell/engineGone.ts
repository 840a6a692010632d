// The signal tools/plugins/engine-watch.js gives inside a plugin process when the Pulumi engine that started
// it is gone (kill -9 of the CLI, a lost session): stop in-flight work at once, the process exits next.

/** Keep equal to ENGINE_GONE in tools/plugins/engine-watch.js (tests/unit/powershell/engineGone.test.ts checks). */
export const ENGINE_GONE_EVENT = "entra-writeback:engine-gone";

/** engine-watch.js passes this: hand it the work to wait for (at most a couple of seconds) before exit. */
export type WaitFor = (work: Promise<unknown>) => void;

/** Runs `stop` when the engine is gone; engine-watch.js exits the process after it settled. */
export function onEngineGone(stop: () => Promise<unknown>): void {
  (process as NodeJS.EventEmitter).on(ENGINE_GONE_EVENT, (waitFor: WaitFor) => waitFor(stop()));
}
