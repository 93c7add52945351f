import { describe, expect, it } from 'vitest';
import { metricNamesOf } from './promql.ts';

describe('metricNamesOf', () => {
  it.each([
    ['histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket{service=~"$service"}[5m])))', ['http_request_duration_seconds_bucket']],
    ['sum(rate(a_total{status=~"5.."}[$__rate_interval])) / sum(rate(b_total[5m])) > 0.05', ['a_total', 'b_total']],
    ['max by (service) (parley_outbox_oldest_pending_age_seconds) > 60', ['parley_outbox_oldest_pending_age_seconds']],
    ['increase(x_total[10m]) > 1e3 and on (service) y offset 5m', ['x_total', 'y']],
  ])('%s', (expr, names) => {
    expect(metricNamesOf(expr).sort()).toEqual([...names].sort());
  });
});
