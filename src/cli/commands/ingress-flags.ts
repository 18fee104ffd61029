/** @module The ingress flags `tug server` and `tug agent` share: every node runs the ingress proxy. */
import type { Command } from 'commander';
import { parsePort } from './server.js';

export interface IngressFlags { ingressHttpPort: number; ingressHttpsPort: number; disableIngress: boolean }

export function withIngressFlags(cmd: Command): Command {
  return cmd
    .option('--ingress-http-port <port>', 'port of the node\'s ingress proxy for HTTP; 0 = any free port', parsePort, 80)
    .option('--ingress-https-port <port>', 'port of the node\'s ingress proxy for HTTPS; 0 = any free port', parsePort, 443)
    .option('--disable-ingress', 'run no ingress proxy on this node', false);
}

/** The node agent's ingress option: undefined when disabled. */
export const ingressPorts = (f: IngressFlags) => (f.disableIngress ? undefined : { httpPort: f.ingressHttpPort, httpsPort: f.ingressHttpsPort });
