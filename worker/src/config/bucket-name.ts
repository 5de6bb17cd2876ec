/**
 * Why `name` is not a valid S3 general-purpose bucket name, or undefined when it is.
 * Rules from the S3 user guide, "Bucket naming rules".
 */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `bucket name '${name}' must be 3 to 63 characters long`;
  if (!/^[a-z0-9.-]+$/.test(name)) {
    return `bucket name '${name}' may contain only lowercase letters, digits, '.' and '-'`;
  }
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) {
    return `bucket name '${name}' must begin and end with a letter or digit`;
  }
  if (name.includes("..")) return `bucket name '${name}' must not contain two adjacent periods`;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return `bucket name '${name}' must not look like an IP address`;
  for (const p of ["xn--", "sthree-", "amzn-s3-demo-"]) {
    if (name.startsWith(p)) return `bucket name '${name}' must not start with '${p}'`;
  }
  for (const s of ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"]) {
    if (name.endsWith(s)) return `bucket name '${name}' must not end with '${s}'`;
  }
  return undefined;
}
