// The one wizard wait of v1's wizard step and the migration's staging-mode steps (providers/common/wizardWait.ts).
import { waitForWizardStep } from "../../../providers/common/wizardWait";

/** A server whose wizard step an admin makes during the `doneAfter`-th wait (never when 0). */
function server(doneAfter: number) {
  let sleeps = 0;
  const slept: number[] = [];
  return {
    slept,
    client: {
      async sleep(ms: number) {
        slept.push(ms);
        sleeps += 1;
      },
    },
    poll: async () => (doneAfter > 0 && sleeps >= doneAfter ? "done" : undefined),
  };
}

test("wizardWaitSeconds 0 fails at once with the steps; following its advice (set wizardWaitSeconds) waits for the step", async () => {
  const lines: string[] = [];
  const progress = (line: string) => void lines.push(line);
  const admin = server(2);
  const wait = { server: "CONNECT01", instructions: "STEPS", pollSeconds: 5, poll: admin.poll };
  await expect(waitForWizardStep(admin.client, { ...wait, waitSeconds: 0 }, progress)).rejects.toThrow(
    "STEPS\nThen run pulumi up again (or set entra-writeback:wizardWaitSeconds to wait for it).",
  );
  expect(admin.slept).toEqual([]);
  // The advice: wizardWaitSeconds set; the admin makes the step during the second wait.
  const found = await waitForWizardStep(admin.client, { ...wait, waitSeconds: 60 }, progress);
  expect(found).toEqual({ value: "done", waited: 10 });
  expect(admin.slept).toEqual([5000, 5000]);
  expect(lines).toEqual([
    "STEPS\nWaiting up to 60 s for the wizard step.",
    "still waiting for the wizard step on CONNECT01 (5 s of 60 s)",
  ]);
});

test("gives up after wizardWaitSeconds with the steps of the last read; a poll that throws stops the wait", async () => {
  const progress = () => undefined;
  const never = server(0);
  const wait = {
    server: "CONNECT01",
    instructions: "FIRST",
    waitSeconds: 20,
    pollSeconds: 10,
    poll: never.poll,
  };
  await expect(
    waitForWizardStep(never.client, { ...wait, lastInstructions: () => "LAST" }, progress),
  ).rejects.toThrow("LAST\nGave up after waiting 20 s (wizardWaitSeconds).");
  expect(never.slept).toEqual([10000, 10000]);
  const refused = waitForWizardStep(
    never.client,
    { ...wait, poll: () => Promise.reject(new Error("another OU is configured")) },
    progress,
  );
  await expect(refused).rejects.toThrow("another OU is configured");
});
