// Where telinject-lsp is: the setting, else the binary inside the extension (the platform
// package, `vsce package --target linux-x64`: server/telinject-lsp), else PATH, else the binary
// the repository builds.
import * as fs from 'fs';
import * as path from 'path';

export const SERVER_NAME = 'telinject-lsp';

export interface FoundServer {
  path: string;
  /** How it was found, for the output channel: "setting", "bundled", "PATH" or "checkout". */
  source: 'setting' | 'bundled' | 'PATH' | 'checkout';
}

export interface ServerSearch {
  /** telinject.server.path as the user wrote it ("" when unset). */
  configured: string;
  /** Folder that relative setting values are resolved against (the first workspace folder). */
  baseFolder?: string;
  /** The extension's own folder: holds server/telinject-lsp in a platform package, and is
   *  editors/vscode in a checkout of the repository. */
  extensionPath: string;
  /** The PATH to search (process.env.PATH). */
  searchPath?: string;
}

function isExecutable(file: string): boolean {
  try {
    return fs.statSync(file).isFile() && (fs.accessSync(file, fs.constants.X_OK), true);
  } catch {
    return false;
  }
}

function expandHome(value: string): string {
  const home = process.env.HOME;
  return home && (value === '~' || value.startsWith('~/')) ? path.join(home, value.slice(1)) : value;
}

/**
 * Finds the server. A configured path that is not an executable file is an error of its own
 * (returned as `problem`): falling back to another binary would hide the typo.
 */
export function findServer(search: ServerSearch): { server?: FoundServer; problem?: string } {
  const configured = search.configured.trim();
  if (configured) {
    let candidate = expandHome(configured);
    if (!path.isAbsolute(candidate) && search.baseFolder) candidate = path.join(search.baseFolder, candidate);
    if (isExecutable(candidate)) return { server: { path: candidate, source: 'setting' } };
    return { problem: `telinject.server.path is "${configured}", which is not an executable file.` };
  }
  const bundled = path.join(search.extensionPath, 'server', SERVER_NAME);
  if (isExecutable(bundled)) return { server: { path: bundled, source: 'bundled' } };
  for (const folder of (search.searchPath ?? '').split(path.delimiter)) {
    if (!folder) continue;
    const candidate = path.join(folder, SERVER_NAME);
    if (isExecutable(candidate)) return { server: { path: candidate, source: 'PATH' } };
  }
  // Loaded from a checkout (editors/vscode): the server that scripts/setup.sh builds there.
  const built = path.resolve(search.extensionPath, '..', '..', 'build', 'server', SERVER_NAME);
  if (isExecutable(built)) return { server: { path: built, source: 'checkout' } };
  return {
    problem: `${SERVER_NAME} was not found: set telinject.server.path, put ${SERVER_NAME} on PATH, ` +
      `or build it in the telinject repository (bash scripts/setup.sh).`,
  };
}
