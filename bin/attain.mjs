#!/usr/bin/env node
// The `attain` command. TypeScript sources run through tsx's loader, so there is no build step
// between a clone and a working command.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/run-cli.ts');
process.exitCode = await runCli(process.argv.slice(2), process.env);
