/**
 * The coordinator's dashboard page: self-contained (no external requests), and, opened in Debian
 * Chromium (driven by playwright-core) on a live fleet, it shows the run's real numbers: round,
 * state, accuracy per round, expert load per round, the assignment and Q heatmaps and the
 * connected clients, all compared with /api/status. A screenshot goes to test-output/.
 */
import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { dashboardHtml } from '../src/dashboard';
import { ROOT, which } from './ops-fixtures';
import { getJson, startFleet, waitFor, type Fleet } from './ops-fleet';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const CAPACITY = 2;
const ROUNDS = 2;

test('the dashboard page is self-contained: no external scripts, styles, fonts or images', () => {
  const html = dashboardHtml();
  assert.match(html, /^<!doctype html>/);
  assert.doesNotMatch(html, /<script[^>]+src=|<link\b|<img\b|@import|url\(/i);
  const urls = [...html.matchAll(/https?:\/\/[^\s'"`)]+/g)].map((m) => m[0]);
  assert.deepEqual([...new Set(urls)], ['http://www.w3.org/2000/svg'], 'only the SVG namespace name, which is never fetched');
  assert.match(html, /"statusPath":"api\/status"/);
  assert.match(dashboardHtml({ statusPath: '/x</script><b>' }), /\\u003c\/script>/, 'config JSON cannot close its script tag');
});

/** Attribute values of every element matching `selector`. */
async function attrs(page: Page, selector: string, names: string[]): Promise<Record<string, string>[]> {
  return page.$$eval(selector, (els, ns) => els.map((el) => Object.fromEntries(ns.map((n) => [n, el.getAttribute(n) ?? '']))), names);
}

const hasChromium = Boolean(which('chromium')) || require('node:fs').existsSync(CHROMIUM);

describe(
  'dashboard in Chromium on a live fleet',
  { skip: hasChromium ? false : 'Debian chromium is not installed (apt-get install chromium): browser test not run', timeout: 180_000 },
  () => {
    let fleet: Fleet;
    let browser: Browser;
    let page: Page;
    let status: any;
    const pageErrors: string[] = [];
    const foreignRequests: string[] = [];

    before(async () => {
      fleet = await startFleet({ clients: 2, rounds: ROUNDS, experts: 4, capacity: CAPACITY });
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
      page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
      page.on('pageerror', (err) => pageErrors.push(err.message));
      page.on('request', (req) => {
        if (!req.url().startsWith(`http://127.0.0.1:${fleet.httpPort}/`)) foreignRequests.push(req.url());
      });
      await page.goto(`http://127.0.0.1:${fleet.httpPort}/dashboard`);
      // Two rounds done and the run finished: from here on the status no longer changes.
      await waitFor(
        'the page to show the finished run',
        async () => {
          const [round, state] = await Promise.all([page.getAttribute('#round', 'data-round'), page.getAttribute('#state', 'data-state')]);
          return Number(round) >= ROUNDS && state === 'finished' ? true : undefined;
        },
        120_000,
        fleet.logs,
      );
      status = await getJson(`http://127.0.0.1:${fleet.httpPort}/api/status`);
      const seen = await page.getAttribute('body', 'data-updated');
      await waitFor('one more poll of the page', async () => ((await page.getAttribute('body', 'data-updated')) !== seen ? true : undefined), 10_000);
      mkdirSync(join(ROOT, 'test-output'), { recursive: true });
      await page.screenshot({ path: join(ROOT, 'test-output', 'dashboard.png'), fullPage: true });
    });

    after(async () => {
      if (browser) await browser.close();
      if (fleet) await fleet.stop();
    });

    it('shows the round, state, strategy and accuracy of the run, without errors or outside requests', async () => {
      assert.equal(status.round, ROUNDS);
      assert.equal(await page.getAttribute('#round', 'data-round'), String(status.round));
      assert.equal(await page.getAttribute('#state', 'data-state'), status.state);
      assert.equal(await page.getAttribute('#strategy', 'data-strategy'), 'flexmoe');
      assert.equal(Number(await page.getAttribute('#accuracy', 'data-accuracy')), status.accuracy);
      assert.match((await page.textContent('#accuracy'))!, new RegExp(`${(100 * status.accuracy).toFixed(1)}%`));
      // The pre-local accuracy: the aggregated model with each client's gate, before local training.
      assert.equal(typeof status.preLocalAccuracy, 'number');
      assert.equal(status.postLocalAccuracy, status.accuracy);
      assert.equal(Number(await page.getAttribute('#pre-local', 'data-pre-local')), status.preLocalAccuracy);
      assert.equal(await page.locator('#accuracy-chart polyline.pre-local').count(), 1);
      assert.deepEqual(pageErrors, []);
      assert.deepEqual(foreignRequests, []);
    });

    it('draws one accuracy point per round at the run accuracies', async () => {
      const points = await attrs(page, '#accuracy-chart circle.point', ['data-round', 'data-accuracy', 'cy']);
      assert.equal(points.length, ROUNDS);
      assert.deepEqual(
        points.map((p) => [Number(p['data-round']), Number(p['data-accuracy'])]),
        status.history.map((h: any) => [h.round, h.accuracy]),
      );
      // Higher accuracy is drawn higher (smaller y).
      const [a, b] = points.map((p) => ({ acc: Number(p['data-accuracy']), y: Number(p.cy) }));
      assert.equal(Math.sign(b!.acc - a!.acc), Math.sign(a!.y - b!.y));
    });

    it('stacks the expert load of every round as reported, summing to n_c x k_c over the clients', async () => {
      const bars = await attrs(page, '#load-chart rect.bar', ['data-round', 'data-expert', 'data-load']);
      assert.equal(bars.length, ROUNDS * status.experts);
      for (const h of status.history) {
        const row = bars.filter((b) => Number(b['data-round']) === h.round).sort((x, y) => Number(x['data-expert']) - Number(y['data-expert']));
        assert.deepEqual(
          row.map((b) => Number(b['data-load'])),
          h.load,
          `round ${h.round}`,
        );
        const samples = h.participants.reduce((s: number, id: string) => s + status.clients.find((c: any) => c.id === id).samples, 0);
        assert.equal(
          row.reduce((s, b) => s + Number(b['data-load']), 0),
          samples * CAPACITY,
          'each client holds k_c experts',
        );
      }
    });

    it('shows the client x expert assignment heatmap: k_c cells per client, as assigned', async () => {
      const cells = await attrs(page, '#assignment-heatmap rect.cell', ['data-client', 'data-expert', 'data-value']);
      assert.equal(cells.length, fleet.clientIds.length * status.experts);
      for (const id of fleet.clientIds) {
        const on = cells
          .filter((c) => c['data-client'] === id && c['data-value'] === '1')
          .map((c) => Number(c['data-expert']))
          .sort();
        assert.equal(on.length, CAPACITY, `${id} holds ${CAPACITY} experts`);
        assert.deepEqual(on, [...status.assignment[id]].sort(), `${id} assignment`);
        assert.deepEqual(on, [...status.history[ROUNDS - 1].assignment[id]].sort(), 'the last completed round');
      }
    });

    it('shows Q as a heatmap with the coordinator values', async () => {
      const cells = await attrs(page, '#q-heatmap rect.cell', ['data-client', 'data-expert', 'data-value', 'fill']);
      assert.equal(cells.length, fleet.clientIds.length * status.experts);
      for (const c of cells) assert.equal(Number(c['data-value']), status.q[c['data-client']!][Number(c['data-expert'])]);
      const values = cells.map((c) => Number(c['data-value']));
      assert.ok(new Set(values).size > 1, 'training moved Q away from its start value');
      const fills = new Set(cells.map((c) => c.fill));
      assert.ok(fills.size > 1, 'different values get different colours');
    });

    it('lists the clients with their last-seen time; daemons that finished the run have left', async () => {
      // Each daemon sends Leave once the run is finished: the page comes to show none connected.
      await waitFor(
        'the page to show every client gone',
        async () => ((await page.getAttribute('#clients', 'data-connected')) === '0' ? true : undefined),
        30_000,
        fleet.logs,
      );
      const after = await getJson(`http://127.0.0.1:${fleet.httpPort}/api/status`);
      const rows = await attrs(page, '#clients tbody tr', ['data-client', 'data-last-seen', 'data-connected']);
      assert.deepEqual(rows.map((r) => r['data-client']).sort(), [...fleet.clientIds].sort());
      for (const r of rows) {
        const live = after.clients.find((c: any) => c.id === r['data-client']);
        assert.equal(live.connected, false, `${r['data-client']} left at the end of the run`);
        assert.equal(r['data-connected'], 'false');
        assert.ok(Number(r['data-last-seen']) >= live.lastSeen - 60_000 && Number(r['data-last-seen']) <= Date.now(), 'last seen is a recent time');
      }
      assert.equal(await page.getAttribute('#clients-count', 'data-clients'), '0');
    });
  },
);
