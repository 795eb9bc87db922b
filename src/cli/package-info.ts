// The tool's own version and home page, from its package.json, for the outputs that name
// the tool (SARIF's tool.driver). Read once per command, never cached in a module.
import { readFileSync } from 'node:fs';

export interface PackageInfo {
  version?: string;
  informationUri?: string;
}

export function packageInfo(): PackageInfo {
  try {
    // dist/src/cli/package-info.js → the package root.
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown; homepage?: unknown };
    return {
      ...(typeof pkg.version === 'string' ? { version: pkg.version } : {}),
      ...(typeof pkg.homepage === 'string' ? { informationUri: pkg.homepage } : {}),
    };
  } catch {
    // A copy without its package.json still works; SARIF then names no version.
    return {};
  }
}
