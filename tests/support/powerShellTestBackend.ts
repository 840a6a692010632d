// Test helper: the real PowerShell backend (and node-powershell) running against the fake executable.
import type { Backend } from "../../contract/backend";
import type { LocalTarget, RemoteTarget } from "../../contract/target";
import { createPowerShellBackend } from "../../powershell/backend";
import {
  createFakePowerShell,
  type FakePowerShell,
  type FakePowerShellOptions,
} from "./fakePowerShellHarness";

export interface TestBackend {
  backend: Backend;
  fake: FakePowerShell;
  logLines: string[];
  dispose(): Promise<void>;
}

export interface TestBackendOptions extends FakePowerShellOptions {
  target?: LocalTarget | RemoteTarget;
  password?: string;
  callTimeoutMs?: number;
  openTimeoutMs?: number;
}

export function createTestBackend(options: TestBackendOptions = {}): TestBackend {
  const fake = createFakePowerShell(options);
  const logLines: string[] = [];
  const backend = createPowerShellBackend({
    target: options.target ?? { kind: "local" },
    ...(options.password !== undefined ? { password: options.password } : {}),
    callTimeoutMs: options.callTimeoutMs ?? 5_000,
    ...(options.openTimeoutMs !== undefined ? { openTimeoutMs: options.openTimeoutMs } : {}),
    executable: fake.executable,
    log: (line) => logLines.push(line),
  });
  return {
    backend,
    fake,
    logLines,
    dispose: async () => {
      await backend.close();
      fake.cleanup();
    },
  };
}

/** Runs the call and returns what it threw (or fails the test if it did not throw). */
export async function errorOf(
  call: Promise<unknown>,
): Promise<Error & { code?: string; operation?: string }> {
  try {
    await call;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error("expected the call to fail");
}
