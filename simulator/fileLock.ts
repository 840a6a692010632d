// A lock file that holds across processes, and atomic file replacement. The simulator's state no longer
// needs them (SQLite locks its database); the test support uses the lock to build dist/ once.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { setTimeout as delay } from "node:timers/promises";

import { StateFileError } from "./store";

export interface LockOptions {
  /** Give up after this long; default 30 s. */
  timeoutMs?: number;
  /** A lock older than this is taken over even if its holder seems alive; default 120 s. */
  staleMs?: number;
}

interface LockOwner {
  pid: number;
  host: string;
  acquiredAt: number;
  token: string;
}

export interface HeldLock {
  readonly path: string;
  readonly token: string;
}

export function lockFileFor(stateFile: string): string {
  return `${stateFile}.lock`;
}

function readOwner(lockPath: string): LockOwner | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(lockPath, "utf8")) as Partial<LockOwner>;
    if (typeof parsed.pid === "number" && typeof parsed.acquiredAt === "number") return parsed as LockOwner;
    return null;
  } catch {
    // Missing, or caught between create and write: treat as unknown and retry.
    return null;
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function isStale(owner: LockOwner, staleMs: number): boolean {
  if (Date.now() - owner.acquiredAt > staleMs) return true;
  return owner.host === os.hostname() && !processIsAlive(owner.pid);
}

function tryCreate(lockPath: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = fs.openSync(lockPath, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    fs.writeSync(fd, JSON.stringify(owner));
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

/**
 * Removes a stale lock. Only one process may steal at a time (a second lock guards the stealing), and it
 * re-reads the lock before removing it, so a lock freshly taken by someone else is never removed.
 */
function stealIfStillStale(lockPath: string, seen: LockOwner, staleMs: number): void {
  const stealPath = `${lockPath}.steal`;
  const me: LockOwner = { pid: process.pid, host: os.hostname(), acquiredAt: Date.now(), token: "steal" };
  if (!tryCreate(stealPath, me)) {
    const stealer = readOwner(stealPath);
    if (stealer && isStale(stealer, 5_000)) fs.rmSync(stealPath, { force: true });
    return;
  }
  try {
    const current = readOwner(lockPath);
    if (current && current.token === seen.token && isStale(current, staleMs))
      fs.rmSync(lockPath, { force: true });
  } finally {
    fs.rmSync(stealPath, { force: true });
  }
}

export async function acquireLock(lockPath: string, options: LockOptions = {}): Promise<HeldLock> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const staleMs = options.staleMs ?? 120_000;
  const started = Date.now();
  const token = crypto.randomUUID();
  let wait = 2;
  for (;;) {
    if (tryCreate(lockPath, { pid: process.pid, host: os.hostname(), acquiredAt: Date.now(), token })) {
      return { path: lockPath, token };
    }
    const owner = readOwner(lockPath);
    if (owner && isStale(owner, staleMs)) {
      stealIfStillStale(lockPath, owner, staleMs);
      continue;
    }
    if (Date.now() - started > timeoutMs) {
      const holder = owner
        ? `process ${owner.pid} on ${owner.host} since ${new Date(owner.acquiredAt).toISOString()}`
        : "another process";
      throw new StateFileError(
        `could not lock ${lockPath} within ${Math.round(timeoutMs / 1000)} s: it is held by ${holder}; ` +
          `if that process is gone, delete the lock file`,
      );
    }
    await delay(wait + Math.random() * wait);
    wait = Math.min(wait * 2, 100);
  }
}

export function releaseLock(lock: HeldLock): void {
  const owner = readOwner(lock.path);
  if (owner && owner.token === lock.token) fs.rmSync(lock.path, { force: true });
}

/** Runs fn while holding the lock of the given file. */
export async function withFileLock<T>(
  lockPath: string,
  fn: () => T | Promise<T>,
  options?: LockOptions,
): Promise<T> {
  const lock = await acquireLock(lockPath, options);
  try {
    return await fn();
  } finally {
    releaseLock(lock);
  }
}

/** Writes the file so that readers see the old or the new content, never a part: temp file, fsync, rename. */
export function writeFileAtomic(file: string, content: string): void {
  const directory = path.dirname(file);
  const temp = path.join(directory, `.${path.basename(file)}.${process.pid}.${crypto.randomUUID()}.tmp`);
  const fd = fs.openSync(temp, "w");
  try {
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw error;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
  try {
    const dirFd = fs.openSync(directory, "r");
    try {
      fs.fsyncSync(dirFd);
    } finally {
      fs.closeSync(dirFd);
    }
  } catch {
    // Some filesystems refuse fsync on directories; the rename itself is still atomic.
  }
}
