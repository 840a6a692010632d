// The port `npm run lab` serves its simulated Microsoft Graph on. The providers look for Graph where the stack's
// configuration says (entra-writeback:graph in stacks/Pulumi.lab.yaml), so the lab serves it on that port; a lab
// that cannot have it (another lab on this machine, from any checkout, or an `entra-sim graph` still serving) stops
// before it changes anything and says both ways on: free the port, or run this lab on another port, which
// `--graph-port` writes into this checkout's lab stack file (graph.authorityHost and graph.graphEndpoint).
import * as net from "node:net";

export const GRAPH_PORT_FLAG = "--graph-port";

export interface LabArguments {
  /** Serve Graph on this port and write it into the lab stack file first. */
  graphPort?: number;
}

/** `npm run lab [-- --graph-port <port>]`; anything else is refused, saying what is accepted. */
export function parseLabArguments(argv: readonly string[]): LabArguments {
  const usage = `usage: npm run lab [-- ${GRAPH_PORT_FLAG} <port 1024-65535>]`;
  if (argv.length === 0) return {};
  let text: string;
  if (argv[0] === GRAPH_PORT_FLAG && argv.length <= 2) text = argv[1] ?? "";
  else if (argv.length === 1 && argv[0]?.startsWith(`${GRAPH_PORT_FLAG}=`))
    text = argv[0].slice(GRAPH_PORT_FLAG.length + 1);
  else throw new Error(`unexpected arguments ${JSON.stringify(argv.join(" "))}; ${usage}`);
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1024 && port <= 65535)) {
    throw new Error(`${GRAPH_PORT_FLAG} ${JSON.stringify(text)} is not a port from 1024 to 65535; ${usage}`);
  }
  return { graphPort: port };
}

/** 127.0.0.1:port can be listened on now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", (error: NodeJS.ErrnoException) =>
      error.code === "EADDRINUSE" || error.code === "EACCES" ? resolve(false) : reject(error),
    );
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

/** A port of 127.0.0.1 that is free now (the system's choice), to suggest. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** The lab's one line when its Graph port is taken: what may hold it, how to see it, and the two ways on. */
export function portTakenMessage(port: number, suggestion: number, stackFile: string): string {
  return (
    `port ${port} on 127.0.0.1 is in use (another lab, or \`entra-sim graph --port ${port}\` still serving; ` +
    `\`ss -ltnp 'sport = :${port}'\` shows what holds it): stop it, then run npm run lab again; or run this lab ` +
    `on a free port: npm run lab -- ${GRAPH_PORT_FLAG} ${suggestion} (written into ${stackFile})`
  );
}
