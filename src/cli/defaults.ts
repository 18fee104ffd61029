/** @module Default locations and ports shared by the CLI commands. */
import { join } from 'node:path';

export const DEFAULT_DATA_DIR = '/var/lib/tugboat';
export const DEFAULT_HTTPS_PORT = 6443;
export const kubeconfigPath = (dataDir: string) => join(dataDir, 'kubeconfig.yaml');
