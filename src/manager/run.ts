// The manager's lifecycle: HTTP server first (so probes answer during the campaign), then
// leader election, and informers + controllers only while leading. Losing the lease stops every
// controller through one AbortSignal and ends the process (exit 1, like client-go's fatal
// "leaderelection lost"); SIGTERM stops work, releases the lease and exits 0.
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createCloud, type Cloud } from '../cloud/index.js';
import { loadKubeConfig, type KubeConfig } from '../kube/config.js';
import { KubeEventRecorder } from '../kube/events.js';
import { InformerFactory } from '../kube/factory.js';
import { LeaderElector } from '../kube/leader.js';
import { KubeLeaseStore } from '../kube/lease.js';
import { KubeClient } from '../kube/rest.js';
import { Readiness } from '../server/health.js';
import type { Logger } from '../util/log.js';
import type { ManagerConfig } from './config.js';
import { startServing } from './serve.js';
import type { Controller, ControllerContext, ControllerFactory } from './registry.js';
import { errorText } from '../util/errors.js';

export interface ManagerDeps {
  logger: Logger;
  factories: Record<string, ControllerFactory>;
  /** Where the `{"event":"listening"}` line goes. */
  stdout?: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
  createCloud?: (config: ManagerConfig, registry: Registry, logger: Logger) => Cloud;
  kubeConfig?: KubeConfig;
}

export interface ManagerHandle {
  /** The plain-HTTP port's URL when --port is set, else the secure port's. */
  url: string;
  secureUrl: string;
  /** Resolves with the exit code: 0 after stop(), 1 after lost leadership or a controller failure. */
  done: Promise<number>;
  stop(): void;
  readiness: Readiness;
  registry: Registry;
}

export async function startManager(config: ManagerConfig, deps: ManagerDeps): Promise<ManagerHandle> {
  const logger = deps.logger;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const readiness = new Readiness();
  const kubeConfig =
    deps.kubeConfig ??
    loadKubeConfig({ kubeconfigPath: config.kubeconfig, serverOverride: config.master, env: deps.env });
  const kube = new KubeClient(kubeConfig, {
    userAgent: 'alicloud-controller-manager',
    qps: config.kubeApiQps,
    burst: config.kubeApiBurst,
  });
  const cloud = (deps.createCloud ?? defaultCloud)(config, registry, logger);
  const server = await startServing(config, { registry, readiness, kube, logger, env: deps.env });
  (deps.stdout ?? process.stdout).write(JSON.stringify({ event: 'listening', ...server.urls }) + '\n');

  const root = new AbortController();
  let exitCode = 0;
  const fail = (code: number) => {
    exitCode = Math.max(exitCode, code);
    root.abort();
  };

  const lead = async (signal: AbortSignal): Promise<void> => {
    const informers = new InformerFactory(kube, { logger, resyncMs: 30_000 });
    const recorder = new KubeEventRecorder({
      client: kube,
      component: 'alicloud-controller-manager',
      host: config.leaderElection.identity,
      logger,
    });
    readiness.add('informers-synced', () => informers.hasSynced());
    const ctx: ControllerContext = {
      config: config.controllerConfig,
      identity: config.leaderElection.identity,
      kubeConfig,
      kube,
      informers,
      recorder,
      cloud,
      registry,
      logger,
      readiness,
    };
    const controllers: Controller[] = [];
    for (const name of config.controllers) {
      const factory = deps.factories[name];
      if (!factory) {
        logger.warn({ controller: name }, 'controller is not available in this build; skipping');
        continue;
      }
      controllers.push(await factory({ ...ctx, logger: logger.child({ controller: name }) }));
    }
    informers.start(signal);
    logger.info({ controllers: controllers.map((c) => c.name) }, 'starting controllers');
    // The start-up figure operators (and bench P9) watch: from process start to a leader whose
    // caches can answer, measured on the process's own clock so a slow reader does not inflate it.
    void informers.waitForSync(signal).then((synced) => {
      if (synced)
        logger.info(
          { sinceProcessStartMs: Math.round(performance.now()) },
          'leading; informer caches synced',
        );
    });
    await Promise.all(
      controllers.map((c) =>
        c.run(signal).catch((err: unknown) => {
          if (signal.aborted) return;
          logger.error({ controller: c.name, err: errorText(err) }, 'controller failed; shutting down');
          fail(1);
        }),
      ),
    );
    await informers.stopped();
    await recorder.flush();
  };

  let done: Promise<number>;
  if (config.leaderElection.enabled) {
    const le = config.leaderElection;
    const elector = new LeaderElector({
      lock: new KubeLeaseStore(kube, le.resourceNamespace, le.resourceName),
      identity: le.identity,
      leaseDurationMs: le.leaseDurationMs,
      renewDeadlineMs: le.renewDeadlineMs,
      retryPeriodMs: le.retryPeriodMs,
      logger,
      registry,
      onStartedLeading: (signal) => lead(signal),
      onNewLeader: (id) => logger.info({ leader: id, me: id === le.identity }, 'leader'),
    });
    readiness.add('leader-election', () => elector.healthy());
    done = elector.run(root.signal).then((outcome) => (outcome === 'lost' ? 1 : exitCode));
  } else {
    done = lead(root.signal).then(() => exitCode);
  }
  const finished = done.finally(async () => {
    await server.close();
    kube.close();
    cloud.close();
  });
  return {
    url: server.urls.url,
    secureUrl: server.urls.secureUrl,
    done: finished,
    stop: () => root.abort(),
    readiness,
    registry,
  };
}

function defaultCloud(config: ManagerConfig, registry: Registry, logger: Logger): Cloud {
  const c = config.cloud;
  return createCloud(
    {
      region: c.region,
      endpoints: c.endpoints,
      ...(c.accessKeyId ? { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret } : {}),
      ...(c.metadataEndpoint ? { metadataEndpoint: c.metadataEndpoint } : {}),
      qps: c.qps,
      actionQps: c.actionQps,
      metadataTokens: config.enableImdsv2,
      dryRun: config.dryRun,
      // The lease identity on every cloud call (x-kube-alicloud-caller / User-Agent), so an audit
      // of the cloud's call log can prove that only the lease holder ever wrote.
      callerIdentity: config.leaderElection.identity,
      logger: logger.child({ component: 'cloud' }),
    },
    { registry },
  );
}
