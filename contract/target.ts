// Which Entra Connect server a stack talks to, as stack configuration describes it.
import { z } from "zod";

export const simulatorTarget = z.strictObject({
  kind: z.literal("simulator"),
  /** Path of the simulator's JSON state file, relative to the project directory or absolute. */
  stateFile: z.string().min(1, "stateFile: the simulator state file, e.g. .lab/lab.json"),
  /** Server name inside the state file; defaults to the first server. */
  server: z.string().min(1).optional(),
});

export const localTarget = z.strictObject({
  kind: z.literal("local"),
});

export const remoteTarget = z.strictObject({
  kind: z.literal("remote"),
  computerName: z
    .string()
    .regex(/^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/, "a host name such as connect01.contoso.com"),
  transport: z.enum(["wsman", "ssh"]).default("wsman"),
  /** DOMAIN\\user or user@domain for WinRM; the SSH user name for SSH. */
  username: z
    .string()
    .min(1)
    .regex(/^[^\s'"`$;|&<>]+$/, "a user name without spaces or shell characters"),
  port: z.number().int().min(1).max(65535).optional(),
  useSsl: z.boolean().optional(),
});

export const target = z.discriminatedUnion("kind", [simulatorTarget, localTarget, remoteTarget]);

export type SimulatorTarget = z.infer<typeof simulatorTarget>;
export type LocalTarget = z.infer<typeof localTarget>;
export type RemoteTarget = z.infer<typeof remoteTarget>;
export type Target = z.infer<typeof target>;
