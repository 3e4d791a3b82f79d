// Runs one of telinject's prebuilt binaries, which npm installed as the optional dependency that
// matches this machine (@telinject/cli-<platform>-<arch>, chosen by its "os", "cpu" and "libc"
// fields), with this process's arguments, standard streams and exit status.
'use strict';
const { spawnSync } = require('child_process');

// The platforms a binary package is published for.
const PLATFORM_PACKAGES = {
  'linux-x64': '@telinject/cli-linux-x64',
};

// The shared libraries the binaries link against, as Debian 12 names their packages.
const LIBRARIES = 'libtree-sitter0 libcurl4 libssl3 libsqlite3-0 libtomlplusplus3 libspdlog1.10 libmimalloc2.0';

function findBinary(name) {
  const key = `${process.platform}-${process.arch}`;
  const packageName = PLATFORM_PACKAGES[key];
  if (!packageName) {
    throw new Error(`there is no prebuilt telinject for ${key} (there is for: ` +
      `${Object.keys(PLATFORM_PACKAGES).join(', ')}); build it from source instead`);
  }
  try {
    return require.resolve(`${packageName}/bin/${name}`);
  } catch {
    throw new Error(`${packageName} is not installed: it is an optional dependency of the ` +
      `telinject package, left out when npm runs with --omit=optional or --no-optional`);
  }
}

function launch(name) {
  let binary;
  try {
    binary = findBinary(name);
  } catch (error) {
    process.stderr.write(`${name}: ${error.message}\n`);
    return 2;
  }
  const child = spawnSync(binary, process.argv.slice(2), { stdio: 'inherit' });
  if (child.error) {
    process.stderr.write(`${name}: cannot run ${binary}: ${child.error.message}\n`);
    return 2;
  }
  if (child.signal) {
    process.kill(process.pid, child.signal);
    return 1;
  }
  if (child.status === 127) {
    // The dynamic loader's own message (a missing library) came first, on stderr.
    process.stderr.write(`${name}: the binary needs these shared libraries (Debian 12 ` +
      `packages): ${LIBRARIES}\n`);
  }
  return child.status;
}

module.exports = { launch, findBinary };
