import type { RegulatoryReportsService } from './regulatory-reports.service.js';

/**
 * Runs the regulatory reports' deadline check (S4.4) every `intervalMs` until stopped; `start-server.ts`
 * starts one per process, like the notification dispatcher. Several processes on one PostgreSQL may each
 * run one: every alert is claimed by one of them (see `RegulatoryReportsService.checkDeadlines`).
 */
export class RegulatoryDeadlineMonitor {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = true;

  constructor(private readonly reports: Pick<RegulatoryReportsService, 'checkDeadlines'>) {}

  /** `onError` hears of a check that failed (e.g. the store was unreachable); the loop goes on. */
  start(
    options: {
      intervalMs?: number;
      onAlerts?: (alerts: { approaching: string[]; missed: string[] }) => void;
      onError?: (error: unknown) => void;
    } = {},
  ): void {
    if (!this.stopped) throw new Error('the deadline monitor is already running');
    this.stopped = false;
    const interval = options.intervalMs ?? 60_000;
    const tick = () => {
      this.timer = null;
      const round = this.reports.checkDeadlines().then(
        (alerts) => {
          if (alerts.approaching.length + alerts.missed.length > 0) options.onAlerts?.(alerts);
        },
        (error: unknown) => options.onError?.(error),
      );
      this.running = round;
      void round.then(() => {
        this.running = null;
        if (!this.stopped) this.timer = setTimeout(tick, interval);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stops the loop and waits for a check under way to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}
