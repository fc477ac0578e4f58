#!/usr/bin/env node
// The herald-speaker command: checks the Node version, then loads the program.
import { requireNodeMajor } from '@herald/shared/node-version';

requireNodeMajor('herald-speaker');
await import('./main.js');
