/** A valid migration file from global `sourceBucket` to China `destinationBucket`. */
export function migrationYaml(
  name: string,
  sourceBucket: string,
  destinationBucket: string,
  chinaCredentials = "credentials:\n    ssmParameter: /longbow/china-credentials",
): string {
  return [
    `name: ${name}`,
    "source:",
    `  bucket: ${sourceBucket}`,
    "  region: us-east-1",
    "destination:",
    `  bucket: ${destinationBucket}`,
    "  region: cn-northwest-1",
    `  ${chinaCredentials}`,
    "",
  ].join("\n");
}
