/** @module The `tug` command line: one binary, a subcommand per role (as k3s server/agent/kubectl). */
import { Command, CommanderError } from 'commander';
import { serverCommand } from './commands/server.js';
import { agentCommand } from './commands/agent.js';
import { kubectlCommand } from './commands/kubectl.js';
import { hollowNodesCommand } from './commands/hollow-nodes.js';
import { resetCommand } from './commands/reset.js';
import { imagesCommand } from './commands/images.js';

const program = new Command('tug')
  .description('tugboat: a Kubernetes-compatible container orchestrator in one process')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();
program.addCommand(serverCommand());
program.addCommand(agentCommand());
program.addCommand(kubectlCommand());
program.addCommand(hollowNodesCommand());
program.addCommand(resetCommand());
program.addCommand(imagesCommand());

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode);
  console.error(`tug: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
