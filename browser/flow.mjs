// The web app's main flow in real Chromium: a reporter submits a report on a phone-sized
// screen and sees the tracking page; a team member signs in, finds the case in the queue,
// scores it with the CVSS calculator, accepts it, gives the estimate, writes an internal note
// and a message to the reporter; the reporter opens the sign-in link of their latest mail and
// sees the new state and the estimate, and the message, never the internal note.
//
// Environment: BASE_URL, MAIL_DIR (where the SMTP sink writes *.eml), TEAM_USER,
// TEAM_PASSWORD, CHROMIUM (default /usr/bin/chromium). Exits non-zero on the first failure.

import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const env = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`${name} is not set`);
  return v;
};
const BASE = env('BASE_URL');
const MAIL_DIR = env('MAIL_DIR');
const TEAM_USER = env('TEAM_USER');
const TEAM_PASSWORD = env('TEAM_PASSWORD');
const REPORTER = 'browser-reporter@example.org';
const TITLE = 'Stored XSS in the admin console';
const CANARY = 'CANARY-note-only-for-the-team-91c2';
const TO_REPORTER = 'We reproduced it and are working on a fix.';

const problems = [];
const check = (ok, what) => {
  if (!ok) throw new Error(`check failed: ${what}`);
};

function watch(page) {
  page.on('console', (m) => {
    // Pages that answer 422 (a refused form) or 410 (a used link) on purpose are not problems;
    // anything else is, above all a CSP violation ("Refused to ...").
    const expected = /Failed to load resource: the server responded with a status of (422|410)/;
    if (m.type() === 'error' && !expected.test(m.text())) problems.push(`console: ${m.text()} at ${m.location().url}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e}`));
}

// Every visible form control has a label (accessible name): the pages are usable with a screen
// reader and by keyboard.
async function labelled(page, where) {
  const missing = await page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea')]
      .filter((el) => el.type !== 'hidden')
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
      .map((el) => el.name || el.id),
  );
  check(missing.length === 0, `${where}: controls without a label: ${missing.join(', ')}`);
}

function latestLink(recipient, after) {
  const files = fs
    .readdirSync(MAIL_DIR)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map((f) => fs.readFileSync(path.join(MAIL_DIR, f), 'latin1'))
    .filter((raw) => raw.split('\r\n', 1)[0].includes(recipient));
  if (files.length <= after) return null;
  const text = files[files.length - 1].replace(/=\r\n/g, '');
  const m = text.match(/\/signin\/lnk_[0-9a-f]{40}/);
  return m ? { link: m[0], count: files.length } : null;
}

async function waitForLink(recipient, after) {
  for (let i = 0; i < 300; i++) {
    const found = latestLink(recipient, after);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail with a sign-in link reached ${recipient}`);
}

const browser = await chromium.launch({
  executablePath: env('CHROMIUM', '/usr/bin/chromium'),
  args: ['--no-sandbox'],
});
try {
  // 1. The reporter, on a phone.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  const rp = await phone.newPage();
  watch(rp);
  await rp.goto(`${BASE}/report`);
  await labelled(rp, '/report');
  await rp.getByLabel('What is the issue?').fill(TITLE);
  await rp.getByLabel('Details').fill('Open /admin/notes, save <script>alert(1)</script> as a note.');
  await rp.getByLabel('Your email address').fill(REPORTER);
  await rp.getByLabel('Your name').fill('Bea Browser');
  await rp.getByLabel('Credit me by name').check();
  await rp.getByRole('button', { name: 'Send the report' }).click();
  const tracking = (await rp.locator('.tracking strong').first().textContent()).trim();
  check(/^EMB-[A-Z0-9]+$/.test(tracking), `tracking id shown: ${tracking}`);
  const receivedText = await rp.locator('main').textContent();
  check(receivedText.includes(tracking) && receivedText.includes('do not publicise'), 'the page shows the acknowledgement text');
  const ack = await waitForLink(REPORTER, 0);

  // 2. The team, on a laptop.
  const laptop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const tp = await laptop.newPage();
  watch(tp);
  await tp.goto(`${BASE}/login`);
  await labelled(tp, '/login');
  await tp.getByLabel('Username').fill(TEAM_USER);
  await tp.getByLabel('Password').fill(TEAM_PASSWORD);
  await tp.getByRole('button', { name: 'Sign in' }).click();
  await tp.waitForURL(`${BASE}/queue`);
  await tp.getByLabel('Search').fill('admin console');
  await tp.getByRole('button', { name: 'Filter' }).click();
  await tp.getByRole('link', { name: TITLE }).click();
  await labelled(tp, 'case room');
  check((await tp.locator('#reports').textContent()).includes('<script>alert(1)</script>'), 'the report is shown as text, escaped');

  for (const [metric, value] of Object.entries({ AV: 'N', AC: 'L', PR: 'L', UI: 'N', S: 'U', C: 'H', I: 'L', A: 'N' })) {
    await tp.locator(`input[name="m3.1_${metric}"][value="${value}"]`).check();
  }
  await tp.getByRole('button', { name: 'Preview score' }).click();
  const preview = await tp.locator('#cvss-preview').textContent();
  check(preview.includes('CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:L/A:N') && preview.includes('7.1 (High)'), `preview: ${preview}`);
  await tp.getByRole('button', { name: 'Save score' }).click();
  check((await tp.locator('#cvss').textContent()).includes('7.1 High'), 'the score is saved');

  for (const target of ['triage', 'accepted']) {
    const options = await tp.locator('#to option').allTextContents();
    if (!options.includes(target)) continue;
    await tp.locator('#to').selectOption(target);
    await tp.getByRole('button', { name: 'Change state' }).click();
    check((await tp.locator('#case-state').textContent()) === target, `state is ${target}`);
  }
  await tp.getByRole('button', { name: /Give the reporter these deadlines/ }).click();
  check(!(await tp.locator('#estimate').textContent()).includes('none given'), 'estimate given');

  await tp.getByLabel('Message').fill(CANARY);
  await tp.getByLabel('Internal note (team only)').check();
  await tp.getByRole('button', { name: 'Post' }).click();
  check((await tp.locator('.thread li.internal').last().textContent()).includes(CANARY), 'the internal note is shown as internal');
  await tp.getByLabel('Message').fill(TO_REPORTER);
  await tp.getByLabel('The reporter (mailed to them)').check();
  await tp.getByRole('button', { name: 'Post' }).click();
  check((await tp.locator('.errors').textContent()).includes('confirm'), 'nothing goes to the reporter without the confirm step');
  await tp.getByLabel('Message').fill(TO_REPORTER);
  await tp.getByLabel('The reporter (mailed to them)').check();
  await tp.getByLabel(/Send this to the reporter/).check();
  await tp.getByRole('button', { name: 'Post' }).click();
  check((await tp.locator('.thread li.to-reporter').last().textContent()).includes(TO_REPORTER), 'the message is posted');

  // 3. The reporter follows the link of the latest mail.
  const latest = await waitForLink(REPORTER, ack.count);
  await rp.goto(`${BASE}${latest.link}`);
  await rp.getByRole('button', { name: 'Continue' }).click();
  await rp.waitForURL(`${BASE}/portal`);
  await rp.getByRole('link', { name: tracking }).click();
  await labelled(rp, 'portal case');
  check((await rp.locator('#state').textContent()) === 'confirmed', 'the reporter sees the case confirmed');
  check((await rp.locator('#estimate').textContent()).includes('fixed versions by'), 'the reporter sees the estimate');
  const portal = await rp.content();
  check(portal.includes(TO_REPORTER), 'the reporter reads the message meant for them');
  check(!portal.includes(CANARY), 'the internal note never reaches the reporter');
  // The first mail's link was never used: it works once, and only now.
  await rp.goto(`${BASE}${ack.link}`);
  await rp.getByRole('button', { name: 'Continue' }).click();
  await rp.waitForURL(`${BASE}/portal`);
  await rp.goto(`${BASE}${ack.link}`);
  await rp.getByRole('button', { name: 'Continue' }).click();
  check((await rp.locator('h1').textContent()).includes('no longer works'), 'a used link is refused');

  check(problems.length === 0, `no CSP violations or script errors: ${problems.join(' | ')}`);
  console.log(JSON.stringify({ ok: true, tracking }));
} finally {
  await browser.close();
}
