/** @module /version: the Kubernetes version tugboat serves the API of (kubectl checks skew against it). */
import { arch, platform } from 'node:os';

const goArch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' };

export function serverVersion() {
  return {
    major: '1', minor: '32', gitVersion: 'v1.32.0+tugboat', gitCommit: '', gitTreeState: 'clean',
    buildDate: '2026-11-28T00:00:00Z', goVersion: `node${process.versions.node}`, compiler: 'tsx',
    platform: `${platform()}/${goArch[arch()] ?? arch()}`,
  };
}
