// The lab's Graph port: its command line, and the line it prints when the port is taken (followed end to end by
// tests/e2e/mainJob.test.ts, which runs the lab on the port the line suggests).
import * as net from "node:net";
import { freePort, parseLabArguments, portIsFree, portTakenMessage } from "../../../tools/labGraphPort";

test("npm run lab takes no argument or --graph-port with a port; anything else is refused with the usage", () => {
  expect(parseLabArguments([])).toEqual({});
  expect(parseLabArguments(["--graph-port", "17501"])).toEqual({ graphPort: 17501 });
  expect(parseLabArguments(["--graph-port=17502"])).toEqual({ graphPort: 17502 });
  for (const argv of [
    ["--graph-port", "80"],
    ["--graph-port", "70000"],
    ["--graph-port", "x"],
    ["--graph-port"],
  ]) {
    expect(() => parseLabArguments(argv)).toThrow(
      /is not a port from 1024 to 65535; usage: npm run lab \[-- --graph-port <port 1024-65535>\]$/,
    );
  }
  for (const argv of [["--port", "17501"], ["--graph-port", "17501", "again"], ["17501"]]) {
    expect(() => parseLabArguments(argv)).toThrow(/^unexpected arguments .*; usage: npm run lab/);
  }
});

test("a taken port is seen as taken, the line says what to do, and the port it suggests is free", async () => {
  const taken = net.createServer();
  const port = await new Promise<number>((resolve) =>
    taken.listen(0, "127.0.0.1", () => resolve((taken.address() as net.AddressInfo).port)),
  );
  try {
    expect(await portIsFree(port)).toBe(false);
    const suggestion = await freePort();
    expect(suggestion).not.toBe(port);
    expect(portTakenMessage(port, suggestion, "stacks/Pulumi.lab.yaml")).toBe(
      `port ${port} on 127.0.0.1 is in use (another lab, or \`entra-sim graph --port ${port}\` still serving; ` +
        `\`ss -ltnp 'sport = :${port}'\` shows what holds it): stop it, then run npm run lab again; or run this ` +
        `lab on a free port: npm run lab -- --graph-port ${suggestion} (written into stacks/Pulumi.lab.yaml)`,
    );
    // The suggestion can be served on.
    expect(await portIsFree(suggestion)).toBe(true);
  } finally {
    await new Promise<void>((resolve) => taken.close(() => resolve()));
  }
  // Stopped, the port is free again (the other way the line gives).
  expect(await portIsFree(port)).toBe(true);
});
