// Waiting for a step only the Microsoft Entra Connect wizard can make (v1's group writeback page, staging mode): the
// steps are printed, then the server is read every wizardPollSeconds until the step is done or wizardWaitSeconds ran
// out. wizardWaitSeconds 0 fails at once with the steps.
import type { EntraConnectClient } from "../../contract/backend";
import type { Progress } from "./progress";

export interface WizardWait<T> {
  /** The server the step is made on, for the progress lines. */
  server: string;
  /** The wizard steps, as printed first. */
  instructions: string;
  waitSeconds: number;
  pollSeconds: number;
  /** Reads the server again: the result once the step is done, undefined while it is not; may throw to stop. */
  poll(): Promise<T | undefined>;
  /** The steps to give up with, from the last read (default: `instructions`). */
  lastInstructions?(): string;
}

/** Waits for a wizard step as `wait` describes; returns what `poll` found and how long it took. */
export async function waitForWizardStep<T>(
  client: Pick<EntraConnectClient, "sleep">,
  wait: WizardWait<T>,
  progress: Progress,
): Promise<{ value: T; waited: number }> {
  if (wait.waitSeconds === 0) {
    throw new Error(
      `${wait.instructions}\nThen run pulumi up again (or set entra-writeback:wizardWaitSeconds to wait for it).`,
    );
  }
  progress(`${wait.instructions}\nWaiting up to ${wait.waitSeconds} s for the wizard step.`);
  let waited = 0;
  while (waited < wait.waitSeconds) {
    await client.sleep(wait.pollSeconds * 1000);
    waited += wait.pollSeconds;
    const value = await wait.poll();
    if (value !== undefined) return { value, waited };
    progress(`still waiting for the wizard step on ${wait.server} (${waited} s of ${wait.waitSeconds} s)`);
  }
  const instructions = wait.lastInstructions ? wait.lastInstructions() : wait.instructions;
  throw new Error(`${instructions}\nGave up after waiting ${wait.waitSeconds} s (wizardWaitSeconds).`);
}
