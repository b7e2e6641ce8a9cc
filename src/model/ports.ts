// How a Service port reaches a pod: the port a webhook calls, its targetPort, and the containers' ports.
// One implementation for transforms (a workload's pod template) and check (a pod source, live Pods included).
import { isObj, type Obj, type Resource } from './types.js';

/** servicePort finds the Service port a webhook calls (clientConfig.service.port, default 443). */
export function servicePort(service: Resource, port: number): Obj | undefined {
  const ports = Array.isArray(service.obj.spec?.ports) ? service.obj.spec.ports : [];
  return ports.find((p: Obj) => isObj(p) && Number(p.port) === port);
}

/** podSpecOf is the pod spec of a workload's template, or of a Pod. */
export function podSpecOf(r: Resource): Obj | undefined {
  const spec = r.kind === 'Pod' ? r.obj.spec : r.obj.spec?.template?.spec;
  return isObj(spec) ? spec : undefined;
}

/** DeclaredPort is a port a container declares. */
export type DeclaredPort = { name?: string; containerPort: number };

/** containerPorts lists the ports a pod spec's containers declare (sidecar init containers included: they keep running). */
export function containerPorts(spec: Obj | undefined): DeclaredPort[] {
  const containers = [
    ...(Array.isArray(spec?.containers) ? spec!.containers : []),
    ...(Array.isArray(spec?.initContainers) ? spec!.initContainers.filter((c: Obj) => c?.restartPolicy === 'Always') : []),
  ];
  return containers.flatMap(portsOf);
}

/** portsOf lists the ports one container declares. */
export function portsOf(container: unknown): DeclaredPort[] {
  return (isObj(container) && Array.isArray(container.ports) ? container.ports : [])
    .filter(isObj)
    .map((p: Obj) => ({ name: typeof p.name === 'string' ? p.name : undefined, containerPort: Number(p.containerPort) }));
}

/** declares tells whether declared ports hold a Service's target port: by name for a named one, else by number. */
export function declares(ports: DeclaredPort[], target: unknown): boolean {
  return isNamedPort(target) ? ports.some((p) => p.name === target) : ports.some((p) => p.containerPort === Number(target));
}

/** isNamedPort tells a targetPort that names a container port from a number (or a string of digits). */
export function isNamedPort(target: unknown): target is string {
  return typeof target === 'string' && !/^\d+$/.test(target);
}

/**
 * servesPort tells whether pods with this spec receive a Service port's traffic: `yes` when a container
 * declares the target port; `no` when the Service has no such port, or the target port is a name no
 * container declares (the endpoint then has no port at all); `unknown` when the target is a number no
 * container declares, or the containers declare no ports: a Service routes a numeric targetPort whatever
 * the containers declare, and only the running server knows whether it listens there.
 */
export function servesPort(service: Resource, port: number, spec: Obj | undefined): 'yes' | 'no' | 'unknown' {
  const sp = servicePort(service, port);
  if (!sp) return 'no';
  const target = sp.targetPort ?? sp.port;
  if (declares(containerPorts(spec), target)) return 'yes';
  return isNamedPort(target) ? 'no' : 'unknown';
}

/**
 * targetPort is the pod port a Service port's traffic arrives at, as a NetworkPolicy rule names it: the container
 * port a named targetPort stands for when a container declares it (else the name, which a policy accepts too),
 * the number otherwise; undefined when the Service has no such port.
 */
export function targetPort(service: Resource, port: number, spec: Obj | undefined): number | string | undefined {
  const sp = servicePort(service, port);
  if (!sp) return undefined;
  const target = sp.targetPort ?? sp.port;
  if (!isNamedPort(target)) return Number(target);
  return containerPorts(spec).find((p) => p.name === target)?.containerPort ?? target;
}
