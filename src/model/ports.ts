// How a Service port reaches a pod: the port a webhook calls, its targetPort, and the containers' ports.
import { isObj, type Obj, type Resource } from './types.js';
import type { PodSource } from './admission.js';

/** servicePort finds the Service port a webhook calls (clientConfig.service.port, default 443). */
export function servicePort(service: Resource, port: number): Obj | undefined {
  const ports = Array.isArray(service.obj.spec?.ports) ? service.obj.spec.ports : [];
  return ports.find((p: Obj) => isObj(p) && Number(p.port) === port);
}

/** containerPorts lists the ports a pod source's containers declare. */
export function containerPorts(source: PodSource): Array<{ name?: string; containerPort: number }> {
  const spec = source.create.object?.spec as Obj | undefined;
  const containers = [
    ...(Array.isArray(spec?.containers) ? spec!.containers : []),
    ...(Array.isArray(spec?.initContainers) ? spec!.initContainers.filter((c: Obj) => c?.restartPolicy === 'Always') : []),
  ];
  return containers
    .flatMap((c: Obj) => (Array.isArray(c?.ports) ? c.ports : []))
    .filter(isObj)
    .map((p: Obj) => ({ name: typeof p.name === 'string' ? p.name : undefined, containerPort: Number(p.containerPort) }));
}

/**
 * servesPort tells whether a pod source can receive a Service port's traffic: `yes` when a container
 * declares the target port, `no` when the target port is a name no container declares (the endpoint has no
 * port) or a number while the containers declare others, `unknown` when the containers declare no ports.
 */
export function servesPort(service: Resource, port: number, source: PodSource): 'yes' | 'no' | 'unknown' {
  const sp = servicePort(service, port);
  if (!sp) return 'no';
  const target = sp.targetPort ?? sp.port;
  const declared = containerPorts(source);
  if (typeof target === 'string' && !/^\d+$/.test(target)) return declared.some((p) => p.name === target) ? 'yes' : 'no';
  if (!declared.length) return 'unknown';
  return declared.some((p) => p.containerPort === Number(target)) ? 'yes' : 'no';
}
