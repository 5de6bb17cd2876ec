import { GetParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { describe, expect, it } from "vitest";
import { createS3Client, credentialsFromSsm } from "../../../worker/src/s3/index.js";

const secret = "planted-secret-value-1234567890";

function fakeSsm(answer: () => unknown): { ssm: SSMClient; names: string[] } {
  const names: string[] = [];
  const ssm = {
    send: async (cmd: unknown) => {
      if (!(cmd instanceof GetParameterCommand)) throw new Error("unexpected command");
      expect(cmd.input.WithDecryption).toBe(true);
      names.push(cmd.input.Name ?? "");
      return answer();
    },
  } as unknown as SSMClient;
  return { ssm, names };
}

describe("credentialsFromSsm", () => {
  it("reads the original's JSON format", async () => {
    const { ssm, names } = fakeSsm(() => ({
      Parameter: {
        Value: JSON.stringify({
          aws_access_key_id: "AKIDX",
          aws_secret_access_key: secret,
          region: "cn-north-1",
        }),
      },
    }));
    expect(await credentialsFromSsm("s3_migration_credentials", { ssm })).toEqual({
      accessKeyId: "AKIDX",
      secretAccessKey: secret,
      region: "cn-north-1",
    });
    expect(names).toEqual(["s3_migration_credentials"]);
  });

  it.each([
    [`aws_secret_access_key=${secret}`, "is not valid JSON"],
    [JSON.stringify([secret]), "is not a JSON object"],
    [JSON.stringify({ aws_secret_access_key: secret }), "lacks aws_access_key_id"],
  ])("rejects %# naming the parameter and the problem, never the value", async (value, problem) => {
    const { ssm } = fakeSsm(() => ({ Parameter: { Value: value } }));
    const err = (await credentialsFromSsm("p", { ssm }).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain(`SSM parameter 'p' ${problem}`);
    expect(`${err.message}${err.stack}${JSON.stringify(err)}`).not.toContain(secret);
  });

  it("says when the parameter cannot be read with the process's credentials", async () => {
    const { ssm } = fakeSsm(() => {
      throw Object.assign(new Error("denied"), {
        name: "AccessDeniedException",
        $metadata: { httpStatusCode: 400 },
      });
    });
    await expect(credentialsFromSsm("p", { ssm })).rejects.toThrow(
      "SSM parameter 'p' cannot be read with this process's credentials",
    );
  });
});

describe("createS3Client", () => {
  it("uses path-style with a custom endpoint, retries per the settings and leaves checksums to the engine", async () => {
    const s3 = await createS3Client(
      { region: "cn-northwest-1", endpoint: "http://127.0.0.1:9", credentials: "default" },
      { credentials: { accessKeyId: "AKIDX", secretAccessKey: secret }, maxAttempts: 7 },
    );
    expect(s3.config.forcePathStyle).toBe(true);
    expect(await s3.config.maxAttempts()).toBe(7);
    expect(await s3.config.region()).toBe("cn-northwest-1");
    expect(await s3.config.requestChecksumCalculation()).toBe("WHEN_REQUIRED");
    expect(await s3.config.responseChecksumValidation()).toBe("WHEN_REQUIRED");
    s3.destroy();
  });

  it("reads SSM credentials through the injected factory", async () => {
    const { ssm, names } = fakeSsm(() => ({
      Parameter: {
        Value: JSON.stringify({ aws_access_key_id: "AKIDFROMSSM", aws_secret_access_key: secret }),
      },
    }));
    const regions: (string | undefined)[] = [];
    const s3 = await createS3Client(
      { region: "cn-north-1", credentials: { ssmParameter: "/longbow/china", region: "us-west-2" } },
      {
        ssmClientFactory: (region) => {
          regions.push(region);
          return ssm;
        },
      },
    );
    const creds = await s3.config.credentials();
    expect(creds.accessKeyId).toBe("AKIDFROMSSM");
    expect(names).toEqual(["/longbow/china"]);
    expect(regions).toEqual(["us-west-2"]);
    s3.destroy();
  });

  it("names the option when maxSockets is invalid", async () => {
    await expect(
      createS3Client({ region: "us-east-1", credentials: "default" }, { maxSockets: 0 }),
    ).rejects.toThrow("S3ClientOptions.maxSockets");
  });
});
