// The BGP API and router drivers the e2e suites use, from the packages' entry points.
import * as LabPkg from '@herald/lab';
import { bgp, bgpWire as wire } from '@herald/speaker';

export type { RouterDriver, RouterKind, RouterSpec, RibRoute, RouterSession } from '@herald/lab';
export type { Advertisement, SessionStatus } from '@herald/speaker';

export const routers = LabPkg;
export const speakerBgp = bgp;
export const bgpWire = wire;
