/**
 * `deno task set-version X.Y.Z [FILE]`: writes the version into deno.json (or FILE), which is
 * where `socklab --version` reads it; the release workflow runs it with the tag's version.
 *
 * @module
 */

const [version, file = new URL("../deno.json", import.meta.url).pathname] = Deno.args;
if (!version || !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) {
  console.error(`Invalid version "${version ?? ""}": expected X.Y.Z, such as 1.2.0`);
  Deno.exit(2);
}
const config = JSON.parse(await Deno.readTextFile(file));
config.version = version;
await Deno.writeTextFile(file, JSON.stringify(config, null, 2) + "\n");
console.log(`version ${version} written to ${file}`);
