// What parseConfig reads: the raw Herald objects as listed from the API server, and the
// Secrets of Herald's namespace (for BGPPeer passwordSecret). Everything is `unknown`: the
// parser checks every field, so garbage gives errors, never a crash.

export interface ConfigInput {
  /** Herald's namespace; objects in other namespaces are ignored. Default herald-system. */
  readonly namespace?: string;
  readonly ipAddressPools?: readonly unknown[];
  readonly l2Advertisements?: readonly unknown[];
  readonly bgpAdvertisements?: readonly unknown[];
  readonly bgpPeers?: readonly unknown[];
  readonly bfdProfiles?: readonly unknown[];
  readonly communities?: readonly unknown[];
  /**
   * core/v1 Secrets of Herald's namespace (data values base64, as the API serves them).
   * Leave undefined in a component that has no access to Secrets: BGPPeer passwords are then
   * neither resolved nor checked (the controller never needs them).
   */
  readonly secrets?: readonly unknown[];
}
