// Drives a running code-server (the real VS Code) with headless Chromium through playwright-core,
// for tests/e2e/test_vscode.py. It only acts and observes; the test makes the assertions.
//
// Environment: VSCODE_URL (the workbench with ?folder=...), FILE_NAME (the Python file to open),
// SCENARIO, PROJECT_DIR (the workspace folder), OUTPUT_DIR (screenshots), RESULT_FILE (the JSON
// written at the end), CHROMIUM, TIMEOUT_MS.
//
// Every scenario opens the file from the Explorer. "quickfix", "onsave" and "problems" wait for the
// status bar count and the squiggles; then "problems": read the Problems panel; "quickfix": read
// it too, hover the function name and take a screenshot of the preview, pick "Instrument
// function" from the quick-fix menu (Ctrl+.), read the editor's text, save (Ctrl+S), change
// telinject.severity in the folder's settings;
// "onsave": Instrument Function from the palette, edit, save, read the editor's text, then "Show
// Cache Statistics" and "Instrument Workspace" from the palette. "missing" (no server at the
// configured path): the notification, and its Configure button. Every observation goes into the
// result, with `error` set when a step did not happen in time (and a screenshot of that).
'use strict';
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const env = process.env;
const timeout = Number(env.TIMEOUT_MS || 60000);
const result = { steps: [] };

function step(name) {
  result.steps.push(`${new Date().toISOString()} ${name}`);
}

// Monaco renders spaces as U+00A0 and only the visible lines; the test file is short.
async function editorText(page) {
  const lines = await page.locator('.editor-instance .view-lines .view-line').evaluateAll(
    (nodes) => nodes
      .map((node) => ({ top: parseFloat(node.style.top) || 0, text: node.textContent }))
      .sort((a, b) => a.top - b.top)
      .map((line) => line.text));
  return lines.join('\n').replace(/\u00a0/g, ' ');
}

async function statusText(page) {
  const item = page.locator('.statusbar-item', { hasText: 'telinject' }).first();
  return (await item.textContent({ timeout: 1000 }).catch(() => '')) || '';
}

// Puts the cursor on a line and column (1-based) with "Go to Line/Column".
async function goTo(page, line, column) {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout });
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout });
}

async function readProblems(page) {
  step('read the Problems panel');
  await page.keyboard.press('Control+Shift+M');
  const problems = page.locator('.markers-panel');
  await problems.locator('.monaco-list-row', { hasText: 'has no telemetry' }).first().waitFor();
  result.problems = await problems.locator('.monaco-list-row').allTextContents();
  await page.screenshot({ path: path.join(env.OUTPUT_DIR, 'problems.png') });
  // Back to the editor.
  await page.locator('.editor-instance .view-lines').first().click();
}

// The quick fix: Problems panel, hover preview, Ctrl+. menu, editor text, save.
async function quickFixScenario(page) {
  await readProblems(page);

  step('hover the function name');
  const name = page.locator('.editor-instance .view-line span', { hasText: /^total$/ }).first();
  await name.hover();
  const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: 'telinject' }).first();
  await hover.waitFor({ state: 'visible' });
  // Let the code block's syntax colouring settle before the picture.
  await page.waitForTimeout(500);
  result.hover = ((await hover.textContent()) || '').replace(/\u00a0/g, ' ');
  await page.screenshot({ path: path.join(env.OUTPUT_DIR, 'hover.png') });
  await page.mouse.move(5, 5);
  await page.keyboard.press('Escape');

  step('quick fix: Ctrl+. on the function name');
  const definition = (await editorText(page)).split('\n').findIndex((line) => line.startsWith('def total('));
  if (definition < 0) throw new Error('the editor does not show "def total("');
  await goTo(page, definition + 1, 6);
  const menu = page.locator('.action-widget, .context-view .monaco-list').first();
  // Ctrl+. right after Go to Line can reach the editor before it has its focus back: again.
  for (let attempt = 1; ; ++attempt) {
    await page.keyboard.press('Control+.');
    try {
      await menu.waitFor({ state: 'visible', timeout: 10000 });
      break;
    } catch (error) {
      if (attempt === 3) throw error;
      await page.keyboard.press('Escape');
    }
  }
  const fix = menu.locator('.monaco-list-row', { hasText: 'Instrument function' }).first();
  await fix.waitFor({ state: 'visible' });
  result.quickFixes = await menu.locator('.monaco-list-row').allTextContents();
  await fix.click();

  step('wait for the instrumented text');
  await page.waitForFunction(() => [...document.querySelectorAll('.editor-instance .view-line')]
    .some((line) => (line.textContent || '').replace(/\u00a0/g, ' ').includes('with _telinject.span(')));
  result.editorText = await editorText(page);
  await page.waitForFunction(() => [...document.querySelectorAll('.statusbar-item')]
    .some((item) => /telinject: 1 uninstrumented/.test(item.textContent || ''))).catch(() => {});
  result.statusAfter = await statusText(page);
  await page.screenshot({ path: path.join(env.OUTPUT_DIR, 'instrumented.png') });

  step('save');
  await page.locator('.editor-instance .view-lines').first().click();
  await page.keyboard.press('Control+S');
  await page.locator('.tab.active.dirty').waitFor({ state: 'detached' });

  step('change a setting: telinject.severity = warning');
  // As a user editing .vscode/settings.json: VS Code notices, the server asks for the folder's
  // settings again and republishes the remaining diagnostic with the new severity.
  const settingsFile = path.join(env.PROJECT_DIR, '.vscode', 'settings.json');
  const settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8'));
  settings['telinject.severity'] = 'warning';
  fs.writeFileSync(settingsFile, JSON.stringify(settings, null, 1));
  await page.locator('.squiggly-warning').first().waitFor({ state: 'attached' });
  result.squigglesAfterSetting = {
    warning: await page.locator('.squiggly-warning').count(),
    info: await page.locator('.squiggly-info').count(),
  };
}

// Runs a command from the palette (F1) by its title.
async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

async function notification(page, text) {
  const toast = page.locator('.notification-toast', { hasText: text }).first();
  await toast.waitFor({ state: 'visible' });
  return ((await toast.textContent()) || '').replace(/\u00a0/g, ' ');
}

// The palette's Instrument Function; on save (telinject.onSave): an edit, Ctrl+S, the server's
// willSaveWaitUntil edits; then the palette's cache statistics and workspace instrumentation (its
// progress notification).
async function onSaveScenario(page) {
  step('palette: Instrument Function at the cursor');
  await page.locator('.editor-instance .view-lines').first().click();
  const definition = (await editorText(page)).split('\n').findIndex((line) => line.startsWith('def total('));
  if (definition < 0) throw new Error('the editor does not show "def total("');
  await goTo(page, definition + 1, 6);
  await runCommand(page, 'telinject: Instrument Function');
  await page.waitForFunction(() => [...document.querySelectorAll('.editor-instance .view-line')]
    .some((line) => (line.textContent || '').replace(/\u00a0/g, ' ').includes('with _telinject.span(')));
  result.afterCommand = await editorText(page);

  step('edit and save');
  await page.locator('.editor-instance .view-lines').first().click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type('# edited');
  await page.locator('.tab.active.dirty').waitFor();
  await page.keyboard.press('Control+S');
  await page.locator('.tab.active.dirty').waitFor({ state: 'detached' });
  await page.waitForFunction(() => [...document.querySelectorAll('.editor-instance .view-line')]
    .some((line) => (line.textContent || '').replace(/\u00a0/g, ' ').includes('with _telinject.span(')));
  result.editorText = await editorText(page);
  await page.waitForFunction(() => [...document.querySelectorAll('.statusbar-item')]
    .some((item) => /telinject/.test(item.textContent || '') && !/uninstrumented/.test(item.textContent || '')))
    .catch(() => {});
  result.statusAfter = await statusText(page);

  step('palette: cache statistics');
  await runCommand(page, 'telinject: Show Cache Statistics');
  result.cacheStats = await notification(page, 'telinject cache');

  step('palette: instrument the workspace');
  await runCommand(page, 'telinject: Instrument Workspace');
  result.workspace = await notification(page, 'instrumented the workspace');
  await page.screenshot({ path: path.join(env.OUTPUT_DIR, 'workspace.png') });
}

// No server at telinject.server.path: the notification, the status bar, and its Configure button
// opening the setting.
async function missingServerScenario(page) {
  step('the notification about the missing server');
  result.notification = await notification(page, 'telinject.server.path');
  result.status = await statusText(page);
  await page.screenshot({ path: path.join(env.OUTPUT_DIR, 'missing.png') });
  step('Configure');
  await page.locator('.notification-toast', { hasText: 'telinject.server.path' }).first()
    .getByRole('button', { name: 'Configure' }).click();
  const settings = page.locator('.settings-editor');
  await settings.waitFor({ state: 'visible' });
  await settings.locator('.setting-item-contents', { hasText: 'Server: Path' }).first().waitFor();
  result.settingsShown = await settings.locator('.setting-item-contents').allTextContents();
  await page.screenshot({ path: path.join(env.OUTPUT_DIR, 'configure.png') });
}

async function main() {
  fs.mkdirSync(env.OUTPUT_DIR, { recursive: true });
  const browser = await chromium.launch({
    executablePath: env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(timeout);
  result.console = [];
  page.on('console', (message) => {
    if (message.type() === 'error') result.console.push(message.text().slice(0, 300));
  });
  try {
    step('load the workbench');
    await page.goto(env.VSCODE_URL, { waitUntil: 'domcontentloaded' });
    await page.locator('.monaco-workbench').waitFor({ state: 'visible' });
    await page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ state: 'visible' });

    step('open the file from the Explorer');
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: env.FILE_NAME }).first();
    const tab = page.locator(`.tab.active[aria-label*="${env.FILE_NAME}"], .tab.active:has-text("${env.FILE_NAME}")`).first();
    // The workbench may still be settling (a notification, a view restoring focus): click again.
    for (let attempt = 1; ; ++attempt) {
      await row.click();
      try {
        await tab.waitFor({ timeout: 10000 });
        break;
      } catch (error) {
        if (attempt === 3) throw error;
      }
    }
    await page.locator('.editor-instance .view-lines').first().waitFor();

    if (env.SCENARIO === 'missing') {
      await missingServerScenario(page);
    } else {
      step('wait for the diagnostics (status bar count and squiggles)');
      await page.waitForFunction(() => [...document.querySelectorAll('.statusbar-item')]
        .some((item) => /telinject: \d+ uninstrumented/.test(item.textContent || '')));
      result.statusBefore = await statusText(page);
      await page.locator('.squiggly-info, .squiggly-warning, .squiggly-error, .squiggly-hint').first()
        .waitFor({ state: 'attached' });
      result.squiggles = await page.locator('.squiggly-info').count();
      if (env.SCENARIO === 'onsave') await onSaveScenario(page);
      else if (env.SCENARIO === 'problems') await readProblems(page);
      else await quickFixScenario(page);
    }
    step('done');
  } catch (error) {
    result.error = String(error && error.stack || error);
    await page.screenshot({ path: path.join(env.OUTPUT_DIR, 'failure.png') }).catch(() => {});
  } finally {
    fs.writeFileSync(env.RESULT_FILE, JSON.stringify(result, null, 1));
    await browser.close();
  }
}

main().catch((error) => {
  result.error = String(error && error.stack || error);
  fs.writeFileSync(env.RESULT_FILE, JSON.stringify(result, null, 1));
  process.exit(1);
});
