// Whether Herald handles a Service at all: one reading for the controller (which allocates) and
// the speaker (which announces), so they cannot disagree. They did once: the controller took
// `loadBalancerClass: ""` as no class and gave the Service an IP that the speaker, which did not,
// never announced. A Service that stops being ours (type changes from LoadBalancer, or
// loadBalancerClass changes to another class) must be released.

export interface ServiceClass {
  /** spec.type */
  readonly type: string | undefined;
  /** spec.loadBalancerClass */
  readonly loadBalancerClass: string | undefined;
}

/**
 * True for type LoadBalancer Services of our class: with no `--lb-class` flag, those without a
 * class (MetalLB's default); with one, exactly that class.
 */
export function isOurs(svc: ServiceClass, ourClass: string | undefined): boolean {
  if (svc.type !== 'LoadBalancer') return false;
  const cls = svc.loadBalancerClass === '' ? undefined : svc.loadBalancerClass;
  return cls === ourClass;
}

/** A Service's key, "namespace/name", as every component and the CLI name it. */
export function serviceKey(svc: { readonly metadata?: { readonly namespace?: string; readonly name?: string } }): string {
  return `${svc.metadata?.namespace ?? 'default'}/${svc.metadata?.name ?? ''}`;
}
