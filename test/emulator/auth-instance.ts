import { type MotoServer, startMoto } from "./moto.js";

/**
 * A short-lived emulator with request authentication enforced (moto's IAM auth mode). The
 * first three requests are free: they create an IAM user, give it a policy and an access
 * key. Every request after that must be signed with that key. Only for credential-failure
 * tests: moto's signature check wrongly rejects some valid requests (see design notes).
 */
export interface AuthEnforcedEmulator {
  readonly server: MotoServer;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

const bootstrapAuth = "AWS4-HMAC-SHA256 Credential=AKIDBOOTSTRAP/20260101/us-east-1/iam/aws4_request";

async function iam(endpoint: string, params: Record<string, string>): Promise<string> {
  const res = await fetch(endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: bootstrapAuth },
    body: new URLSearchParams({ ...params, Version: "2010-05-08" }).toString(),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`IAM ${params.Action} failed on the auth emulator: ${res.status} ${text}`);
  return text;
}

export async function startAuthEnforcedEmulator(): Promise<AuthEnforcedEmulator> {
  const server = await startMoto({ name: "auth", env: { INITIAL_NO_AUTH_ACTION_COUNT: "3" } });
  try {
    await iam(server.endpoint, { Action: "CreateUser", UserName: "longbow-test" });
    await iam(server.endpoint, {
      Action: "PutUserPolicy",
      UserName: "longbow-test",
      PolicyName: "all",
      PolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
      }),
    });
    const xml = await iam(server.endpoint, { Action: "CreateAccessKey", UserName: "longbow-test" });
    const accessKeyId = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(xml)?.[1];
    const secretAccessKey = /<SecretAccessKey>([^<]+)<\/SecretAccessKey>/.exec(xml)?.[1];
    if (!accessKeyId || !secretAccessKey) throw new Error(`no access key in CreateAccessKey answer: ${xml}`);
    return { server, accessKeyId, secretAccessKey };
  } catch (err) {
    await server.stop();
    throw err;
  }
}
