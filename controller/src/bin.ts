#!/usr/bin/env node
// The herald-controller command: checks the Node version, then loads the program.
import { requireNodeMajor } from '@herald/shared/node-version';

requireNodeMajor('herald-controller');
await import('./main.js');
