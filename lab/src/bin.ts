#!/usr/bin/env node
// The herald-lab command: checks the Node version, then loads the program.
import { requireNodeMajor } from '@herald/shared/node-version';

requireNodeMajor('herald-lab');
await import('./main.js');
