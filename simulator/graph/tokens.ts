// Access tokens of the simulated token endpoint: compact JWTs (HS256, keyed per tenant) carrying the tenant,
// the app and its roles. Graph requests verify signature, audience and lifetime.
import * as crypto from "node:crypto";
import type { GraphApp, GraphTenant } from "../model";

export const TOKEN_LIFETIME_SECONDS = 3599;

export interface TokenClaims {
  aud: string;
  iss: string;
  tid: string;
  appid: string;
  roles: string[];
  iat: number;
  nbf: number;
  exp: number;
}

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

function sign(graph: GraphTenant, data: string): string {
  return crypto.createHmac("sha256", graph.signingKey).update(data).digest("base64url");
}

export function issueToken(graph: GraphTenant, app: GraphApp, audience: string, nowMs = Date.now()): string {
  const now = Math.floor(nowMs / 1000);
  const claims: TokenClaims = {
    aud: audience,
    iss: `https://sts.windows.net/${graph.tenantId}/`,
    tid: graph.tenantId,
    appid: app.clientId,
    roles: [...app.roles],
    iat: now,
    nbf: now,
    exp: now + TOKEN_LIFETIME_SECONDS,
  };
  const data = `${encode({ typ: "JWT", alg: "HS256" })}.${encode(claims)}`;
  return `${data}.${sign(graph, data)}`;
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; message: string };

/** Checks an Authorization header value; messages are those Graph gives for each failure (docs/simulator.md). */
export function verifyAuthorization(
  graph: GraphTenant,
  header: string | undefined,
  audiences: readonly string[],
  nowMs = Date.now(),
): TokenCheck {
  const token = /^Bearer\s+(.*)$/i.exec(header ?? "")?.[1]?.trim() ?? "";
  if (token === "") return { ok: false, message: "Access token is empty." };
  const parts = token.split(".");
  if (parts.length !== 3) {
    return { ok: false, message: "CompactToken parsing failed with error code: 80049217" };
  }
  const [header64, claims64, signature] = parts as [string, string, string];
  const expected = Buffer.from(sign(graph, `${header64}.${claims64}`));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) {
    return { ok: false, message: "Access token validation failure." };
  }
  let claims: TokenClaims;
  try {
    claims = JSON.parse(Buffer.from(claims64, "base64url").toString("utf8")) as TokenClaims;
  } catch {
    return { ok: false, message: "CompactToken parsing failed with error code: 80049217" };
  }
  if (!audiences.includes(claims.aud)) {
    return { ok: false, message: "Access token validation failure. Invalid audience." };
  }
  if (claims.exp * 1000 <= nowMs)
    return { ok: false, message: "Lifetime validation failed, the token is expired." };
  return { ok: true, claims };
}
