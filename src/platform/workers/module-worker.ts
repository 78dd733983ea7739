// Worker threads running one of our modules, from the compiled JavaScript (dist) or from the
// TypeScript sources (tests, tsx), where tsx's loader must be registered inside the worker first.
import { Worker, type ResourceLimits } from 'node:worker_threads';

/** The URL of the sibling module `name` (without extension) of `base` (pass import.meta.url). */
export function siblingModule(name: string, base: string): URL {
  return new URL(`./${name}${base.endsWith('.ts') ? '.ts' : '.js'}`, base);
}

export function startModuleWorker(module: URL, workerData: unknown, resourceLimits?: ResourceLimits): Worker {
  if (!module.pathname.endsWith('.ts')) return new Worker(module, { workerData, resourceLimits });
  const tsx = import.meta.resolve('tsx/esm/api');
  return new Worker(
    `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(module.href)}); })`,
    { eval: true, workerData, resourceLimits },
  );
}
